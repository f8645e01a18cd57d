"""Small field filters and coercions every domain's forms share."""


def int_or_none(value):
    """Coerce a select's value to an id, or None for the empty choice."""
    return int(value) if value not in (None, "", "None") else None


def strip(value):
    """A field filter: surrounding whitespace off strings."""
    return value.strip() if isinstance(value, str) else value
