"""The portfolio under ``/api/v1/``: milestones with their evidence and transitions, readiness
changes, investment-readiness reviews, monthly reports, the funding ledger and the cluster's
funding totals. The rules are the portfolio pages': a startup's team, its mentors and managers see
its portfolio; managers and its mentors steer; its team submits evidence and reports; anyone
else's objects answer 404. Every write calls the same service as its page."""
