"""Both stage machines as Graphviz or Mermaid text, read from the django-fsm declarations so the
diagram cannot drift from the code."""

from __future__ import annotations

from django.db import models

from incubator.models import Startup

from .models import Application

MACHINES: dict[str, tuple[type[models.Model], str]] = {
    "startup_stage": (Startup, "stage"),
    "application_status": (Application, "status"),
}


def edges(model: type[models.Model], field_name: str) -> list[tuple[str, str, str]]:
    """(source, target, transition name) for every declared transition, in a stable order."""
    field = model._meta.get_field(field_name)
    found = {(t.source, t.target, t.name) for t in field.get_all_transitions(model)}
    order = [value for value, _ in field.choices]
    return sorted(found, key=lambda e: (order.index(e[0]), order.index(e[1]), e[2]))


def to_dot(name: str) -> str:
    model, field_name = MACHINES[name]
    field = model._meta.get_field(field_name)
    lines = [
        f"digraph {name} {{",
        "  rankdir=LR;",
        '  node [shape=box, style=rounded, fontname="sans-serif"];',
    ]
    for value, label in field.choices:
        lines.append(f'  {value} [label="{label}"];')
    for source, target, transition in edges(model, field_name):
        lines.append(f'  {source} -> {target} [label="{transition}"];')
    lines.append("}")
    return "\n".join(lines) + "\n"


def to_mermaid(name: str) -> str:
    model, field_name = MACHINES[name]
    field = model._meta.get_field(field_name)
    lines = ["stateDiagram-v2", f"    [*] --> {field.default}"]
    for source, target, transition in edges(model, field_name):
        lines.append(f"    {source} --> {target}: {transition}")
    return "\n".join(lines) + "\n"
