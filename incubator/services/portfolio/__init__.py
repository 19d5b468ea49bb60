"""Writes of the portfolio: milestones and their evidence, readiness changes, investment-readiness
reviews, monthly reports and the funding ledger. Milestone status changes go through
``pipeline.services.milestone_transition``."""

from .common import (
    REPORTING_STAGES,
    PortfolioError,
    can_see_portfolio,
    can_steer,
)
from .funding import (
    CANCELLATION_REASON_LENGTH,
    VOID_REASON_LENGTH,
    VOIDED_RECORD,
    funding_record_create,
    funding_record_void,
    funding_tranche_cancel,
    funding_tranche_mark_paid,
)
from .milestones import (
    milestone_create,
    milestone_due_problem,
    milestone_evidence_add,
    milestone_evidence_remove,
    milestone_problems,
    milestone_remove,
    milestone_stage_left,
    milestone_update,
)
from .readiness import (
    REJECTION_REASON_MAX,
    investment_review_create,
    readiness_change_confirm,
    readiness_change_record,
    readiness_evidence_attach,
    readiness_proposal_waiting,
    readiness_proposal_withdraw,
)
from .reports import (
    kpi_period_problem,
    kpi_report_submit,
    kpi_report_version,
    kpi_reporting_problem,
    month_start,
)

__all__ = [
    "CANCELLATION_REASON_LENGTH",
    "REJECTION_REASON_MAX",
    "REPORTING_STAGES",
    "VOIDED_RECORD",
    "VOID_REASON_LENGTH",
    "PortfolioError",
    "can_see_portfolio",
    "can_steer",
    "funding_record_create",
    "funding_record_void",
    "funding_tranche_cancel",
    "funding_tranche_mark_paid",
    "investment_review_create",
    "kpi_period_problem",
    "kpi_report_submit",
    "kpi_report_version",
    "kpi_reporting_problem",
    "milestone_create",
    "milestone_due_problem",
    "milestone_evidence_add",
    "milestone_evidence_remove",
    "milestone_problems",
    "milestone_remove",
    "milestone_stage_left",
    "milestone_update",
    "month_start",
    "readiness_change_confirm",
    "readiness_change_record",
    "readiness_evidence_attach",
    "readiness_proposal_waiting",
    "readiness_proposal_withdraw",
]
