"""Subscriptions to the pipeline's domain events, connected in ``NotificationsConfig.ready``."""

from __future__ import annotations

from pipeline.models import TransitionLog

from .services import notify_transition


def on_transition_recorded(sender, *, log: TransitionLog, **kwargs) -> None:
    # Inside the transition's transaction: the notices commit or roll back with the change, and
    # their send tasks are enqueued only after the commit.
    notify_transition(log=log)
