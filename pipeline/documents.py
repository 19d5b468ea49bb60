"""Checks on uploaded documents. Only PDF is accepted, judged by content, not by the file name:
the first bytes must be a PDF header, pypdf must be able to read every page, the page count is
bounded, and a file that would run something when opened (scripts, launch actions, embedded
files) is refused. Files are always named and served as ``.pdf``, whatever name they came with.
For blind review, a copy without the file's own metadata (author, title, the producing
software's notes)."""

from __future__ import annotations

import io
import logging
from pathlib import PurePosixPath, PureWindowsPath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.http import FileResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from pypdf import PdfReader, PdfWriter
from pypdf.errors import PyPdfError
from pypdf.generic import DictionaryObject

logger = logging.getLogger(__name__)

PDF_MAGIC = b"%PDF-"


def max_upload_bytes() -> int:
    return int(settings.MAX_UPLOAD_MB) * 1024 * 1024


def pdf_file_name(name: str | None, fallback: str) -> str:
    """The name a PDF is kept and downloaded under: the uploader's name without its folders and
    with the extension ``.pdf``, so that a file checked as a PDF is never saved by a reader's
    computer as a page or a program (``deck.html``, ``deck.hta``)."""
    base = PureWindowsPath(PurePosixPath(name or "").name).name.strip()
    stem, dot, extension = base.rpartition(".")
    if not (dot and extension.isalnum() and len(extension) <= 5):
        stem = base  # no extension: "Report v1.2 final" keeps its dot
    stem = stem.strip(" .")[:200]
    return f"{stem}.pdf" if stem else fallback


