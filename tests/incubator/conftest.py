from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from incubator.services.portfolio import funding_record_create
from tests import factories


@pytest.fixture
def grant(manager, founder):
    """A grant of 5,000,000 RUB to NeuroRegen (admitted by "Cohort 2026", with ``founder`` on
    its team) in two planned tranches: 2,000,000, then 3,000,000 tied to a milestone."""
    call = factories.CallFactory(title="Cohort 2026")
    startup = factories.StartupFactory(
        name="NeuroRegen",
        stage="incubation",
        founders=[founder],
        admitted_call=call,
        admitted_at=timezone.now() - timedelta(days=60),
    )
    milestone = factories.MilestoneFactory(startup=startup, title="GLP toxicology")
    return funding_record_create(
        startup=startup,
        actor=manager,
        kind="grant",
        date=timezone.localdate() - timedelta(days=30),
        amount=Decimal("5000000"),
        currency="RUB",
        investor_name="Innovation Promotion Fund",
        tranches=[{"amount": Decimal("2000000")}, {"amount": Decimal("3000000"), "milestone": milestone}],
    )
