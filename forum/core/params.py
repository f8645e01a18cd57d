"""One way to read whole numbers and choices from a query string or a form.

Ids, versions and page numbers arrive as text. ``parse_int`` takes ASCII digits only:
``str.isdigit()`` lets ``"²"`` through, which ``int()`` then refuses, and ``int()`` reads
``"٣"`` as 3. The other helpers also keep the value within a 32-bit integer column, the type
of every id and counter here. A value that cannot be used raises ``BadFilter``, a 400 whose
description says what is wrong; the app's error handlers render it.
"""

import re

from flask import abort, request
from werkzeug.exceptions import BadRequest

MAX_INT = 2**31 - 1
MIN_INT = -(2**31)
MAX_PAGE = 100_000
MAX_IDS = 500  # ids in one list parameter: more than any page offers to tick

# ASCII only (re's \d would match other scripts' digits); 20 digits keep int() cheap.
_INT = re.compile(r"-?[0-9]{1,20}")


class BadFilter(BadRequest):
    """A value in the query string or a form that cannot be used: 400 with a readable reason.

    ``status`` 404 is for a well-formed id that names nothing of the right kind.
    """

    def __init__(self, message: str, status: int = 400):
        super().__init__(description=message)
        self.code = status

    @property
    def message(self) -> str:
        return self.description

    @property
    def status(self) -> int:
        return self.code


def parse_int(raw) -> int:
    """ASCII digits with an optional leading minus, as an int; ValueError for anything else
    (spaces, ``+``, ``_``, ``1e3``, other scripts' digits, non-strings)."""
    if not isinstance(raw, str) or not _INT.fullmatch(raw):
        raise ValueError("not a whole number")
    return int(raw)


def to_int(raw, *, min: int = 0, max: int = MAX_INT) -> int:
    """``parse_int`` within ``[min, max]``; ValueError outside, so it works as ``type=``."""
    value = parse_int(raw)
    if not min <= value <= max:
        raise ValueError("out of range")
    return value


def to_id(raw) -> int:
    """A row id, 1 to ``MAX_INT``. As ``request.args.get(name, type=to_id)`` it makes a value
    that is no id count as absent (for filters that ignore what they cannot use)."""
    return to_int(raw, min=1)


def coerce_int(value) -> int:
    """A select box's ``coerce``: ints (its choices) pass, text goes through ``to_int``."""
    if isinstance(value, int) and not isinstance(value, bool) and MIN_INT <= value <= MAX_INT:
        return value
    return to_int(value, min=MIN_INT)


def get_int(
    args,
    name: str,
    *,
    default: int | None = None,
    min: int = 0,
    max: int = MAX_INT,
    message: str = "",
) -> int | None:
    """The whole number ``name`` in ``args`` (the first, if repeated): ``default`` when absent
    or empty, ``BadFilter`` when it is not ASCII digits within ``[min, max]``."""

    def convert(raw: str) -> int | None:
        if raw == "":
            return default
        try:
            return to_int(raw, min=min, max=max)
        except ValueError:
            raise BadFilter(
                message or f"“{name}” must be a whole number from {min} to {max}."
            ) from None

    return args.get(name, default, type=convert)


def arg_int(name: str, **options) -> int | None:
    """``get_int`` on the query string."""
    return get_int(request.args, name, **options)


def page_arg(name: str = "page") -> int:
    """The page number in the query string (default 1): 400 if it is not a whole number,
    404 if it is 0 or absurd."""
    page = get_int(
        request.args, name, default=1, message="The page number must be a positive whole number."
    )
    if page < 1 or page > MAX_PAGE:
        abort(404)
    return page


def get_ids(args, name: str, *, message: str = "", limit: int = MAX_IDS) -> list[int]:
    """Every value of ``name`` in ``args`` as ids, in order; ``BadFilter`` if one is not an id
    or there are more than ``limit``."""
    values = args.getlist(name)
    problem = message or f"“{name}” must list record numbers."
    if len(values) > limit:
        raise BadFilter(f"{problem} At most {limit} at once.")
    try:
        return [to_id(raw) for raw in values]
    except ValueError:
        raise BadFilter(problem) from None


def get_choice(args, name: str, allowed, default: str = "", message: str = "") -> str:
    """The value of ``name`` in ``args`` (``default`` when absent or empty); ``BadFilter``
    unless it is one of ``allowed``."""
    value = args.get(name, "") or default
    if value and value not in allowed:
        raise BadFilter(message or f"Unknown value for “{name}”.")
    return value


def arg_choice(name: str, allowed, default: str = "", message: str = "") -> str:
    """``get_choice`` on the query string."""
    return get_choice(request.args, name, allowed, default, message)
