"""Bad query-string values never give a 500: every list and filter page × every parameter it
reads × the values that used to break one (``²``, ``٣``, ``1e30``, ``-1``, empty, past a 32-bit
column, repeated, NUL) answers 200, 400 or 404.

``PAGES`` names, for every GET endpoint without URL arguments, the role that may see it and the
parameters it reads; ``NO_PARAMETERS`` lists the ones that read none. A new endpoint must join
one of them: ``test_every_get_endpoint_is_in_the_table`` fails until it does.
"""

from dataclasses import dataclass
from urllib.parse import quote

import pytest
from flask import url_for
from hypothesis import given, settings
from hypothesis import strategies as st

from forum.auth.models import TeamKind
from forum.core.params import MAX_INT, BadFilter, coerce_int, get_ids, get_int, parse_int, to_int
from forum.extensions import db
from tests import factories

pytestmark = pytest.mark.slow  # a long module: scheduled first (tests/conftest.py)


BAD_VALUES = {
    "superscript two": quote("²"),
    "arabic-indic three": quote("٣"),
    "exponent": "1e30",
    "negative": "-1",
    "empty": "",
    "past 32 bits": "99999999999999999999",
    "NUL": "%00",
}
REPEATED = "repeated"
ANSWERS = {200, 400, 404}

FILTER = ("period", "on", "from", "to", "region", "team", "segment")
FEED = ("kind", "outcome", "status", "sort", "team", "region", "account", "author", "tag", "after")


@dataclass(frozen=True)
class Page:
    """A GET endpoint: who may see it, the parameters it reads, a query it answers 200 to."""

    role: str
    params: tuple[str, ...]
    base: str = ""  # ``{name}`` is an id of the world's


PAGES = {
    "accounts.index": Page("leader", ("q", "segment", "region", "page")),
    "accounts.lookup": Page("leader", ("q",)),
    "admin.audit": Page("admin", ("action", "page")),
    "admin.audit_csv": Page("admin", ("action",)),
    "admin.users": Page("admin", ("q", "role", "page")),
    "api.posts": Page("leader", FEED),
    "api_posts.Posts": Page("leader", FEED),
    "api_board.Board": Page("leader", FILTER),
    "api_accounts.Accounts": Page("leader", ("q", "segment", "region", "page")),
    "api_fixes.Fixes": Page("leader", ("status", "team", "priority", "overdue", "page")),
    "api_me.Notifications": Page("rep", ("page",)),
    "board.export_fixes": Page("leader", FILTER + ("list", "priority")),
    "board.export_history": Page("leader", FILTER),
    "board.export_posts": Page("leader", FILTER + ("list", "kind", "reason", "competitor")),
    "board.fix_list": Page("leader", FILTER + ("list", "priority", "page")),
    "board.index": Page("leader", FILTER),
    "board.my_record": Page("leader", FILTER),
    "board.post_list": Page("leader", FILTER + ("list", "kind", "reason", "competitor", "page")),
    "board.reporters": Page("leader", FILTER),
    "board.review": Page("leader", FILTER),
    "board.win_loss": Page("leader", FILTER),
    "board.agreement": Page("leader", FILTER),
    "board.export_agreement": Page("leader", FILTER),
    "catalog.index": Page("leader", ("team", "stale", "retired")),
    "catalog.new": Page("admin", ("team_id",)),
    "catalog.options": Page("leader", ("team_id",), base="team_id={ops}"),
    "feedback.feed": Page("leader", FEED),
    "feedback.similar": Page("leader", ("title",)),
    "fixes.escalations": Page("leader", ("show",)),
    "fixes.index": Page("leader", ("status", "team", "priority", "overdue", "page")),
    "fixes.queue": Page("leader", ("team",)),
    "notify.index": Page("leader", ("page",)),
    "notify.outbox_admin": Page("admin", ("status", "page")),
    "search.results": Page("leader", ("q", "kind", "status", "team", "account", "period", "page")),
    "taxonomy.new": Page("admin", ("kind", "branch")),
    "triage.create_fix": Page("leader", ("post",), base="post={post}"),
    "triage.inbox": Page(
        "leader",
        (
            "kind",
            "team",
            "region",
            "account",
            "impact",
            "age",
            "flags",
            "revenue",
            "competitor",
            "sort",
            "page",
        ),
    ),
}

