"""Uploaded PDFs: named and served as .pdf whatever name they came with, bounded in pages, and
refused when they would run something when opened."""

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from pypdf import PdfWriter
from pypdf.generic import (
    ArrayObject,
    DictionaryObject,
    FloatObject,
    NameObject,
    NumberObject,
    TextStringObject,
)

from pipeline import documents
from pipeline.documents import pdf_file_name, validate_pdf
from pipeline.models import ApplicationDocument
from tests import factories
from tests.pdf import make_pdf

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("name", "kept"),
    [
        ("deck.pdf", "deck.pdf"),
        ("Pitch deck.html", "Pitch deck.pdf"),
        ("deck.PDF", "deck.pdf"),
        ("../../etc/passwd", "passwd.pdf"),
        ("C:\\Users\\eve\\run.hta", "run.pdf"),
        ("Report v1.2 final", "Report v1.2 final.pdf"),
        ("Отчёт.svg", "Отчёт.pdf"),
        (".pdf", "fallback.pdf"),
        ("", "fallback.pdf"),
        (None, "fallback.pdf"),
    ],
)
def test_a_files_name_always_ends_in_pdf(name, kept):
    assert pdf_file_name(name, "fallback.pdf") == kept


def _writer() -> PdfWriter:
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    return writer


def _bytes(writer: PdfWriter) -> bytes:
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def _script(code: str = "app.alert('hi');") -> DictionaryObject:
    return DictionaryObject(
        {NameObject("/S"): NameObject("/JavaScript"), NameObject("/JS"): TextStringObject(code)}
    )


def _on_open_script() -> bytes:
    writer = _writer()
    writer._root_object[NameObject("/OpenAction")] = writer._add_object(_script())
    return _bytes(writer)


def _named_script() -> bytes:
    writer = _writer()
    scripts = DictionaryObject(
        {NameObject("/Names"): ArrayObject([TextStringObject("start"), writer._add_object(_script())])}
    )
    writer._root_object[NameObject("/Names")] = DictionaryObject({NameObject("/JavaScript"): scripts})
    return _bytes(writer)


def _embedded_file() -> bytes:
    writer = _writer()
    writer.add_attachment("run.exe", b"MZ...")
    return _bytes(writer)


def _link(action: DictionaryObject) -> bytes:
    writer = _writer()
    annotation = DictionaryObject(
        {
            NameObject("/Type"): NameObject("/Annot"),
            NameObject("/Subtype"): NameObject("/Link"),
            NameObject("/Rect"): ArrayObject([FloatObject(n) for n in (0, 0, 50, 50)]),
            NameObject("/A"): action,
        }
    )
    writer.pages[0][NameObject("/Annots")] = ArrayObject([writer._add_object(annotation)])
    return _bytes(writer)


def _launch_link() -> bytes:
    return _link(
        DictionaryObject(
            {NameObject("/S"): NameObject("/Launch"), NameObject("/F"): TextStringObject("calc")}
        )
    )


def _page_opening_script() -> bytes:
    writer = _writer()
    writer.pages[0][NameObject("/AA")] = DictionaryObject({NameObject("/O"): _script()})
    return _bytes(writer)


def _chained_script() -> bytes:
    go_to = DictionaryObject(
        {
            NameObject("/S"): NameObject("/URI"),
            NameObject("/URI"): TextStringObject("https://example.org/"),
            NameObject("/Next"): _script(),
        }
    )
    return _link(go_to)


def _form(field_extra: dict) -> bytes:
    """A text field under a parent field: the parent carries ``field_extra``."""
    writer = _writer()
    widget = writer._add_object(
        DictionaryObject(
            {
                NameObject("/Type"): NameObject("/Annot"),
                NameObject("/Subtype"): NameObject("/Widget"),
                NameObject("/Rect"): ArrayObject([FloatObject(n) for n in (0, 0, 50, 20)]),
            }
        )
    )
    parent = writer._add_object(
        DictionaryObject(
            {
                NameObject("/FT"): NameObject("/Tx"),
                NameObject("/T"): TextStringObject("amount"),
                NameObject("/Kids"): ArrayObject([widget]),
                **field_extra,
            }
        )
    )
    writer._root_object[NameObject("/AcroForm")] = DictionaryObject(
        {NameObject("/Fields"): ArrayObject([parent])}
    )
    return _bytes(writer)


def _form_field_script() -> bytes:
    return _form({NameObject("/AA"): DictionaryObject({NameObject("/K"): _script()})})


def _xfa_form() -> bytes:
    writer = _writer()
    writer._root_object[NameObject("/AcroForm")] = DictionaryObject(
        {NameObject("/Fields"): ArrayObject(), NameObject("/XFA"): TextStringObject("<xdp><script/></xdp>")}
    )
    return _bytes(writer)


@pytest.mark.parametrize(
    "content",
    [
        _on_open_script,
        _named_script,
        _embedded_file,
        _launch_link,
        _page_opening_script,
        _chained_script,
        _form_field_script,
        _xfa_form,
    ],
)
def test_a_pdf_that_would_run_something_is_refused(content):
    with pytest.raises(ValidationError) as refused:
        validate_pdf(SimpleUploadedFile("deck.pdf", content()))
    assert refused.value.code == "active_content"
    assert "contains scripts, actions or embedded files" in refused.value.messages[0]


