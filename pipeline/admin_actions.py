"""Admin actions that fire transitions through the transition services, never by editing a field.

Each action first shows a confirmation page where the manager writes a reason (and, for stage
gates, may override with that reason); the service then runs once per selected object and every
refusal is reported with its guard's message.
"""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _

from .exceptions import TransitionError


def transition_action(
    *, name: str, label: str, run: Callable[..., object], state_field: str, overridable: bool = False
) -> Callable:
    def action(modeladmin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet):
        if request.POST.get("confirm") != "yes":
            return TemplateResponse(
                request,
                "admin/pipeline/transition_confirm.html",
                {
                    **modeladmin.admin_site.each_context(request),
                    "title": label,
                    "objects": queryset,
                    "action_name": action.__name__,
                    "overridable": overridable,
                    "opts": modeladmin.model._meta,
                    "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
                },
            )
        reason = request.POST.get("reason", "")[:2000]
        override = overridable and request.POST.get("override") == "on"
        done = 0
        for obj in queryset:
            try:
                run(
                    obj=obj,
                    actor=request.user,
                    reason=reason,
                    override=override,
                    expected=getattr(obj, state_field),
                )
            except TransitionError as error:
                modeladmin.message_user(request, f"{obj}: {error.message}", messages.ERROR)
            else:
                done += 1
        if done:
            modeladmin.message_user(
                request,
                _("%(label)s: done for %(count)d.") % {"label": label, "count": done},
                messages.SUCCESS,
            )
        return None

    action.__name__ = f"transition_{name}"
    action.short_description = label
    return action


def _actions_for(model, state_field: str, run_service: Callable[..., object]) -> list[Callable]:
    field = model._meta.get_field(state_field)
    actions, seen = [], set()
    for transition in field.get_all_transitions(model):
        if transition.name in seen:
            continue
        seen.add(transition.name)
        overridable = any(getattr(c, "overridable", False) for c in transition.conditions)

        def run(*, obj, actor, reason, override, expected, _name=transition.name):
            return run_service(
                obj=obj, name=_name, actor=actor, reason=reason, override=override, expected=expected
            )

        actions.append(
            transition_action(
                name=transition.name,
                label=str(transition.custom.get("label", transition.name)),
                run=run,
                state_field=state_field,
                overridable=overridable,
            )
        )
    return actions


def startup_actions() -> list[Callable]:
    from incubator.models import Startup

    from .services import startup_transition

    def run(*, obj, name, actor, reason, override, expected):
        return startup_transition(
            startup=obj, name=name, actor=actor, reason=reason, override=override, expected_stage=expected
        )

    return _actions_for(Startup, "stage", run)


def application_actions() -> list[Callable]:
    from .models import Application
    from .services import application_transition

    def run(*, obj, name, actor, reason, override, expected):
        return application_transition(
            application=obj,
            name=name,
            actor=actor,
            reason=reason,
            override=override,
            expected_status=expected,
        )

    return _actions_for(Application, "status", run)


def milestone_actions() -> list[Callable]:
    from incubator.models import Milestone

    from .services import milestone_transition

    def run(*, obj, name, actor, reason, override, expected):
        return milestone_transition(
            milestone=obj, name=name, actor=actor, reason=reason, expected_status=expected
        )

    return _actions_for(Milestone, "status", run)