# GET endpoints without URL arguments that read no integer, filter or page parameter.
NO_PARAMETERS = {
    "api-docs.openapi_json",
    "api_me.Me",
    "api_reference.index",
    "api_tokens.index",
    "accounts.new",
    "admin.edit_team",  # /admin/teams/new
    "crm.index",
    "admin.invite",
    "admin.teams",
    "rates.index",
    "auth.change_password",
    "auth.time_zone_settings",
    "buyers.theme_list",
    "survey.thanks",
    "auth.forgot_password",
    "auth.login",  # next= only, which tests/auth checks for open redirects
    "feedback.mine",
    "feedback.new",
    "fixes.sla",
    "home.healthz",
    "home.index",
    "loop.index",
    "loop.waiting",
    "notify.preferences",
    "taxonomy.index",
    "webhooks.index",
    "webhooks.new",
    "sso.settings",
}

# Pages with an id in the path that read filters too.
PAGES_WITH_IDS = {
    "board.team": ("/board/teams/{ops}", Page("leader", FILTER)),
    "feedback.create": ("/posts/new/field-feedback", Page("rep", ("title",))),
    "webhooks.detail": ("/admin/webhooks/{webhook}", Page("admin", ("page",))),
}


def _world(app) -> dict[str, int]:
    """A region, an operations team, a rep and one of their reports."""
    with app.app_context():
        region = factories.team(TeamKind.SALES)
        ops = factories.team(TeamKind.OPERATIONS)
        rep = factories.user("rep", team_obj=region)
        post = factories.post(author=rep, account=factories.account())
        webhook = factories.webhook()
        db.session.commit()
        return {
            "region": region.id,
            "ops": ops.id,
            "rep": rep.id,
            "post": post.id,
            "webhook": webhook.id,
        }


def _queries(name: str) -> dict[str, str]:
    queries = {label: f"{name}={value}" for label, value in BAD_VALUES.items()}
    queries[REPEATED] = f"{name}=1&{name}=2"
    return queries


def _get_endpoints(app) -> set[str]:
    return {
        rule.endpoint
        for rule in app.url_map.iter_rules()
        if "GET" in rule.methods and "<" not in rule.rule and rule.endpoint != "static"
    }


def test_every_get_endpoint_is_in_the_table(app):
    endpoints = _get_endpoints(app)
    untested = endpoints - set(PAGES) - NO_PARAMETERS
    assert not untested, f"add these to PAGES or NO_PARAMETERS: {sorted(untested)}"
    assert not (set(PAGES) | NO_PARAMETERS) - endpoints, "rows for endpoints that are gone"
    assert not set(PAGES) & NO_PARAMETERS


def _check(client, path: str, page: Page, ids: dict[str, int]) -> None:
    base = page.base.format(**ids)
    baseline = client.get(f"{path}?{base}")
    assert baseline.status_code == 200, f"{path}?{base} answers {baseline.status_code}"
    wrong = []
    for name in page.params:
        for label, query in _queries(name).items():
            url = f"{path}?{base}&{query}" if base else f"{path}?{query}"
            status = client.get(url).status_code
            if status not in ANSWERS:
                wrong.append(f"{url} ({label}): {status}")
    assert not wrong, "\n".join(wrong)


def _path(app, endpoint: str) -> str:
    with app.test_request_context():
        return url_for(endpoint)


@pytest.mark.parametrize("endpoint", sorted(PAGES))
def test_no_bad_value_of_any_parameter_is_a_server_error(app, client, login, endpoint):
    ids = _world(app)
    page = PAGES[endpoint]
    login(page.role)
    _check(client, _path(app, endpoint), page, ids)


@pytest.mark.parametrize("endpoint", sorted(PAGES_WITH_IDS))
def test_no_bad_filter_on_a_page_with_an_id_is_a_server_error(app, client, login, endpoint):
    ids = _world(app)
    path, page = PAGES_WITH_IDS[endpoint]
    login(page.role)
    _check(client, path.format(**ids), page, ids)


@pytest.mark.parametrize(
    "url",
    [
        "/fixes/?team=٣",
        "/fixes/queue?team=²",
        "/board/?region=٣",
        "/board/posts?list=lost&reason=٣",
        "/posts/?team=٣",
        "/search/?q=late&account=٣",
        "/notifications/?page=٣",
        "/admin/users?page=²",
        "/fixes/?page=99999999999999999999",
        "/fixes/?team=99999999999999999999",
        "/triage/fix?post=٣",
        "/triage/?team=٣",
        "/triage/?page=²",
    ],
)
def test_digits_of_other_scripts_and_huge_numbers_are_refused(client, login, url):
    login("admin")
    response = client.get(url)
    assert response.status_code == 400
    assert "<h1>Bad request</h1>" in response.text


