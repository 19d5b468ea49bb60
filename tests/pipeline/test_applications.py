"""The founder's application: drafts, pitch deck, documents, submission and withdrawal, with
every kind of bad input answered by a clear message and nothing else changed."""

import re
from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from incubator.models import KpiReport, Startup
from pipeline.models import Application, ApplicationDocument, TransitionLog
from tests import factories
from tests.pdf import make_pdf

pytestmark = pytest.mark.django_db

ANSWERS = {
    "problem": "Stroke kills neurons within hours.",
    "solution": "A neurotrophic peptide given in the ambulance.",
    "science_ip": "Two animal models; patent filed.",
    "regulatory_path": "National registration, then EAEU.",
    "market": "Stroke centres.",
    "team_description": "A pharmacologist and a neurologist.",
    "funding_needed": "5000000",
    "use_of_funds": "GLP toxicology.",
}


def pdf_upload(name="deck.pdf", content=None):
    return SimpleUploadedFile(
        name, content if content is not None else make_pdf(), content_type="application/pdf"
    )


@pytest.fixture
def draft(startup):
    return factories.ApplicationFactory(
        startup=startup, pitch_deck=None, pitch_deck_name="", problem="", solution=""
    )


def _form_data(application, **overrides):
    application.refresh_from_db()
    data = {**ANSWERS, "version": application.updated_at.isoformat(), "save": "1"}
    data.update(overrides)
    return data


def _edit(client, application, **overrides):
    return client.post(
        reverse("application-edit", args=[application.pk]), _form_data(application, **overrides)
    )


def test_apply_creates_one_draft_even_when_clicked_twice(client, founder, startup):
    call = factories.CallFactory()
    client.force_login(founder)
    first = client.post(reverse("call-apply", args=[call.slug]), {"startup": startup.pk})
    second = client.post(reverse("call-apply", args=[call.slug]), {"startup": startup.pk})
    application = Application.objects.get()
    assert first.url == second.url == reverse("application-edit", args=[application.pk])
    assert application.status == "draft"


def test_cannot_apply_with_someone_elses_startup_or_to_a_closed_call(client, founder, startup):
    call = factories.CallFactory()
    client.force_login(founder)
    client.post(reverse("call-apply", args=[call.slug]), {"startup": factories.StartupFactory().pk})
    assert not Application.objects.exists()

    call.closes_at = timezone.now() - timezone.timedelta(minutes=1)
    call.save()
    response = client.post(reverse("call-apply", args=[call.slug]), {"startup": startup.pk}, follow=True)
    assert "is not open for applications" in response.content.decode()
    assert not Application.objects.exists()


def test_save_a_draft_then_submit_with_a_deck(client, founder, draft):
    client.force_login(founder)
    response = _edit(client, draft, problem="", new_pitch_deck=pdf_upload("Our deck.pdf"))
    assert response.url == reverse("application-edit", args=[draft.pk])
    draft.refresh_from_db()
    assert draft.problem == ""
    assert draft.pitch_deck_name == "Our deck.pdf"
    assert draft.pitch_deck.name.endswith(".pdf")
    assert "Our deck" not in draft.pitch_deck.name  # stored under a generated name

    response = _edit(client, draft, submit="1")
    assert response.url == reverse("application-detail", args=[draft.pk])
    draft.refresh_from_db()
    assert draft.status == "submitted"
    assert draft.submitted_at is not None
    page = client.get(reverse("application-detail", args=[draft.pk])).content.decode()
    assert "Submitted. The cluster managers will assign reviewers." in page
    assert "Draft → Submitted" in page


def test_submit_with_missing_answers_marks_each_field_and_keeps_the_draft(client, founder, draft):
    client.force_login(founder)
    response = _edit(client, draft, submit="1", market="", use_of_funds="  ")
    body = response.content.decode()
    assert response.status_code == 400
    assert "Fill in the required fields: market, use of funds." in body
    assert "Upload a pitch deck (PDF) before submitting." in body
    assert body.count("Required to submit.") == 3  # market, use of funds, pitch deck
    # Each of them outlined in red, as any invalid field is.
    for name in ("market", "use_of_funds", "new_pitch_deck"):
        assert re.search(rf'<[^>]*name="{name}"[^>]*is-invalid', body), name
    draft.refresh_from_db()
    assert draft.status == "draft"
    assert draft.problem == ANSWERS["problem"]  # what was typed is saved as the draft
    assert not TransitionLog.objects.exists()


