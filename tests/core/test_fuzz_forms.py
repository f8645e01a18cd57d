"""No form route answers 5xx, whatever its fields hold: every POST route of the access matrix,
sent by someone allowed to use it, with its fields replaced, repeated or left out by
hypothesis — Unicode digits, huge and negative numbers, NUL bytes, invalid UTF-8, text where
a file or a number belongs, markup and SQL.

The routes come from ``MATRIX`` (tests/core/test_access_matrix.py), so a new route joins this
test when it joins the matrix. Query-string parameters of GET pages: test_bad_params.py.
"""

from urllib.parse import urlencode

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.core import test_access_matrix as matrix
from tests.core.test_access_matrix import MATRIX, ROLES, Refused, Row, Upload, sign_in

pytestmark = pytest.mark.slow  # a long module: scheduled first (tests/conftest.py)


app = matrix.app  # the matrix's world, built once for this module too
world = matrix.world

BAD_VALUES = [
    "²",
    "٣",
    "1e30",
    "-1",
    "0",
    "",
    " ",
    "99999999999999999999",
    str(2**31),
    str(-(2**63)),
    "1.5",
    "NaN",
    "\x00",
    "null",
    "[]",
    '{"a": 1}',
    "<script>alert(1)</script>",
    "' OR 1=1 --",
    "\u202e\u0000",
    "x" * 20_000,
    "2026-02-30",
    "../../etc/passwd",
]
INVALID_UTF8 = [b"\xff\xfe", b"caf\xe9", b"\xc3\x28", b"\xed\xa0\x80"]
EXTRA_FIELDS = ["version", "id", "page", "team_id", "author_id", "status", "role"]

value = st.one_of(
    st.sampled_from(BAD_VALUES).map(str.encode),
    st.sampled_from(INVALID_UTF8),
    st.integers(min_value=-(2**70), max_value=2**70).map(lambda n: str(n).encode()),
    st.text(st.characters(codec="utf-8", exclude_characters="\x00"), max_size=12).map(str.encode),
)


def actor(row: Row) -> str | None:
    """A role the route lets through (its answer is not a refusal), else None."""
    for role in ROLES[1:]:
        status = row.expected.get(role)
        if status is not None and status < 400 and not isinstance(status, Refused):
            return role
    return None


def _routes() -> list[tuple[Row, str]]:
    seen, routes = set(), []
    for row in MATRIX:
        role = actor(row)
        if row.method != "POST" or role is None or (row.url, row.by) in seen:
            continue
        seen.add((row.url, row.by))
        routes.append((row, role))
    return routes


ROUTES = _routes()


def fields_of(row: Row, world) -> dict[str, list[bytes]]:
    """The row's form as field -> values, files given as their name (a string, not a file)."""
    built = {}
    for key, original in row.data.items():
        if isinstance(original, Upload):
            original = original.name
        built[key] = [str(original).format_map(world.ids).encode()]
    return built


def body(fields: dict[str, list[bytes]], csrf_token: str) -> bytes:
    pairs = [(k, v) for k, values in fields.items() for v in values]
    return urlencode([*pairs, ("csrf_token", csrf_token)]).encode("ascii")


@pytest.mark.parametrize(("row", "role"), ROUTES, ids=[str(row) for row, _ in ROUTES])
def test_no_form_route_answers_5xx_whatever_its_fields_hold(app, client, login, world, row, role):
    sign_in(client, login, world, role, row.by)
    url = row.build_url(world)
    original = fields_of(row, world)
    names = sorted(original) + EXTRA_FIELDS

    @settings(
        max_examples=6,
        derandomize=True,  # the same examples on every run: a failure reproduces
        database=None,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(
        st.fixed_dictionaries(
            {
                name: st.one_of(
                    st.just(original.get(name, [])),  # as the form sends it (or absent)
                    st.lists(value, min_size=0, max_size=3),  # replaced, repeated or dropped
                )
                for name in names
            }
        )
    )
    def check(fields):
        response = client.post(
            url,
            data=body(fields, client.csrf_token or ""),
            content_type="application/x-www-form-urlencoded",
            csrf=False,
        )
        response.get_data()
        response.close()
        assert response.status_code < 500, (url, fields, response.status_code)

    check()
