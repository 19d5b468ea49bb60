"""Checks on uploaded documents. Only PDF is accepted, judged by content, not by the file name:
the first bytes must be a PDF header and pypdf must be able to read every page. For blind review,
a copy without the file's own metadata (author, title, the producing software's notes)."""

from __future__ import annotations

import io
import logging

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from pypdf import PdfReader, PdfWriter
from pypdf.errors import PyPdfError
from pypdf.generic import DictionaryObject

logger = logging.getLogger(__name__)

PDF_MAGIC = b"%PDF-"


def max_upload_bytes() -> int:
    return int(settings.MAX_UPLOAD_MB) * 1024 * 1024


def validate_pdf(upload: UploadedFile) -> int:
    """Raise ``ValidationError`` with a message for the founder unless ``upload`` is a readable
    PDF within the size limit; return its number of pages."""
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
        pages = len(reader.pages)
        for page in reader.pages:
            page.get_contents()
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