def test_a_pdf_with_a_plain_form_field_is_accepted():
    assert validate_pdf(SimpleUploadedFile("deck.pdf", _form({}))) == 1


def test_a_pdf_with_a_plain_web_link_is_accepted():
    link = DictionaryObject(
        {NameObject("/S"): NameObject("/URI"), NameObject("/URI"): TextStringObject("https://example.org/")}
    )
    assert validate_pdf(SimpleUploadedFile("deck.pdf", _link(link))) == 1


def test_a_pdf_over_the_page_limit_is_refused_before_its_pages_are_read(settings, monkeypatch):
    settings.MAX_UPLOAD_PAGES = 3
    assert validate_pdf(SimpleUploadedFile("deck.pdf", make_pdf(3))) == 3

    walked = []
    monkeypatch.setattr(documents.PdfReader, "pages", property(lambda reader: walked.append(1) or []))
    with pytest.raises(ValidationError) as refused:
        validate_pdf(SimpleUploadedFile("deck.pdf", make_pdf(4)))
    assert refused.value.messages == ["This PDF has more than 3 pages. Upload a shorter document."]
    assert walked == []


def test_a_pdf_that_declares_fewer_pages_than_it_has_is_counted_all_the_same(settings, monkeypatch):
    settings.MAX_UPLOAD_PAGES = 3
    writer = PdfWriter()
    for _ in range(5):
        writer.add_blank_page(width=595, height=842)
    writer._root_object["/Pages"].get_object()[NameObject("/Count")] = NumberObject(1)
    content = _bytes(writer)
    walked = []
    monkeypatch.setattr(documents.PdfReader, "pages", property(lambda reader: walked.append(1) or []))

    with pytest.raises(ValidationError) as refused:
        validate_pdf(SimpleUploadedFile("deck.pdf", content))
    assert refused.value.code == "too_many_pages"
    assert walked == []  # refused by the leaves counted, before pypdf reads the tree whole


def test_a_file_checked_by_its_form_is_not_read_again_by_the_service(monkeypatch):
    upload = SimpleUploadedFile("deck.pdf", make_pdf(2))
    assert validate_pdf(upload) == 2
    monkeypatch.setattr(documents, "PdfReader", None)  # reading again would fail
    assert validate_pdf(upload) == 2


def test_a_pdf_uploaded_under_another_extension_is_kept_and_served_as_pdf(client, founder):
    application = factories.ApplicationFactory(startup=factories.StartupFactory(founders=[founder]))
    client.force_login(founder)

    client.post(
        reverse("application-document-upload", args=[application.pk]),
        {"title": "Letter", "file": SimpleUploadedFile("letter.html", make_pdf())},
    )

    document = ApplicationDocument.objects.get()
    assert document.original_name == "letter.pdf"
    response = client.get(reverse("document-download", args=[document.pk]))
    assert response["Content-Disposition"] == 'attachment; filename="letter.pdf"'
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_a_name_stored_before_it_was_made_pdf_is_served_as_pdf(client, founder):
    application = factories.ApplicationFactory(startup=factories.StartupFactory(founders=[founder]))
    document = ApplicationDocument.objects.create(
        application=application,
        title="Deck",
        file=ContentFile(make_pdf(), name="x.pdf"),
        original_name="deck.hta",
    )
    client.force_login(founder)

    response = client.get(reverse("document-download", args=[document.pk]))

    assert response["Content-Disposition"] == 'attachment; filename="deck.pdf"'


def test_once_the_founders_withdraw_reviewers_get_its_files_no_more(client, founder):
    from rest_framework.test import APIClient

    from pipeline.models import Application

    application = factories.ApplicationFactory(startup=factories.StartupFactory(founders=[founder]))
    document = ApplicationDocument.objects.create(
        application=application,
        title="Letter",
        file=ContentFile(make_pdf(), name="x.pdf"),
        original_name="l.pdf",
    )
    reviewer = factories.ReviewAssignmentFactory(application=application).reviewer
    urls = [
        reverse("application-deck", args=[application.pk]),
        reverse("document-download", args=[document.pk]),
        f"/api/v1/applications/{application.pk}/pitch-deck/",
        f"/api/v1/applications/{application.pk}/documents/{document.pk}/",
    ]
    client.force_login(reviewer)
    assert [client.get(url).status_code for url in urls] == [200] * 4

    Application.objects.filter(pk=application.pk).update(status="withdrawn")

    assert [client.get(url).status_code for url in urls] == [404] * 4
    page = client.get(reverse("review-form", args=[application.pk])).content.decode()
    assert "its files are no longer shared" in page
    assert reverse("application-deck", args=[application.pk]) not in page
    api = APIClient()
    api.force_authenticate(reviewer)
    assert "no longer shared" in api.get(urls[2]).json()["error"]["message"]
    assert "no longer shared" in api.get(urls[3]).json()["error"]["message"]
    # The team and the managers keep them.
    for person in (founder, factories.ManagerFactory()):
        client.force_login(person)
        assert [client.get(url).status_code for url in urls] == [200] * 4
