"""Founders' work on an application before and around submission: drafts, the pitch deck and
supporting documents. Status changes go through ``application_transition``."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from incubator.models import Call, Startup, User

from ..documents import pdf_file_name, validate_pdf
from ..models import Application, ApplicationDocument, ApplicationStatus

ANSWER_FIELDS = [
    "problem",
    "solution",
    "science_ip",
    "regulatory_path",
    "market",
    "team_description",
    "funding_needed",
    "use_of_funds",
]
AFTER_SUBMISSION = [ApplicationStatus.SUBMITTED, ApplicationStatus.IN_REVIEW, ApplicationStatus.WAITLISTED]


class ApplicationError(Exception):
    """The change was refused; nothing was saved. The message says why, for the founder."""

    def __init__(self, message: str, *, code: str = "refused"):
        super().__init__(message)
        self.message = message
        self.code = code


def _local(moment) -> str:
    return formats.date_format(timezone.localtime(moment), "DATETIME_FORMAT")


def answers_locked_reason(application: Application) -> str | None:
    """Why the answers and the pitch deck can no longer be changed, or ``None`` if they can."""
    call = application.call
    if application.status != ApplicationStatus.DRAFT:
        # A held decision reads like any submitted application: the message must not tell it.
        if application.submitted_at and (application.status in AFTER_SUBMISSION or application.decision_held):
            return _("This application was submitted on %(date)s; its answers can no longer be changed.") % {
                "date": _local(application.submitted_at)
            }
        return _("This application is “%(status)s”; it can no longer be changed.") % {
            "status": application.get_status_display()
        }
    if not call.is_open:
        if timezone.now() < call.opens_at:
            return _("The call opens on %(date)s.") % {"date": _local(call.opens_at)}
        return _("The call closed on %(date)s; applications can no longer be changed.") % {
            "date": _local(call.closes_at)
        }
    return None


def documents_locked_reason(application: Application) -> str | None:
    """Why supporting documents can no longer be added or removed, or ``None`` if they can."""
    if application.status == ApplicationStatus.DRAFT:
        return answers_locked_reason(application)
    call = application.call
    if application.status in AFTER_SUBMISSION and call.documents_editable_after_submit:
        if call.is_open:
            return None
        return _("The call closed on %(date)s; documents can no longer be changed.") % {
            "date": _local(call.closes_at)
        }
    return answers_locked_reason(application)


def _require_member(application: Application, actor: User) -> None:
    if not application.startup.has_member(actor):
        raise PermissionDenied


@transaction.atomic
def application_create(*, startup: Startup, call: Call, actor: User) -> Application:
    """Start a draft application of ``startup`` to ``call``; applying again returns the existing
    application instead of a second one."""
    if not startup.has_member(actor):
        raise PermissionDenied
    existing = Application.objects.filter(startup=startup, call=call).first()
    if existing is not None:
        return existing
    if not call.is_open:
        raise ApplicationError(
            _("The call “%(call)s” is not open for applications.") % {"call": call.title_text},
            code="call_closed",
        )
    Startup.objects.select_for_update().get(pk=startup.pk)
    existing = Application.objects.filter(startup=startup, call=call).first()
    if existing is not None:
        return existing
    return Application.objects.create(startup=startup, call=call, created_by=actor)


def application_version(application: Application) -> str:
    """A token that changes whenever the application is saved, to catch stale forms."""
    return application.updated_at.isoformat()


@transaction.atomic
def application_update(
    *,
    application: Application,
    actor: User,
    answers: dict,
    pitch_deck: UploadedFile | None = None,
    expected_version: str | None = None,
) -> Application:
    """Save a draft's answers and, if given, a new pitch deck (validated as PDF). Refused, with
    nothing saved, when the application is no longer a draft, the call is closed, or it changed
    since the founder's form was opened (``expected_version``)."""
    locked = (
        Application.objects.select_for_update(of=("self",))
        .select_related("call", "startup")
        .get(pk=application.pk)
    )
    _require_member(locked, actor)
    reason = answers_locked_reason(locked)
    if reason:
        raise ApplicationError(reason, code="locked")
    if expected_version is not None and expected_version != application_version(locked):
        raise ApplicationError(
            _(
                "This application was changed somewhere else (another tab or a co-founder) since you "
                "opened this page. Nothing was saved: your text is still below. Copy what you need, "
                "reload the page and try again."
            ),
            code="stale",
        )
    unknown = set(answers) - set(ANSWER_FIELDS)
    if unknown:
        raise TypeError(f"unknown answers: {sorted(unknown)}")
    if pitch_deck is None and all(getattr(locked, name) == value for name, value in answers.items()):
        # Nothing changes: no save, so the version stays and a co-founder's open form stays current.
        return locked
    for name, value in answers.items():
        setattr(locked, name, value)
    old_deck = None
    if pitch_deck is not None:
        validate_pdf(pitch_deck)
        old_deck = locked.pitch_deck.name or None
        locked.pitch_deck.save("deck.pdf", pitch_deck, save=False)
        locked.pitch_deck_name = pdf_file_name(pitch_deck.name, "pitch-deck.pdf")
    locked.save()
    if old_deck:
        storage = locked.pitch_deck.storage
        transaction.on_commit(lambda: storage.delete(old_deck))
    return locked


@transaction.atomic
def document_add(
    *, application: Application, actor: User, title: str, upload: UploadedFile
) -> ApplicationDocument:
    """Attach a supporting PDF while the call allows it."""
    locked = (
        Application.objects.select_for_update(of=("self",))
        .select_related("call", "startup")
        .get(pk=application.pk)
    )
    _require_member(locked, actor)
    reason = documents_locked_reason(locked)
    if reason:
        raise ApplicationError(reason, code="locked")
    validate_pdf(upload)
    document = ApplicationDocument(
        application=locked,
        # Never the file's name, which reviewers of a blind call must not read.
        title=title.strip() or _("Supporting document"),
        original_name=pdf_file_name(upload.name, "document.pdf"),
        size=upload.size,
        uploaded_by=actor,
    )
    document.file.save("document.pdf", upload, save=False)
    document.save()
    return document


@transaction.atomic
def document_delete(*, document: ApplicationDocument, actor: User) -> None:
    locked = (
        Application.objects.select_for_update(of=("self",))
        .select_related("call", "startup")
        .get(pk=document.application_id)
    )
    _require_member(locked, actor)
    reason = documents_locked_reason(locked)
    if reason:
        raise ApplicationError(reason, code="locked")
    name, storage = document.file.name, document.file.storage
    document.delete()
    transaction.on_commit(lambda: storage.delete(name))
