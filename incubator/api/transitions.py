"""Transitions as API actions: ``POST /<resource>/{id}/transitions/{name}/``.

Every state machine of the project (startup stage, application status, milestone status) is
exposed the same way: the object's representation lists the transitions the user may fire, and
one action fires one of them through the machine's transition service. Answers:

* 404 when the object is not one the user may see, or ``name`` is not a transition of its machine
  that people fire (those that only follow from another one, such as admission, are not);
* 403 when the user may never fire it, whatever the state;
* 400 for an invalid body;
* 409 when the state does not allow it, a guard refuses (``details.messages`` has every
  explanation), or a concurrent change won;
* 200 with the object as it is now.
"""

from __future__ import annotations

from functools import cache
from typing import Any, ClassVar

from django.db import models
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField
from drf_spectacular.utils import OpenApiParameter
from rest_framework import serializers
from rest_framework.exceptions import NotFound
from rest_framework.generics import GenericAPIView
from rest_framework.request import Request
from rest_framework.response import Response

from pipeline.exceptions import TransitionError
from pipeline.services import TransitionOption

from .errors import Forbidden, transition_refused
from .serializers import InputSerializer, StrictBooleanField, StrictChoiceField, TextBoxField


class TransitionOptionSerializer(serializers.Serializer):
    """A transition the user may fire from the object's current state."""

    name = serializers.CharField(help_text=_("The name to post to …/transitions/{name}/."))
    label = serializers.CharField()
    target = serializers.CharField(help_text=_("The state the object moves to."))
    needs_reason = serializers.BooleanField()
    overridable = serializers.BooleanField(help_text=_("A manager may override its gate with a reason."))


class TransitionOptionDetailSerializer(TransitionOptionSerializer):
    blocked_by = serializers.ListField(
        child=serializers.CharField(),
        help_text=_("What stands in the way now (the guards' explanations); empty when nothing does."),
    )


def options_data(options: list[TransitionOption]) -> list[dict[str, Any]]:
    return [
        {
            "name": option.name,
            "label": option.label,
            "target": str(option.target),
            "needs_reason": option.needs_reason,
            "overridable": option.overridable,
            "blocked_by": list(option.blocked_by),
        }
        for option in options
    ]


def state_field(model: type[models.Model]) -> FSMField:
    """The machine's protected state field (each model has one)."""
    return next(field for field in model._meta.concrete_fields if isinstance(field, FSMField))


def firable_transition_names(model: type[models.Model]) -> list[str]:
    """The transitions of ``model``'s machine that people fire (not the automatic ones)."""
    names: list[str] = []
    for transition in state_field(model).get_all_transitions(model):
        if transition.custom.get("auto") or transition.name in names:
            continue
        names.append(transition.name)
    return names


def may_ever_fire(instance: models.Model, name: str, user: Any) -> bool:
    """Whether ``user`` may fire ``name`` from some state (the state itself is the service's
    business); a 403 must not depend on where the object happens to be."""
    meta = getattr(type(instance), name)._django_fsm
    return any(transition.has_perm(instance, user) for transition in meta.transitions.values())


class TransitionInputSerializer(InputSerializer):
    reason = TextBoxField(
        required=False,
        allow_blank=True,
        max_length=2000,
        default="",
        help_text=_("Why; required by some transitions and by every override."),
    )
    override = StrictBooleanField(
        required=False,
        default=False,
        help_text=_("Managers only: pass an overridable gate, with a written reason."),
    )


@cache
def transition_input_serializer(model: type[models.Model]) -> type[TransitionInputSerializer]:
    """The body of ``model``'s transition action: reason, override and the state the client saw."""
    expected_state = StrictChoiceField(
        choices=state_field(model).choices,
        required=False,
        help_text=_(
            "The state the client saw. When the object has moved on meanwhile, nothing happens and "
            "the answer is 409."
        ),
    )
    name = f"{model.__name__}TransitionInputSerializer"
    return type(
        name, (TransitionInputSerializer,), {"expected_state": expected_state, "__module__": __name__}
    )


def transition_name_parameter(model: type[models.Model]) -> OpenApiParameter:
    return OpenApiParameter(
        "name",
        str,
        OpenApiParameter.PATH,
        enum=firable_transition_names(model),
        description=str(_("The transition to fire.")),
    )


class TransitionActionView(GenericAPIView):
    """Base of each machine's transition action; subclasses say how to find the object, how to
    fire, and how to answer."""

    model: ClassVar[type[models.Model]]
    input_serializer_class: ClassVar[type[TransitionInputSerializer]]

    def visible_object(self, pk: int) -> models.Model:
        """The object, if the user may see it; raises 404 otherwise."""
        raise NotImplementedError

    def refuse(self, instance: models.Model, name: str) -> None:
        """Raise an API error for rules of the pages beyond the machine's (a hook)."""

    def fire(self, *, instance: models.Model, name: str, data: dict[str, Any]) -> None:
        raise NotImplementedError

    def respond(self, instance: models.Model) -> Response:
        raise NotImplementedError

    def post(self, request: Request, pk: int, name: str) -> Response:
        if name not in firable_transition_names(self.model):
            raise NotFound(
                _("“%(name)s” is not a transition that can be fired here.") % {"name": name},
                code="unknown_transition",
            )
        instance = self.visible_object(pk)
        if not may_ever_fire(instance, name, request.user):
            raise Forbidden(
                _("You may not fire “%(name)s” on this object.") % {"name": name},
                code="transition_forbidden",
            )
        serializer = self.input_serializer_class(data=request.data)
        serializer.is_valid(raise_exception=True)
        self.refuse(instance, name)
        try:
            self.fire(instance=instance, name=name, data=serializer.validated_data)
        except TransitionError as error:
            raise transition_refused(error) from error
        return self.respond(instance)
