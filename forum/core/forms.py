"""Small field filters, coercions and fields every domain's forms share."""

from wtforms import IntegerField

from forum.core.params import MAX_INT, MIN_INT, coerce_int, parse_int


def int_or_none(value):
    """Coerce a select's value to an id, or None for the empty choice (ASCII digits only)."""
    return coerce_int(value) if value not in (None, "", "None") else None


def strip(value):
    """A field filter: surrounding whitespace off strings."""
    return value.strip() if isinstance(value, str) else value


class BoundedIntegerField(IntegerField):
    """An integer field that reads ASCII digits only (``parse_int``) and refuses what a 32-bit
    integer column cannot hold, so a crafted value is a form error, never a database error."""

    def __init__(self, label=None, validators=None, *, min=MIN_INT, max=MAX_INT, **kwargs):
        super().__init__(label, validators, **kwargs)
        self.min, self.max = min, max

    def process_formdata(self, valuelist):
        if not valuelist:
            return
        self.data = None
        try:
            value = parse_int(valuelist[0])
        except ValueError as exc:
            raise ValueError(self.gettext("Enter a whole number.")) from exc
        if value > self.max:
            raise ValueError(self.gettext("That number is too large."))
        if value < self.min:
            raise ValueError(self.gettext("That number is too small."))
        self.data = value