def test_double_submit_submits_once(client, founder, draft):
    client.force_login(founder)
    _edit(client, draft, new_pitch_deck=pdf_upload())
    data = _form_data(draft, submit="1")
    first = client.post(reverse("application-edit", args=[draft.pk]), data)
    second = client.post(reverse("application-edit", args=[draft.pk]), data, follow=True)
    assert first.status_code == 302
    assert "was submitted on" in second.content.decode()
    assert TransitionLog.objects.filter(transition="submit").count() == 1


def test_stale_form_from_another_tab_saves_nothing_and_keeps_the_text(client, founder, draft):
    client.force_login(founder)
    stale = _form_data(draft, problem="My long careful answer.")
    _edit(client, draft, problem="Edited in the other tab.")

    response = client.post(reverse("application-edit", args=[draft.pk]), stale)
    body = response.content.decode()
    alert = body[body.index('<div class="alert alert-danger" role="alert">') :]
    assert "was changed somewhere else" in alert[: alert.index("</div>")]
    assert "My long careful answer." in body
    draft.refresh_from_db()
    assert draft.problem == "Edited in the other tab."


def test_stale_form_after_a_state_change(client, founder, draft):
    client.force_login(founder)
    stale = _form_data(draft, problem="Late edit.")
    application = Application.objects.get(pk=draft.pk)
    from pipeline.services import application_transition

    application_transition(application=application, name="withdraw", actor=founder)
    response = client.post(reverse("application-edit", args=[draft.pk]), stale, follow=True)
    assert "can no longer be changed" in response.content.decode()
    draft.refresh_from_db()
    assert draft.problem == ""
    assert draft.status == "withdrawn"


def test_over_long_text_is_refused_with_the_field_message(client, founder, draft):
    client.force_login(founder)
    response = _edit(client, draft, solution="x" * 4001)
    body = response.content.decode()
    assert "Ensure this value has at most 4000 characters (it has 4001)." in body
    assert "Nothing was saved" in body
    draft.refresh_from_db()
    assert draft.solution == ""


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (lambda: pdf_upload("deck.pdf", b"PK\x03\x04 this is a zip file renamed"), "This file is not a PDF"),
        (lambda: pdf_upload("notes.txt", b"Plain notes."), "Only PDF files can be uploaded."),
        (lambda: pdf_upload("deck.pdf", b"%PDF-1.7\n garbage garbage"), "This PDF could not be read"),
        (lambda: pdf_upload("deck.pdf", b""), "The submitted file is empty."),
        (lambda: pdf_upload("deck.pdf", make_pdf(padding=21 * 1024 * 1024)), "the limit is 20 MB"),
    ],
)
def test_bad_pitch_deck_keeps_the_earlier_file_and_the_typed_answers(client, founder, draft, upload, message):
    client.force_login(founder)
    _edit(client, draft, new_pitch_deck=pdf_upload("first.pdf"))
    draft.refresh_from_db()
    earlier = draft.pitch_deck.name

    response = _edit(client, draft, problem="A new answer typed with the upload.", new_pitch_deck=upload())
    body = response.content.decode()
    assert message in body
    assert "A new answer typed with the upload." in body
    draft.refresh_from_db()
    assert draft.pitch_deck.name == earlier
    assert draft.pitch_deck_name == "first.pdf"
    assert draft.problem == ANSWERS["problem"]
    assert draft.pitch_deck.storage.exists(earlier)


def test_a_good_deck_sent_with_a_bad_answer_is_asked_for_again(client, founder, draft):
    client.force_login(founder)

    response = _edit(client, draft, funding_needed="-1", new_pitch_deck=pdf_upload())

    form = response.context["form"]
    assert form.errors["new_pitch_deck"] == ["Choose this file again: it was not kept, as nothing was saved."]
    assert "funding_needed" in form.errors
    draft.refresh_from_db()
    assert not draft.pitch_deck


