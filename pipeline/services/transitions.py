"""The transition services: the only code that changes a startup's stage or an application's status.

Each service call:
1. opens a database transaction and locks the rows involved (``SELECT ... FOR UPDATE``; the call
   row first for applications, so two managers accepting into the same call cannot both take its
   last place);
2. re-reads the state and, if the caller says which state it saw, refuses with a conflict when
   somebody else moved the object meanwhile;
3. checks that the transition leaves from this state, that the actor may fire it, and every guard,
   collecting the guards' explanations;
4. fires the django-fsm transition and saves (``ConcurrentTransitionMixin`` makes the UPDATE
   conditional on the old state, which also protects SQLite, where rows cannot be locked);
5. writes the audit record and sends ``transition_recorded`` inside the transaction, then
   ``transition_committed`` after commit.

Anything that fails rolls everything back: state, audit record and outbox rows.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from django.db import models, transaction
from django.utils.translation import gettext
from django_fsm import ConcurrentTransition

from incubator.models import Call, Milestone, Startup, TeamMembership, User

from .. import events
from ..exceptions import GuardFailed, TransitionConflict, TransitionForbidden, TransitionNotAvailable
from ..guards import Guard, TransitionContext, failed_guards, is_manager
from ..machines import LIVE_APPLICATION_STATUSES, Stage
from ..models import Application, ApplicationStatus, TransitionLog

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class TransitionOption:
    """A transition as offered to a person: what it is called and what stands in its way."""

    name: str
    label: str
    target: str
    needs_reason: bool = False
    overridable: bool = False
    blocked_by: list[str] = field(default_factory=list)
    # The target has no way out: pages ask before firing it.
    final: bool = False

    @property
    def is_blocked(self) -> bool:
        return bool(self.blocked_by)


def _state_field(instance: models.Model) -> str:
    return "stage" if isinstance(instance, Startup) else "status"


def _transition_meta(instance: models.Model, name: str):
    method = getattr(type(instance), name, None)
    meta = getattr(method, "_django_fsm", None)
    if meta is None or getattr(meta.field, "name", meta.field) != _state_field(instance):
        raise TransitionNotAvailable(
            gettext("“%(name)s” is not a known transition.") % {"name": name}, code="unknown"
        )
    return meta


def _state_label(instance: models.Model, state: str) -> str:
    field_ = instance._meta.get_field(_state_field(instance))
    return str(dict(field_.choices).get(state, state))


def _object_label(instance: models.Model) -> str:
    if isinstance(instance, Startup):
        return instance.name
    if isinstance(instance, Milestone):
        return gettext("The milestone “%(title)s”") % {"title": instance.title}
    return str(instance)


def _machine(instance: models.Model) -> str:
    if isinstance(instance, Startup):
        return TransitionLog.Machine.STARTUP
    if isinstance(instance, Milestone):
        return TransitionLog.Machine.MILESTONE
    return TransitionLog.Machine.APPLICATION


def _all_transition_names(model: type[models.Model]) -> list[str]:
    field_ = model._meta.get_field("stage" if model is Startup else "status")
    seen: list[str] = []
    for transition_ in field_.get_all_transitions(model):
        if transition_.name not in seen:
            seen.append(transition_.name)
    return seen


def is_final(model: type[models.Model], state: str) -> bool:
    """Whether no transition of ``model``'s machine leaves ``state`` (pages ask before entering
    such a state)."""
    return not any(
        getattr(model, name)._django_fsm.has_transition(state) for name in _all_transition_names(model)
    )


def _fire(
    *,
    instance: models.Model,
    name: str,
    context: TransitionContext,
    expected_state: str | None,
    caused_by: TransitionLog | None = None,
) -> TransitionLog:
    state_field = _state_field(instance)
    current = getattr(instance, state_field)
    entered = getattr(instance, "stage_entered_at", None)
    if expected_state is not None and current != expected_state:
        raise TransitionConflict(
            gettext(
                "%(object)s was changed by someone else meanwhile: it is now “%(state)s”, not "
                "“%(expected)s”. Nothing was changed; look at its current state and try again."
            )
            % {
                "object": _object_label(instance),
                "state": _state_label(instance, current),
                "expected": _state_label(instance, expected_state),
            },
            code="conflict",
        )
    meta = _transition_meta(instance, name)
    if not meta.has_transition(current):
        raise TransitionNotAvailable(
            gettext("%(object)s is “%(state)s”; “%(transition)s” is not possible from there.")
            % {
                "object": _object_label(instance),
                "state": _state_label(instance, current),
                "transition": _transition_label(meta, current, name),
            },
            code="not_available",
        )
    transition_ = meta.get_transition(current)
    actor = context.actor
    if actor is None or not transition_.has_perm(instance, actor):
        raise TransitionForbidden(
            gettext("You may not “%(transition)s” %(object)s.")
            % {"transition": _transition_label(meta, current, name), "object": _object_label(instance)},
            code="forbidden",
        )
    if context.override:
        if not is_manager(instance, actor):
            raise TransitionForbidden(
                gettext("Only a cluster manager may override a stage gate."), code="forbidden"
            )
        if not context.reason.strip():
            raise GuardFailed([gettext("An override needs a written reason.")], ["override_reason"])

    overridden = [
        guard
        for guard in transition_.conditions
        if isinstance(guard, Guard) and guard.overridable and context.override and not guard.check(instance)
    ]
    instance._transition_context = context
    try:
        failed = failed_guards(instance, transition_.conditions)
        if failed:
            raise GuardFailed([guard.explain(instance) for guard in failed], [guard.code for guard in failed])
        getattr(instance, name)()
        try:
            instance.save()
        except ConcurrentTransition as exc:
            raise TransitionConflict(
                gettext(
                    "%(object)s was changed by someone else meanwhile. Nothing was changed; look at "
                    "its current state and try again."
                )
                % {"object": _object_label(instance)},
                code="conflict",
            ) from exc
    finally:
        del instance._transition_context

    startup_id = instance.pk if isinstance(instance, Startup) else instance.startup_id
    log = TransitionLog.objects.create(
        machine=_machine(instance),
        startup_id=startup_id,
        application=instance if isinstance(instance, Application) else None,
        milestone=instance if isinstance(instance, Milestone) else None,
        source_entered_at=entered,
        transition=name,
        source=current,
        target=getattr(instance, state_field),
        actor=actor,
        reason=context.reason.strip(),
        by_team=TeamMembership.objects.filter(startup_id=startup_id, user_id=actor.pk).exists(),
        is_override=bool(overridden),
        caused_by=caused_by,
    )
    events.transition_recorded.send(sender=TransitionLog, log=log)
    transaction.on_commit(partial(_publish_committed, log.pk))
    return log


def _publish_committed(log_id: int) -> None:
    log = TransitionLog.objects.select_related("startup", "application", "actor").get(pk=log_id)
    for receiver, response in events.transition_committed.send_robust(sender=TransitionLog, log=log):
        if isinstance(response, Exception):
            logger.error("transition_committed receiver %r failed", receiver, exc_info=response)


def _transition_label(meta, state: str, name: str) -> str:
    transition_ = meta.get_transition(state) or next(iter(meta.transitions.values()))
    return str(transition_.custom.get("label", name))


def startup_transition(
    *,
    startup: Startup | int,
    name: str,
    actor: User,
    reason: str = "",
    override: bool = False,
    expected_stage: str | None = None,
    caused_by: TransitionLog | None = None,
) -> Startup:
    """Fire the startup stage transition ``name`` (``accelerate``, ``fund``, ``exit``, ...).

    Raises a ``TransitionError`` subclass, with a message for the actor, when refused.
    ``caused_by`` links a change that follows from an application's transition to its record.
    """
    startup_id = startup.pk if isinstance(startup, Startup) else startup
    with transaction.atomic():
        locked = Startup.objects.select_for_update().get(pk=startup_id)
        _fire(
            instance=locked,
            name=name,
            context=TransitionContext(actor=actor, reason=reason, override=override),
            expected_state=expected_stage,
            caused_by=caused_by,
        )
    return locked


def milestone_transition(
    *,
    milestone: Milestone | int,
    name: str,
    actor: User,
    reason: str = "",
    expected_status: str | None = None,
) -> Milestone:
    """Fire the milestone transition ``name`` (``start``, ``submit``, ``accept``, ``send_back``,
    ``miss``, ``reopen``); ``reason`` is the comment sent back to the founders."""
    milestone_id = milestone.pk if isinstance(milestone, Milestone) else milestone
    with transaction.atomic():
        locked = (
            Milestone.objects.select_for_update(of=("self",)).select_related("startup").get(pk=milestone_id)
        )
        _fire(
            instance=locked,
            name=name,
            context=TransitionContext(actor=actor, reason=reason),
            expected_state=expected_status,
        )
    return locked


def application_transition(
    *,
    application: Application | int,
    name: str,
    actor: User,
    reason: str = "",
    override: bool = False,
    expected_status: str | None = None,
) -> Application:
    """Fire the application status transition ``name`` (``submit``, ``accept``, ``withdraw``, ...)
    and, in the same database transaction, the startup stage change that follows from it:
    accepting admits the startup to incubation; rejecting or withdrawing its last live application
    takes it out of the pipeline; submitting brings a rejected or withdrawn startup back.
    """
    application_id = application.pk if isinstance(application, Application) else application
    with transaction.atomic():
        call_id = Application.objects.values_list("call_id", flat=True).get(pk=application_id)
        Call.objects.select_for_update().filter(pk=call_id).first()
        locked = (
            Application.objects.select_for_update(of=("self",))
            .select_related("call", "startup")
            .get(pk=application_id)
        )
        context = TransitionContext(actor=actor, reason=reason, override=override)
        log = _fire(instance=locked, name=name, context=context, expected_state=expected_status)
        follow_up = _STARTUP_FOLLOW_UPS.get(name)
        if follow_up is not None:
            follow_up(application=locked, actor=actor, reason=reason, log=log)
    return locked


def _follow_accept(*, application: Application, actor: User, reason: str, log: TransitionLog) -> None:
    startup = startup_transition(
        startup=application.startup_id,
        name="admit",
        actor=actor,
        # The manager's own reason if they gave one; otherwise none is stored, and the pages say
        # "admitted on the acceptance" in the reader's language (the accept sits next to it).
        reason=reason,
        caused_by=log,
    )
    application.startup = startup


def _leave_if_last(transition_name: str):
    def follow(*, application: Application, actor: User, reason: str, log: TransitionLog) -> None:
        startup = Startup.objects.select_for_update().get(pk=application.startup_id)
        still_live = startup.applications.filter(status__in=LIVE_APPLICATION_STATUSES).exists()
        if startup.stage == Stage.APPLICATION and not still_live:
            application.startup = startup_transition(
                startup=startup.pk, name=transition_name, actor=actor, reason=reason, caused_by=log
            )

    return follow


def _follow_submit(*, application: Application, actor: User, reason: str, log: TransitionLog) -> None:
    startup = Startup.objects.select_for_update().get(pk=application.startup_id)
    if startup.stage in (Stage.REJECTED, Stage.WITHDRAWN):
        application.startup = startup_transition(
            startup=startup.pk,
            name="reapply",
            actor=actor,
            reason=reason,  # as for the admission: none stored in the applicant's language
            caused_by=log,
        )


_STARTUP_FOLLOW_UPS = {
    "accept": _follow_accept,
    "reject": _leave_if_last("reject"),
    "withdraw": _leave_if_last("withdraw"),
    "submit": _follow_submit,
}


def permitted_transitions(instance: Startup | Application, user: Any) -> list[TransitionOption]:
    """Transitions that leave from the current state and that ``user`` may fire, without
    evaluating guards (no queries beyond the team, which selectors prefetch). Transitions that
    only ever follow from another one (admitting on acceptance, ...) are left out."""
    state = getattr(instance, _state_field(instance))
    options = []
    for name in _all_transition_names(type(instance)):
        meta = getattr(type(instance), name)._django_fsm
        transition_ = meta.get_transition(state) if meta.has_transition(state) else None
        if transition_ is None or transition_.custom.get("auto"):
            continue
        if user is None or not user.is_authenticated or not transition_.has_perm(instance, user):
            continue
        options.append(
            TransitionOption(
                name=name,
                label=str(transition_.custom.get("label", name)),
                target=transition_.target,
                needs_reason=bool(transition_.custom.get("needs_reason")),
                overridable=any(isinstance(g, Guard) and g.overridable for g in transition_.conditions),
                final=is_final(type(instance), transition_.target),
            )
        )
    return options


def transition_options(instance: Startup | Application, user: Any) -> list[TransitionOption]:
    """Like ``permitted_transitions``, with each guard evaluated so a page can say up front what
    stands in the way. For one object at a time (detail pages)."""
    options = []
    for option in permitted_transitions(instance, user):
        meta = getattr(type(instance), option.name)._django_fsm
        transition_ = meta.get_transition(getattr(instance, _state_field(instance)))
        instance._transition_context = TransitionContext(actor=user, reason="", override=False)
        try:
            # A missing reason is not an obstacle before the person had a chance to write one.
            blocked = [
                guard.explain(instance)
                for guard in failed_guards(instance, transition_.conditions)
                if guard.code != "reason_given"
            ]
        finally:
            del instance._transition_context
        options.append(
            TransitionOption(
                name=option.name,
                label=option.label,
                target=option.target,
                needs_reason=option.needs_reason,
                overridable=option.overridable,
                blocked_by=blocked,
                final=option.final,
            )
        )
    return options


__all__ = [
    "ApplicationStatus",
    "TransitionOption",
    "application_transition",
    "is_final",
    "milestone_transition",
    "permitted_transitions",
    "startup_transition",
    "transition_options",
]
