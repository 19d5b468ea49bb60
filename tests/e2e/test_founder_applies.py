"""A founder's first visit: sign up, confirm the e-mail address, describe the startup, apply to
an open call with a PDF pitch deck and submit."""

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from pipeline.models import Application
from tests import factories
from tests.pdf import make_pdf

from .helpers import success_message

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_founder_signs_up_applies_with_a_pdf_and_submits(page, shot, tmp_path):
    call = factories.CallFactory(title="Neuro Seed 2026")
    factories.CriterionFactory(call=call, name="Science")
    factories.TherapeuticAreaFactory(name="Neurology")
    deck = tmp_path / "neuroregen-deck.pdf"
    deck.write_bytes(make_pdf(pages=3))

    # The call's page sends a visitor without an account to sign up, and back here afterwards.
    page.goto(f"/calls/{call.slug}/")
    expect(page.get_by_role("heading", name="Neuro Seed 2026")).to_be_visible()
    shot(page, "call-as-visitor")
    page.get_by_role("link", name="Create an account").click()
    expect(page).to_have_url(re.compile(r"/accounts/signup/"))
    page.get_by_label("Full name").fill("Nadia Founder")
    page.get_by_label("E-mail address").fill("nadia@neuroregen.example")
    page.get_by_label("Password", exact=True).fill("Synapse-Growth-2026")
    page.get_by_label("Password again").fill("Synapse-Growth-2026")
    shot(page, "signup-filled")
    page.get_by_role("button", name="Create the account").click()
    expect(page).to_have_url(re.compile(r"/accounts/signup/sent/"))
    shot(page, "signup-sent")

    [message] = mail.outbox
    assert message.to == ["nadia@neuroregen.example"]
    link = re.search(r"https?://\S+/accounts/confirm/\S+/", message.body).group(0)
    page.goto(link)
    success_message(page, "Your e-mail address is confirmed")
    shot(page, "confirmed")

    # Back on the call (the link remembered it): no startup yet, so create one first.
    expect(page).to_have_url(re.compile(rf"/calls/{call.slug}/"))
    page.get_by_role("link", name="Create your startup").click()
    page.get_by_label("Name", exact=True).fill("NeuroRegen")
    page.get_by_label("Summary").fill("Regenerating peripheral nerves after injury.")
    page.get_by_label("Field / therapeutic area").select_option(label="Neurology")
    # The phase list offers the phases of the product type chosen.
    offered = "el => [...el.options].filter(o => !o.disabled && o.value).map(o => o.value)"
    page.get_by_label("Product type").select_option(label="Medical device")
    device_phases = page.get_by_label("Development phase").evaluate(offered)
    assert "prototype" in device_phases
    assert "preclinical" not in device_phases
    page.get_by_label("Product type").select_option(label="Drug or biologic")
    drug_phases = page.get_by_label("Development phase").evaluate(offered)
    assert drug_phases[:2] == ["discovery", "preclinical"]
    assert "prototype" not in drug_phases
    page.get_by_label("Development phase").select_option(label="Preclinical")
    page.get_by_label("Technology readiness level").fill("4")
    shot(page, "startup-filled")
    page.get_by_role("button", name="Create the startup").click()
    success_message(page, "NeuroRegen is created")
    shot(page, "startup-created")

    page.goto(f"/calls/{call.slug}/")
    page.get_by_role("button", name="Apply with NeuroRegen").click()
    expect(page.get_by_role("heading", name="Application to Neuro Seed 2026")).to_be_visible()
    answers = {
        "Problem": "Nerve injuries heal slowly and often not at all.",
        "Solution": "A small molecule that speeds up axon regrowth.",
        "Science and IP position": "Two papers in rodents; a patent application filed in 2025.",
        "Regulatory path": "Preclinical toxicology, then a phase I trial.",
        "Market": "Trauma and hand surgery centres.",
        "Team": "A neurobiologist, a chemist and a hand surgeon.",
        "Funding needed (RUB)": "12000000",
        "Use of funds": "GLP toxicology and manufacturing of a clinical batch.",
    }
    for label, answer in answers.items():
        page.get_by_label(label, exact=True).fill(answer)
    page.get_by_label("Pitch deck (PDF, up to 20 MB)").set_input_files(deck)
    shot(page, "application-filled")
    page.get_by_role("button", name="Save and submit").click()

    success_message(page, "The application is submitted.")
    # Said once: the flash confirms, the status box says what comes next.
    expect(page.get_by_text("The cluster managers will assign reviewers")).to_have_count(1)
    expect(page.get_by_role("heading", name="Neuro Seed 2026")).to_contain_text("Submitted")
    expect(page.get_by_role("status")).to_contain_text(
        "Submitted. The cluster managers will assign reviewers."
    )
    expect(page.get_by_role("link", name="Pitch deck")).to_be_visible()
    expect(page.get_by_text("neuroregen-deck.pdf")).to_be_visible()
    shot(page, "submitted")

    application = Application.objects.select_related("startup").get()
    assert application.status == "submitted"
    assert application.startup.name == "NeuroRegen"
    assert application.pitch_deck_name == "neuroregen-deck.pdf"
    assert application.problem == answers["Problem"]