def test_replacing_the_deck_removes_the_old_file(client, founder, draft, django_capture_on_commit_callbacks):
    client.force_login(founder)
    with django_capture_on_commit_callbacks(execute=True):
        _edit(client, draft, new_pitch_deck=pdf_upload("first.pdf"))
    draft.refresh_from_db()
    first = draft.pitch_deck.name
    with django_capture_on_commit_callbacks(execute=True):
        _edit(client, draft, new_pitch_deck=pdf_upload("second.pdf"))
    draft.refresh_from_db()
    assert draft.pitch_deck_name == "second.pdf"
    assert not draft.pitch_deck.storage.exists(first)


def test_nothing_can_be_edited_after_the_call_closes(client, founder, draft):
    client.force_login(founder)
    draft.call.closes_at = timezone.now() - timezone.timedelta(hours=1)
    draft.call.save()

    response = _edit(client, draft, problem="Too late.")
    assert response.url == reverse("application-detail", args=[draft.pk])
    draft.refresh_from_db()
    assert draft.problem == ""
    response = client.post(
        reverse("application-document-upload", args=[draft.pk]), {"title": "Letter", "file": pdf_upload()}
    )
    assert "The call closed on" in response.content.decode()
    assert not ApplicationDocument.objects.exists()


def test_after_submission_only_documents_when_the_call_allows(client, founder, startup):
    application = factories.ApplicationFactory(
        startup=startup, status="submitted", submitted_at=timezone.now()
    )
    client.force_login(founder)

    response = _edit(client, application, problem="Changed after submission.")
    assert response.url == reverse("application-detail", args=[application.pk])
    assert Application.objects.get(pk=application.pk).problem != "Changed after submission."

    client.post(
        reverse("application-document-upload", args=[application.pk]),
        {"title": "Letter of intent", "file": pdf_upload("loi.pdf")},
    )
    document = ApplicationDocument.objects.get()
    assert (document.title, document.original_name) == ("Letter of intent", "loi.pdf")

    application.call.documents_editable_after_submit = False
    application.call.save()
    response = client.post(
        reverse("application-document-upload", args=[application.pk]),
        {"title": "Another", "file": pdf_upload()},
    )
    assert "can no longer be changed" in response.content.decode()
    assert ApplicationDocument.objects.count() == 1


def test_supporting_document_must_be_a_pdf(client, founder, draft):
    client.force_login(founder)
    response = client.post(
        reverse("application-document-upload", args=[draft.pk]),
        {"title": "Data", "file": SimpleUploadedFile("data.pdf", b"<html>not a pdf</html>")},
    )
    assert response.status_code == 400
    assert "This file is not a PDF" in response.content.decode()
    assert not ApplicationDocument.objects.exists()