def test_the_refusal_says_which_parameter_is_wrong(client, login):
    login("leader")
    assert "Unknown team." in client.get("/fixes/?team=%C2%B2").text
    assert "positive whole number" in client.get("/fixes/?page=-1").text


def _other_script(n: int) -> str:
    """``n`` written in Arabic-Indic digits, which ``int()`` reads and ``parse_int`` refuses."""
    return quote(str(n).translate(str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")))


def test_the_accounts_region_filter_ignores_other_scripts_digits(app, client, login):
    with app.app_context():
        north, south = factories.team(TeamKind.SALES), factories.team(TeamKind.SALES)
        factories.account(name="North Co", region=north)
        factories.account(name="South Co", region=south)
        db.session.commit()
        north_id = north.id
    login("leader")
    response = client.get(f"/accounts/?region={_other_script(north_id)}")
    assert response.status_code == 200
    assert "North Co" in response.text and "South Co" in response.text


def test_the_catalog_team_filter_ignores_other_scripts_digits(app, client, login):
    with app.app_context():
        billing, shipping = factories.team("operations"), factories.team("operations")
        factories.commitment(team_obj=billing, title="Invoice corrections")
        factories.commitment(team_obj=shipping, title="Lead time")
        db.session.commit()
        billing_id = billing.id
    login("leader")
    response = client.get(f"/catalog/?team={_other_script(billing_id)}")
    assert response.status_code == 200
    assert "Invoice corrections" in response.text and "Lead time" in response.text


# --- the parser itself ---------------------------------------------------------------------


@given(st.text(max_size=30))
def test_parse_int_accepts_ascii_digits_and_nothing_else(raw):
    try:
        value = parse_int(raw)
    except ValueError:
        body = raw.removeprefix("-")
        assert not (body.isascii() and body.isdigit() and 0 < len(body) <= 20)
    else:
        assert raw.isascii()
        assert value == int(raw)


@given(st.integers())
def test_to_int_round_trips_exactly_the_integers_a_column_holds(n):
    try:
        assert to_int(str(n)) == n
    except ValueError:
        assert not 0 <= n <= MAX_INT


@pytest.mark.parametrize("value", [None, 3, 1.0, b"3", ["3"], {"a": 1}, True])
def test_parse_int_refuses_what_is_not_text(value):
    with pytest.raises(ValueError):
        parse_int(value)


def test_coerce_int_passes_the_choices_of_a_select_box():
    assert coerce_int(7) == 7
    assert coerce_int("7") == 7
    for bad in ("٣", "²", "7.0", " 7", str(2**31), True):
        with pytest.raises(ValueError):
            coerce_int(bad)


def test_a_bad_filter_is_a_bad_request_with_its_message():
    from werkzeug.datastructures import MultiDict

    with pytest.raises(BadFilter) as caught:
        get_int(MultiDict({"team": "٣"}), "team", message="Unknown team.")
    assert (caught.value.code, caught.value.description) == (400, "Unknown team.")
    assert get_int(MultiDict({"team": ""}), "team", default=5) == 5
    assert get_int(MultiDict([("team", "2"), ("team", "x")]), "team") == 2


def test_an_id_list_is_refused_whole_when_one_id_is_bad_or_it_is_too_long():
    from werkzeug.datastructures import MultiDict

    assert get_ids(MultiDict([("post", "1"), ("post", "2")]), "post") == [1, 2]
    with pytest.raises(BadFilter):
        get_ids(MultiDict([("post", "1"), ("post", "²")]), "post")
    with pytest.raises(BadFilter):
        get_ids(MultiDict([("post", "1")] * 501), "post")


# Digits that str.isdigit() accepts and int() refuses (superscripts, circled digits) or reads
# (other scripts' digits), numbers of every script (``\\d``), signs, exponents; any text at all.
NUMBERISH = st.one_of(
    st.text(alphabet="0123456789²³¹⁰⁴①٣߃𝟥", min_size=1, max_size=22),
    st.from_regex(r"[-+]?\d{1,22}([.eE][-+]?\d{0,3})?", fullmatch=True),
    st.integers().map(str),
    st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=25),
)


def test_any_text_as_a_page_or_team_is_a_clear_answer(client, login):
    login("leader")
    urls = ("/fixes/?page={}", "/fixes/?team={}", "/board/fixes?team={}", "/posts/?team={}")

    @settings(max_examples=40, deadline=None)
    @given(NUMBERISH)
    def answers_clearly(value):
        for url in urls:
            status = client.get(url.format(quote(value))).status_code
            assert status in ANSWERS, (url, value, status)

    answers_clearly()
