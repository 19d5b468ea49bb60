"""Every page fits a phone's width (390 px) in both languages: wide tables scroll inside their
own box, nothing else makes the page scroll sideways, and the top bar keeps to one row. Walked
with the demo cluster, whose names and numbers are of realistic length."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.urls import reverse
from playwright.sync_api import Page, expect

from incubator.demo import data as demo
from incubator.models import Call, Milestone, Startup, User
from incubator.services.tokens import api_token_create
from pipeline.models import Application, ApplicationDocument, ReviewAssignment

from .helpers import log_in

pytestmark = [pytest.mark.e2e, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

PHONE = 390


def _paths() -> dict[str, list[str]]:
    """The pages each demo person opens, from the demo data as loaded."""
    founder = User.objects.get(email="founder@cluster.demo")
    incubated = User.objects.get(email="incubation@cluster.demo")
    mentor = User.objects.get(email="mentor@cluster.demo")
    api_token_create(user=founder, name="A token for the laboratory information system")
    own = Startup.objects.filter(memberships__user=founder).first()
    incubating = Startup.objects.filter(memberships__user=incubated).first()
    application = Application.objects.filter(startup=own).first()
    # A title typed without spaces wraps instead of widening the page.
    ApplicationDocument.objects.create(application=application, title="Preclinical" * 18, file="x.pdf")
    review = ReviewAssignment.objects.filter(reviewer=mentor).first()
    milestone = Milestone.objects.filter(startup=incubating).first()
    calls = list(Call.objects.order_by("opens_at"))
    manager_pages = [reverse("manager-home"), reverse("manager-board"), reverse("manage-calls")]
    for call in calls:
        manager_pages += [
            reverse("manage-call", args=[call.slug]),
            reverse("manage-ranking", args=[call.slug]),
            reverse("manage-rubric", args=[call.slug]),
        ]
    manager_pages += [
        reverse("portfolio-overview"),
        reverse("startup-detail", args=[incubating.pk]),
        reverse("manage-application", args=[application.pk]),
        reverse("notifications:centre"),
    ]
    return {
        "founder@cluster.demo": [
            reverse("founder-home"),
            reverse("startup-detail", args=[own.pk]),
            reverse("application-detail", args=[application.pk]),
            reverse("application-edit", args=[application.pk]),
            reverse("call-list"),
            reverse("call-detail", args=[calls[-1].slug]),
            reverse("api-tokens"),
            reverse("notifications:preferences"),
            reverse("account"),
            reverse("account-password"),
        ],
        "incubation@cluster.demo": [
            reverse("founder-home"),
            reverse("startup-detail", args=[incubating.pk]),
            reverse("milestone-detail", args=[milestone.pk]),
        ],
        "mentor@cluster.demo": [reverse("mentor-home"), reverse("review-form", args=[review.application_id])],
        "manager@cluster.demo": manager_pages,
    }


@pytest.mark.parametrize("language", ["en", "ru"])
def test_every_page_fits_a_phone(new_page, language: str):
    call_command("load_demo", verbosity=0)
    wide: dict[str, int] = {}
    for email, paths in _paths().items():
        page: Page = new_page()
        log_in(page, email, demo.DEMO_PASSWORD)
        if language == "ru":
            page.locator(".language-choice button[value=ru]").click()
            expect(page.locator("html")).to_have_attribute("lang", "ru")
        page.set_viewport_size({"width": PHONE, "height": 800})
        for path in paths:
            response = page.goto(path)
            assert response.status == 200, (email, path, response.status)
            scrolled = page.evaluate("document.documentElement.scrollWidth")
            if scrolled > PHONE:
                wide[f"{email} {path}"] = scrolled
            # A table's caption stays readable while the table scrolls in its box.
            caption_right = page.evaluate(
                """() => Math.max(0, ...[...document.querySelectorAll(".table-responsive caption")]
                    .filter(caption => !caption.classList.contains("visually-hidden"))
                    .map(caption => caption.getBoundingClientRect().right))"""
            )
            if caption_right > PHONE:
                wide[f"{email} {path} (caption)"] = round(caption_right)
            # The top bar keeps to one row: the brand and the menu button side by side.
            bar = page.locator("nav.navbar").first.bounding_box()
            if bar["height"] > 70:
                wide[f"{email} {path} (top bar)"] = round(bar["height"])

    assert wide == {}