def test_a_refused_document_is_explained_at_its_field_and_keeps_the_title(client, founder, draft):
    client.force_login(founder)
    response = client.post(
        reverse("application-document-upload", args=[draft.pk]), {"title": "Letter of intent"}
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "The document was not added: correct the fields marked below." in page
    assert 'value="Letter of intent"' in page
    assert 'id="id_file"' in page
    assert "is-invalid" in page
    assert not ApplicationDocument.objects.exists()


def test_switching_language_on_a_refused_forms_page_returns_to_the_page_of_the_form(client, founder, draft):
    client.force_login(founder)
    detail = reverse("application-detail", args=[draft.pk])
    upload = reverse("application-document-upload", args=[draft.pk])

    page = client.post(upload, {"title": "Letter"}, headers={"referer": f"http://testserver{detail}"})

    # Not the form's own address, which only takes forms (405 when opened).
    assert f'name="next" type="hidden" value="{detail}"' in page.content.decode()
    # A second refusal in a row comes from the form's own address: still the page of the form.
    again = client.post(upload, {"title": "Letter"}, headers={"referer": f"http://testserver{upload}"})
    assert f'name="next" type="hidden" value="{detail}"' in again.content.decode()
    assert f'name="next" type="hidden" value="{detail}"' in client.get(detail).content.decode()


def test_files_are_served_as_attachments_only_to_who_may_see_them(client, founder, startup, manager):
    application = factories.ApplicationFactory(startup=startup, pitch_deck_name="Our deck.pdf")
    reviewer = factories.MentorFactory()
    factories.ReviewAssignmentFactory(application=application, reviewer=reviewer)
    url = reverse("application-deck", args=[application.pk])

    for user in (founder, manager, reviewer):
        client.force_login(user)
        response = client.get(url)
        assert response.status_code == 200
        assert response["Content-Disposition"] == 'attachment; filename="Our deck.pdf"'
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Content-Type"] == "application/pdf"
        assert b"".join(response.streaming_content).startswith(b"%PDF-")

    declined = factories.ReviewAssignmentFactory(application=application, declined_at=timezone.now()).reviewer
    for user in (factories.FounderFactory(), factories.MentorFactory(), declined):
        client.force_login(user)
        assert client.get(url).status_code == 404


def test_withdraw_asks_first_then_takes_the_startup_out(client, founder, startup):
    application = factories.ApplicationFactory(startup=startup, status="submitted")
    client.force_login(founder)

    confirm = client.get(reverse("application-withdraw", args=[application.pk])).content.decode()
    assert "Withdraw the application?" in confirm
    assert "the startup leaves the pipeline" in confirm
    assert Application.objects.get(pk=application.pk).status == "submitted"

    client.post(
        reverse("application-withdraw", args=[application.pk]),
        {"expected_state": "submitted", "reason": "We pivot."},
    )
    assert Application.objects.get(pk=application.pk).status == "withdrawn"
    assert Startup.objects.get(pk=startup.pk).stage == "withdrawn"
    assert TransitionLog.objects.get(machine="application").reason == "We pivot."


def test_withdrawing_a_withdrawn_application_says_so(client, founder, startup):
    application = factories.ApplicationFactory(startup=startup, status="withdrawn")
    client.force_login(founder)
    response = client.post(
        reverse("application-withdraw", args=[application.pk]), {"expected_state": "submitted"}, follow=True
    )
    assert "This application is already withdrawn." in response.content.decode()
    assert not TransitionLog.objects.exists()
    opened = client.get(reverse("application-withdraw", args=[application.pk]), follow=True)
    assert opened.redirect_chain == [(reverse("application-detail", args=[application.pk]), 302)]


def test_decision_is_hidden_until_released_then_shown_with_comments(client, founder, startup, manager):
    from pipeline.services import application_transition

    application = factories.ApplicationFactory(startup=startup, status="in_review")
    for comment, note in (("Great data.", "Conflict rumours."), ("Plan the regulatory work.", "")):
        factories.ReviewFactory(
            assignment__application=application, comment_for_founders=comment, confidential_note=note
        )
    application_transition(application=application, name="accept", actor=manager)
    client.force_login(founder)

    detail = client.get(reverse("application-detail", args=[application.pk])).content.decode()
    assert "Experts are reviewing the application." in detail
    assert "Accepted" not in detail
    assert "Great data." not in detail
    home = client.get(reverse("founder-home")).content.decode()
    assert "Incubation" not in home
    startup_page = client.get(reverse("startup-detail", args=[startup.pk])).content.decode()
    assert "Incubation" not in startup_page
    withdraw = client.post(
        reverse("application-withdraw", args=[application.pk]), {"expected_state": "in_review"}, follow=True
    )
    assert "being finalised" in withdraw.content.decode()

    Application.objects.filter(pk=application.pk).update(decision_released_at=timezone.now())
    detail = client.get(reverse("application-detail", args=[application.pk])).content.decode()
    assert "Accepted: welcome to the incubation programme." in detail
    assert "Great data." in detail
    assert "Plan the regulatory work." in detail
    assert "Conflict rumours." not in detail
    for assignment in application.assignments.all():
        assert assignment.reviewer.full_name not in detail
    assert "Incubation" in client.get(reverse("founder-home")).content.decode()


def test_founder_home_to_do_list(client, founder, startup):
    call = factories.CallFactory(title="Autumn call")
    factories.ApplicationFactory(startup=startup, call=call, pitch_deck=None)
    factories.CallFactory(title="Winter call")
    client.force_login(founder)
    body = client.get(reverse("founder-home")).content.decode()
    assert "Upload the pitch deck for “Autumn call”." in body
    assert "Finish and submit the application to “Autumn call”." in body
    assert "Apply with" in body
    assert "Winter call" in body
    assert "Invite your co-founders" in body


def test_a_startup_that_left_the_pipeline_is_not_asked_to_grow_its_team(client, founder):
    factories.StartupFactory(name="GoneBio", founders=[founder], stage="withdrawn")
    client.force_login(founder)
    assert "Invite your co-founders to GoneBio." not in client.get(reverse("founder-home")).content.decode()


@pytest.mark.parametrize("size", [1, 4])
def test_founder_home_query_count_is_fixed(client, django_assert_num_queries, size, founder):
    for n in range(size):
        startup = factories.StartupFactory(founders=[founder], stage="incubation")
        factories.MilestoneFactory(startup=startup)
        KpiReport.objects.create(startup=startup, period=date(2026, n + 1, 1), team_size=2)
        for _ in range(size):
            application = factories.ApplicationFactory(startup=startup, status="submitted")
            TransitionLog.objects.create(
                machine="application",
                startup=startup,
                application=application,
                transition="submit",
                source="draft",
                target="submitted",
            )
        factories.CallFactory()
    client.force_login(founder)
    with django_assert_num_queries(10):
        client.get(reverse("founder-home"))


@pytest.mark.parametrize("size", [1, 5])
def test_application_page_query_count_is_fixed(client, django_assert_num_queries, size, founder, startup):
    application = factories.ApplicationFactory(startup=startup, status="submitted")
    for n in range(size):
        ApplicationDocument.objects.create(application=application, title=f"Doc {n}", file="x.pdf")
        TransitionLog.objects.create(
            machine="application",
            startup=startup,
            application=application,
            transition="submit",
            source="draft",
            target="submitted",
        )
    client.force_login(founder)
    with django_assert_num_queries(5):
        client.get(reverse("application-detail", args=[application.pk]))


def test_the_timeline_runs_newest_first_down_to_the_draft(client, founder, startup, manager):
    from pipeline.services import application_transition, milestone_transition

    application = factories.ApplicationFactory(startup=startup, status="submitted")
    application_transition(application=application, name="start_review", actor=manager)
    # A milestone's changes belong to the milestone's page, not to the application's.
    milestone = factories.MilestoneFactory(startup=startup)
    milestone_transition(milestone=milestone, name="start", actor=founder)
    client.force_login(founder)

    page = client.get(reverse("application-detail", args=[application.pk])).content.decode()
    timeline = page[
        page.index('<ol class="timeline">') : page.index("</ol>", page.index('<ol class="timeline">'))
    ]

    assert timeline.index("In review") < timeline.index("Draft started")
    assert timeline.rstrip().endswith("</li>")
    assert timeline.count("<li>") == 2
    assert "In progress" not in timeline


def test_founders_are_told_when_the_reviewers_will_not_see_their_names(client, founder, draft):
    client.force_login(founder)
    url = reverse("application-edit", args=[draft.pk])
    notice = "The reviewers of this call do not see the founders' names."
    assert notice not in client.get(url).content.decode().replace("&#x27;", "'")
    draft.call.hide_founder_names = True
    draft.call.save()
    assert notice in client.get(url).content.decode().replace("&#x27;", "'")


def test_a_rejection_points_to_the_reviewers_comments_only_when_there_are_some(client, founder, startup):
    application = factories.ApplicationFactory(
        startup=startup, status="rejected", decision_released_at=timezone.now()
    )
    client.force_login(founder)
    url = reverse("application-detail", args=[application.pk])

    page = client.get(url).content.decode()
    assert "Not accepted this time." in page
    assert "comments below" not in page

    factories.ReviewFactory(
        assignment__application=application, comment_for_founders="Show efficacy in vivo."
    )
    page = client.get(url).content.decode()
    assert "comments below may help" in page
    assert "Show efficacy in vivo." in page
