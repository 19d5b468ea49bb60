"""Path converters of the site's URLs."""

from django.urls import register_converter

BIGGEST_ID = 2**63 - 1  # the largest value of a 64-bit integer column, as ids are


class ObjectIdConverter:
    """An object's id in a URL: digits up to the largest id a database can hold. A longer number
    does not match (404, as for any other id that names nothing) instead of reaching a query the
    database cannot run."""

    regex = "[0-9]{1,19}"

    def to_python(self, value: str) -> int:
        number = int(value)
        if number > BIGGEST_ID:
            raise ValueError(value)
        return number

    def to_url(self, value: int) -> str:
        return str(value)


register_converter(ObjectIdConverter, "id")
