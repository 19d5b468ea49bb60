"""The API's request parser: DRF's JSON parser, with nesting bounded.

Python's JSON decoder recurses once per level; a small body of a thousand brackets exhausts the
stack and surfaces as a server error. No request of this API nests more than a few levels, so
bodies deeper than ``MAX_DEPTH`` are refused as a parse error, before anything walks them.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, parsers

MAX_DEPTH = 32


def _depth(value: Any) -> int:
    """How deeply lists and objects nest in ``value``, without recursion."""
    deepest = 0
    stack = [(value, 1)]
    while stack:
        item, level = stack.pop()
        if isinstance(item, dict):
            children = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        deepest = max(deepest, level)
        if deepest > MAX_DEPTH:
            break
        stack.extend((child, level + 1) for child in children)
    return deepest


class JSONParser(parsers.JSONParser):
    def parse(self, stream, media_type=None, parser_context=None) -> Any:
        too_deep = exceptions.ParseError(
            _("The JSON nests more than %(depth)d levels deep.") % {"depth": MAX_DEPTH}
        )
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise too_deep from None
        if _depth(data) > MAX_DEPTH:
            raise too_deep
        return data
