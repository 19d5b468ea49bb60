"""E-mails: three templates per kind, absolute links to the page concerned, and a signed one-click
unsubscribe link and header for optional kinds only."""

import pytest
from django.utils import translation

from notifications.kinds import SPECS
from notifications.rendering import render_email, render_title
from notifications.tokens import unsubscribe_token_read
from tests import factories

pytestmark = pytest.mark.django_db

CONTEXT = {
    "startup": "CardioGene <Lab>",
    "call": "Cohort 2026",
    "source": "incubation",
    "target": "acceleration",
    "source_label": "Incubation",
    "target_label": "Acceleration",
    "status": "accepted",
    "status_label": "Accepted",
    "reviewer": "Mikhail Mentor",
    "due_at": "2026-03-05T09:00:00+03:00",
    "closes_at": "2026-03-05T18:00:00+03:00",
    "stage": "incubation",
    "stage_label": "Incubation",
    "stage_entered_at": "2025-10-01T12:00:00+03:00",
    "limit_days": 120,
    "days": 3,
    "week": "2026-W10",
    "stage_counts": [{"stage": "Incubation", "count": 4}],
    "open_calls": 1,
    "submitted_this_week": 2,
    "stage_changes_this_week": 3,
    "overdue_reviews": 1,
    "stalled_startups": 2,
    "mentor": "Mikhail Mentor",
    "organisation": "MIPT",
    "member": "Ivan Cofounder",
    "submitted": 12,
    "without_reviewers": 5,
    "drafts": 2,
    "milestone": "GLP toxicology",
    "verdict": "not_ready",
    "funding_kind": "grant",
    "currency": "RUB",
    "amount": "5000000.00",
    "date_on": "2026-10-01",
    "summary": "The data room is not ready.",
    "tranches": [{"amount": "1000000.00", "currency": "RUB"}, {"amount": "40000.50", "currency": "USD"}],
    "path": "/startups/7/",
}


@pytest.mark.parametrize("kind", sorted(SPECS))
def test_every_kind_renders_subject_text_and_html(kind, settings):
    settings.SITE_URL = "https://pipeline.example.org"
    recipient = factories.UserFactory(full_name="Fyodor Founder")

    email = render_email(kind=kind, context=CONTEXT, recipient=recipient)

    assert email.subject
    assert "\n" not in email.subject
    assert "Hello Fyodor," in email.text
    assert "https://pipeline.example.org/startups/7/" in email.text
    assert 'href="https://pipeline.example.org/startups/7/"' in email.html
    assert "<html" in email.html
    # The text part is not HTML-escaped; the HTML part is.
    assert "&lt;" not in email.text
    assert "<Lab>" not in email.html
    assert render_title(kind=kind, context=CONTEXT) == email.subject


def test_optional_kinds_carry_a_signed_unsubscribe_link_and_header(settings):
    settings.SITE_URL = "https://pipeline.example.org"
    recipient = factories.UserFactory()

    email = render_email(kind="stage_changed", context=CONTEXT, recipient=recipient)

    header = email.headers["List-Unsubscribe"]
    assert header.startswith("<https://pipeline.example.org/notifications/unsubscribe/")
    url = header[1:-1]
    assert url in email.text
    assert url in email.html
    assert email.headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    token = url.rstrip("/").rsplit("/", 1)[1]
    request = unsubscribe_token_read(token)
    assert (request.user_id, request.kind) == (recipient.pk, "stage_changed")


def test_mandatory_kinds_have_no_unsubscribe_link():
    email = render_email(kind="decision_released", context=CONTEXT, recipient=factories.UserFactory())

    assert "List-Unsubscribe" not in email.headers
    assert "unsubscribe" not in email.text.lower()
    assert "/notifications/preferences/" in email.text


def test_email_is_written_in_the_recipients_language(monkeypatch):
    recipient = factories.UserFactory(language="ru")
    seen = set()

    def spy(*args, **kwargs):
        seen.add(translation.get_language())
        return "x"

    monkeypatch.setattr("notifications.rendering.render_to_string", spy)
    render_email(kind="stage_changed", context=CONTEXT, recipient=recipient)

    assert seen == {"ru"}
    assert translation.get_language() != "ru"


@pytest.mark.parametrize(
    ("kind", "source", "target", "language", "words"),
    [
        ("stage_changed", "incubation", "acceleration", "en", "stage changed to Acceleration"),
        ("stage_changed", "incubation", "acceleration", "ru", "Акселерация"),
        ("application_status", "in_review", "accepted", "en", "Accepted"),
        ("decision_released", "in_review", "accepted", "ru", "Принята"),  # agrees with заявка
    ],
)
def test_stage_and_status_names_are_in_the_readers_language_whoever_made_the_change(
    kind, source, target, language, words
):
    # The labels stored with the notice are in the language of whoever made the change.
    stored = {**CONTEXT, "source": source, "target": target, "status": target}
    stored.update(
        source_label="(other language)", target_label="(other language)", status_label="(other language)"
    )
    recipient = factories.UserFactory(language=language)

    email = render_email(kind=kind, context=stored, recipient=recipient)

    assert words in email.subject + email.text
    assert "(other language)" not in email.subject + email.text


@pytest.mark.parametrize("kind", ["review_assigned", "review_due_soon", "review_overdue", "draft_closing"])
def test_deadlines_in_emails_name_the_time_zone(kind):
    recipient = factories.UserFactory()
    # 06:00 UTC is 09:00 in Moscow, the site's zone.
    context = {**CONTEXT, "due_at": "2026-03-05T06:00:00+00:00", "closes_at": "2026-03-05T06:00:00+00:00"}

    email = render_email(kind=kind, context=context, recipient=recipient)

    assert "5 March 2026, 09:00 (Moscow time)" in email.text
    assert "5 March 2026, 09:00 (Moscow time)" in email.html
    assert '<html lang="en">' in email.html
    russian = render_email(kind=kind, context=context, recipient=factories.UserFactory(language="ru"))
    assert "(по московскому времени)" in russian.text
    assert '<html lang="ru">' in russian.html  # so a reader's screen reader speaks it in Russian


@pytest.mark.parametrize(
    ("change", "said"),
    [
        (
            {"trl_from": 4, "trl_to": 5, "phase_from": "preclinical", "phase_to": "preclinical"},
            "TRL 4 → 5, Preclinical.",
        ),
        (
            {"trl_from": 5, "trl_to": 5, "phase_from": "preclinical", "phase_to": "clinical_1"},
            "TRL 5, Preclinical → Clinical phase I.",
        ),
        (
            {"trl_from": 4, "trl_to": 5, "phase_from": "preclinical", "phase_to": "clinical_1"},
            "TRL 4 → 5, Preclinical → Clinical phase I.",
        ),
    ],
)
def test_a_readiness_proposal_names_only_what_changes(change, said):
    email = render_email(
        kind="readiness_proposed", context={**CONTEXT, **change}, recipient=factories.UserFactory()
    )
    assert f"CardioGene <Lab> reports a new readiness: {said}" in email.text
