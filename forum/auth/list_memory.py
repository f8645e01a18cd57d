"""Lists that remember: each person's last filters on every list, and their named views.

A list page served with 200 remembers the filters it was asked for (its query string without
the paging parameters) on the viewer's own user row; the main navigation then leads back to
that list with those filters. "Clear filters" (the bare address) shows the defaults and
forgets. Named views ("EMEA with revenue") are saved filters a person keeps per list.

Both live in ``User.list_filters`` (JSON): the user row is loaded on every request already, so
the navigation costs no query. Remembering writes only that column of the viewer's own row, and
only when the filters changed.
"""

from dataclasses import dataclass
from urllib.parse import parse_qsl, urlencode

from flask import Flask, request, url_for
from flask_login import current_user
from werkzeug.datastructures import MultiDict

from forum.core.errors import DomainError
from forum.extensions import db

# endpoint → the list's name in the stored preferences
LISTS = {
    "feedback.feed": "feed",
    "triage.inbox": "triage",
    "fixes.index": "fixes",
    "fixes.queue": "queue",
    "accounts.index": "accounts",
}
ENDPOINTS = {name: endpoint for endpoint, name in LISTS.items()}
PAGING = {"page", "after", "before", "cursor"}  # where in a list, not which list
MAX_QUERY = 1000  # characters of one remembered query string
MAX_VIEWS = 20  # named views per list
MAX_NAME = 60


@dataclass(frozen=True)
class SavedView:
    name: str
    query: str


def filters_of(args: MultiDict) -> str:
    """The query string of ``args`` without paging parameters, in a stable order."""
    pairs = sorted((k, v) for k, vs in args.lists() if k not in PAGING for v in vs if v != "")
    return urlencode(pairs)


def clean_query(query: str) -> str:
    """A query string as ``filters_of`` writes it (no paging, no blanks, a stable order)."""
    return filters_of(MultiDict(_pairs(query)))


def remembered(user, endpoint: str) -> str:
    """The query string ``user`` last used on the list at ``endpoint`` ("" for none)."""
    name = LISTS.get(endpoint)
    prefs = getattr(user, "list_filters", None) or {}
    return prefs.get("last", {}).get(name, "") if name else ""


def list_url(user, endpoint: str) -> str:
    """The list's address with ``user``'s last filters."""
    query = remembered(user, endpoint)
    return url_for(endpoint) + (f"?{query}" if query else "")


def _store(user, prefs: dict) -> None:
    user.list_filters = prefs  # a new dict: the JSON column sees the change


def remember(user, endpoint: str, args: MultiDict) -> bool:
    """Remember ``args`` as ``user``'s filters of the list; True when that changed anything."""
    name = LISTS[endpoint]
    query = filters_of(args)
    if len(query) > MAX_QUERY:
        return False  # not worth keeping; the list still shows
    prefs = dict(user.list_filters or {})
    last = dict(prefs.get("last", {}))
    if last.get(name, "") == query:
        return False
    if query:
        last[name] = query
    else:
        last.pop(name, None)
    _store(user, prefs | {"last": last})
    return True


def views(user, list_name: str) -> list[SavedView]:
    raw = (getattr(user, "list_filters", None) or {}).get("views", {}).get(list_name, [])
    return [SavedView(v["name"], v["query"]) for v in raw]


def save_view(user, list_name: str, name: str, query: str) -> SavedView:
    """Keep ``query`` as ``user``'s view ``name`` of the list (replacing one of that name)."""
    name = " ".join(name.split())
    if list_name not in LISTS.values():
        raise DomainError("There is no such list.")
    if not name or len(name) > MAX_NAME:
        raise DomainError(f"Name the view in 1 to {MAX_NAME} characters.")
    query = clean_query(query)
    if not query:
        raise DomainError("Choose some filters first: a view without filters is the list itself.")
    if len(query) > MAX_QUERY:
        raise DomainError("These filters are too long to keep as a view.")
    kept = [v for v in views(user, list_name) if v.name.casefold() != name.casefold()]
    if len(kept) >= MAX_VIEWS:
        raise DomainError(f"You keep {MAX_VIEWS} views of this list already: delete one first.")
    view = SavedView(name, query)
    kept.append(view)
    prefs = dict(user.list_filters or {})
    every = dict(prefs.get("views", {}))
    every[list_name] = [{"name": v.name, "query": v.query} for v in kept]
    _store(user, prefs | {"views": every})
    return view


def delete_view(user, list_name: str, name: str) -> bool:
    kept = [v for v in views(user, list_name) if v.name != name]
    if len(kept) == len(views(user, list_name)):
        return False
    prefs = dict(user.list_filters or {})
    every = dict(prefs.get("views", {}))
    every[list_name] = [{"name": v.name, "query": v.query} for v in kept]
    _store(user, prefs | {"views": every})
    return True


def _pairs(query: str) -> list[tuple[str, str]]:
    return parse_qsl(query, keep_blank_values=False, max_num_fields=100)


def init_app(app: Flask) -> None:
    app.jinja_env.globals.update(
        list_views=lambda list_name: views(current_user, list_name),
        list_query=lambda: filters_of(request.args),
    )

    @app.after_request
    def remember_list_filters(response):
        if (
            request.method == "GET"
            and response.status_code == 200
            and request.endpoint in LISTS
            and current_user.is_authenticated
            and remember(current_user, request.endpoint, request.args)
        ):
            db.session.commit()
        return response
