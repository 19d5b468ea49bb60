"""Reading ids from query strings and forms: anything that is not a plain, reasonably sized
number is no id at all (a 404 or "no filter"), never a server error."""

from __future__ import annotations

# Nine digits stay inside every integer column the database has.
MAX_ID_DIGITS = 9


def id_from(value: object) -> int | None:
    text = value if isinstance(value, str) else ""
    if text.isascii() and text.isdigit() and len(text) <= MAX_ID_DIGITS:
        return int(text)
    return None