def pdf_download(content, name: str | None, fallback: str = "document.pdf") -> FileResponse:
    """A stored PDF (an open file or a rewritten copy) as a download under a ``.pdf`` name, never
    rendered by the browser nor kept by a cache. Names stored before they were made to end in
    ``.pdf`` are made so here."""
    response = FileResponse(
        content, as_attachment=True, filename=pdf_file_name(name, fallback), content_type="application/pdf"
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


# What makes a PDF act when it is opened or clicked: refused, as no deck or evidence needs it.
_ACTIVE_ACTIONS = {"/JavaScript", "/Launch", "/ImportData", "/SubmitForm", "/RichMediaExecute"}
_ACTIVE_NAMES = ("/JavaScript", "/EmbeddedFiles")


def _action_is_active(action) -> bool:
    action = action.get_object() if action is not None else None
    if not isinstance(action, DictionaryObject):
        return False
    if action.get("/S") in _ACTIVE_ACTIONS or "/JS" in action:
        return True
    following = action.get("/Next")
    following = following.get_object() if following is not None else None
    if isinstance(following, list):
        return any(_action_is_active(item) for item in following)
    return _action_is_active(following) if following is not None else False


def _additional_actions_active(holder) -> bool:
    actions = holder.get("/AA")
    actions = actions.get_object() if actions is not None else None
    return isinstance(actions, DictionaryObject) and any(
        _action_is_active(action) for action in actions.values()
    )


def _tree(start, children: str):
    """The dictionaries of a tree of references (a page tree's /Kids, a form's fields), each once
    however the file links them."""
    stack, seen = [start], set()
    while stack:
        reference = stack.pop()
        number = getattr(reference, "idnum", None)
        if number is not None:
            if number in seen:
                continue
            seen.add(number)
        node = reference.get_object() if reference is not None else None
        if not isinstance(node, DictionaryObject):
            continue
        yield node
        kids = node.get(children)
        kids = kids.get_object() if kids is not None else None
        if isinstance(kids, list):
            stack.extend(reversed(kids))


def _form_fields_active(root: DictionaryObject) -> bool:
    """Whether the interactive form runs a script: an XFA form, or a field (at any depth) with an
    action."""
    form = root.get("/AcroForm")
    form = form.get_object() if form is not None else None
    if not isinstance(form, DictionaryObject):
        return False
    if "/XFA" in form:
        return True
    return any(
        _action_is_active(field.get("/A")) or _additional_actions_active(field)
        for top in (form.get("/Fields") or [])
        for field in _tree(top, "/Kids")
    )


def _active_content(reader: PdfReader) -> bool:
    """Whether the document, its form, a page or a link on a page runs a script, launches a
    program, sends data or carries embedded files."""
    root = reader.trailer["/Root"].get_object()
    names = root.get("/Names")
    names = names.get_object() if names is not None else None
    if isinstance(names, DictionaryObject) and any(key in names for key in _ACTIVE_NAMES):
        return True
    if _action_is_active(root.get("/OpenAction")) or _additional_actions_active(root):
        return True
    if _form_fields_active(root):
        return True
    for page in reader.pages:
        if _additional_actions_active(page):
            return True
        for annotation in page.get("/Annots") or []:
            annotation = annotation.get_object()
            if not isinstance(annotation, DictionaryObject):
                continue
            if annotation.get("/Subtype") in ("/FileAttachment", "/RichMedia", "/Movie", "/Sound"):
                return True
            if _action_is_active(annotation.get("/A")) or _additional_actions_active(annotation):
                return True
    return False


def _pages_beyond(reader: PdfReader, limit: int) -> bool:
    """Whether the page tree has more than ``limit`` pages, counted leaf by leaf (not from the
    /Count the file declares, which may lie) and stopping as soon as it is past."""
    pages = 0
    for node in _tree(reader.trailer["/Root"].get_object().get("/Pages"), "/Kids"):
        if node.get("/Type") != "/Pages" and "/Kids" not in node:
            pages += 1
            if pages > limit:
                return True
    return False


def _check_page_count(reader: PdfReader) -> None:
    if _pages_beyond(reader, settings.MAX_UPLOAD_PAGES):
        raise ValidationError(
            _("This PDF has more than %(limit)d pages. Upload a shorter document.")
            % {"limit": settings.MAX_UPLOAD_PAGES},
            code="too_many_pages",
        )


def validate_pdf(upload: UploadedFile) -> int:
    """Raise ``ValidationError`` with a message for the founder unless ``upload`` is a readable
    PDF within the size and page limits that runs nothing when opened; return its number of
    pages. A file checked once (by its form, then by the service) is not read a second time."""
    checked = getattr(upload, "_checked_pdf_pages", None)
    if checked is not None:
        return checked
    limit = max_upload_bytes()
    if upload.size > limit:
        raise ValidationError(
            _("The file is %(size).1f MB; the limit is %(limit)d MB. Compress the PDF and try again.")
            % {"size": upload.size / 1024 / 1024, "limit": settings.MAX_UPLOAD_MB},
            code="too_large",
        )
    if upload.size == 0:
        raise ValidationError(_("The file is empty."), code="empty")
    upload.seek(0)
    head = upload.read(1024)
    upload.seek(0)
    if not head.lstrip(b"\x00\t\n\r ").startswith(PDF_MAGIC):
        if (upload.name or "").lower().endswith(".pdf"):
            message = _(
                "This file is not a PDF, whatever its name says. Export the document as PDF and upload that."
            )
        else:
            message = _("Only PDF files can be uploaded. Export the document as PDF and upload that.")
        raise ValidationError(message, code="not_pdf")
    try:
        reader = PdfReader(upload, strict=False)
        if reader.is_encrypted:
            raise ValidationError(
                _("This PDF is protected by a password. Upload a copy without a password."),
                code="encrypted",
            )
        # Counted before pypdf reads the page tree whole: reading a huge one takes the time.
        _check_page_count(reader)
        pages = len(reader.pages)
        for page in reader.pages:
            page.get_contents()
        if _active_content(reader):
            raise ValidationError(
                _(
                    "This PDF contains scripts, actions or embedded files, which are not accepted. "
                    "Export or print the document to PDF again without them and upload the new file."
                ),
                code="active_content",
            )
    except ValidationError:
        raise
    except (PyPdfError, ValueError, TypeError, KeyError, AttributeError, OSError, RecursionError) as exc:
        logger.info("unreadable PDF upload: %s", exc)
        raise ValidationError(
            _("This PDF could not be read; it may be damaged. Export it again and upload the new file."),
            code="unreadable",
        ) from exc
    finally:
        upload.seek(0)
    if pages == 0:
        raise ValidationError(_("This PDF has no pages."), code="no_pages")
    upload._checked_pdf_pages = pages
    return pages


class MetadataNotRemoved(Exception):
    """The PDF could not be rewritten without its metadata; it must not be served as it is."""


# What a reviewer reads, on a page or from the API, when that happens.
METADATA_NOT_REMOVED = _lazy(
    "This file cannot be shown without its author details, so it is not shown. The managers can see it."
)


def without_metadata(file) -> io.BytesIO:
    """A copy of the stored PDF ``file`` without its document information (author, creator,
    title, subject, keywords, producer) and without XMP metadata streams: what a reviewer gets
    when the call hides the founders' names. The pages are copied as they are."""
    try:
        with file.open("rb") as handle:
            writer = PdfWriter(clone_from=PdfReader(handle, strict=False))
        writer.metadata = None
        # XMP streams hang off the catalogue, pages, images, fonts and embedded files; a comment
        # (annotation) carries its author in /T.
        for holder in writer._objects:
            if isinstance(holder, DictionaryObject):
                if "/Metadata" in holder:
                    del holder["/Metadata"]
                # A form field's /T is its name, not an author: widgets keep it.
                if "/Rect" in holder and "/Subtype" in holder and holder["/Subtype"] != "/Widget":
                    holder.pop("/T", None)
        # The copy would still carry the dropped objects, unreferenced: leave them out.
        writer.compress_identical_objects(remove_duplicates=False, remove_unreferenced=True)
        copy = io.BytesIO()
        writer.write(copy)
    except (PyPdfError, ValueError, TypeError, KeyError, AttributeError, OSError, RecursionError) as exc:
        logger.warning("PDF %s not rewritten without its metadata: %s", file.name, exc)
        raise MetadataNotRemoved(str(exc)) from exc
    copy.seek(0)
    return copy
