"""Supporting documents through the API: the team adds and removes PDFs while the call lets
documents change, with the same service and the same refusals as the application's page; the
team, the managers and assigned reviewers download them."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from pipeline.models import ApplicationDocument
from tests.api.conftest import World
from tests.api.test_errors import error_of
from tests.pdf import make_pdf

pytestmark = pytest.mark.django_db

V1 = "/api/v1"


def _upload(name: str = "letter.pdf", content: bytes | None = None) -> SimpleUploadedFile:
    return SimpleUploadedFile(
        name, make_pdf() if content is None else content, content_type="application/pdf"
    )


def _add(world: World, role: str, application, **fields):
    return world.client(role).post(
        f"{V1}/applications/{application.pk}/documents/",
        {"title": "Letter of support", "file": _upload(), **fields},
        format="multipart",
    )


def test_the_team_adds_a_document_and_everyone_who_may_reads_it(world: World):
    application = world.application_b
    content = make_pdf(pages=2)

    response = world.client("founder_b").post(
        f"{V1}/applications/{application.pk}/documents/",
        {"title": "Letter of intent", "file": _upload("LOI from partner.pdf", content)},
        format="multipart",
    )

    assert response.status_code == 201, response.content
    created = response.json()
    assert created["title"] == "Letter of intent"
    assert created["original_name"] == "LOI from partner.pdf"
    assert created["size"] == len(content)
    detail = world.client("founder_b").get(f"{V1}/applications/{application.pk}/").json()
    assert [document["id"] for document in detail["documents"]] == [created["id"]]
    for role in ("founder_b", "manager"):
        download = world.client(role).get(f"{V1}/applications/{application.pk}/documents/{created['id']}/")
        assert download.status_code == 200, role
        assert download["Content-Type"] == "application/pdf"
        assert download["Content-Disposition"] == 'attachment; filename="LOI from partner.pdf"'
        assert b"".join(download.streaming_content) == content


def test_a_document_needs_a_title_not_its_file_name(world: World):
    """A file's name may carry the founders' names, which a blind call keeps from reviewers."""
    for title in (None, "  "):
        fields = {"file": _upload("Anna Founder CV.pdf")}
        if title is not None:
            fields["title"] = title
        response = world.client("founder_b").post(
            f"{V1}/applications/{world.application_b.pk}/documents/", fields, format="multipart"
        )
        assert list(error_of(response, 400)["details"]["fields"]) == ["title"], title
    assert not ApplicationDocument.objects.filter(application=world.application_b).exists()


@pytest.mark.parametrize(
    ("content", "field"),
    [(b"<html><script>alert(1)</script></html>", "file"), (None, "title")],
)
def test_bad_input_is_refused_with_the_field_and_nothing_is_kept(world: World, content, field):
    fields = {"title": "Notes", "file": _upload("notes.pdf", content)}
    if field == "title":
        fields["title"] = "x" * 201

    response = world.client("founder_b").post(
        f"{V1}/applications/{world.application_b.pk}/documents/", fields, format="multipart"
    )

    error = error_of(response, 400)
    assert list(error["details"]["fields"]) == [field]
    assert not ApplicationDocument.objects.filter(application=world.application_b).exists()


def test_once_documents_are_locked_nothing_is_added_or_removed(world: World):
    call = world.application_a.call
    call.documents_editable_after_submit = False
    call.save(update_fields=["documents_editable_after_submit"])
    client = world.client("founder_a")

    added = _add(world, "founder_a", world.application_a)
    removed = client.delete(f"{V1}/applications/{world.application_a.pk}/documents/{world.document.pk}/")

    for response in (added, removed):
        error = error_of(response, 409)
        assert error["code"] == "locked"
    assert list(ApplicationDocument.objects.filter(application=world.application_a)) == [world.document]


def test_the_team_removes_a_document_and_its_file_goes_after_commit(
    world: World, django_capture_on_commit_callbacks
):
    document = ApplicationDocument.objects.get(pk=_add(world, "founder_b", world.application_b).json()["id"])
    storage, name = document.file.storage, document.file.name
    assert storage.exists(name)

    with django_capture_on_commit_callbacks(execute=True):
        response = world.client("founder_b").delete(
            f"{V1}/applications/{world.application_b.pk}/documents/{document.pk}/"
        )

    assert response.status_code == 204
    assert not ApplicationDocument.objects.filter(pk=document.pk).exists()
    assert not storage.exists(name)
    detail = world.client("founder_b").get(f"{V1}/applications/{world.application_b.pk}/").json()
    assert detail["documents"] == []


def test_a_document_is_reached_only_through_its_own_application(world: World):
    other = ApplicationDocument.objects.get(pk=_add(world, "founder_b", world.application_b).json()["id"])
    path = f"{V1}/applications/{world.application_a.pk}/documents/{other.pk}/"

    for role in ("founder_a", "manager"):
        client = world.client(role)
        assert client.get(path).status_code == 404, role
        assert client.delete(path).status_code == 404, role
    assert ApplicationDocument.objects.filter(pk=other.pk).exists()
