"""The main navigation: each entry shows only to users whose role may open it."""

from dataclasses import dataclass

from flask import has_request_context, request, url_for

from forum.auth.list_memory import list_url
from forum.auth.permissions import can


@dataclass(frozen=True)
class NavEntry:
    label: str
    endpoint: str
    action: str


NAV = [
    NavEntry("Home", "home.index", "home.view"),
    NavEntry("Feed", "feedback.feed", "post.view"),
    NavEntry("New report", "feedback.new", "post.create"),
    NavEntry("My reports", "feedback.mine", "post.create"),
    NavEntry("Triage", "triage.inbox", "triage.view"),
    NavEntry("Queue", "fixes.queue", "fix.queue"),
    NavEntry("Fixes", "fixes.index", "fix.view"),
    NavEntry("Escalations", "fixes.escalations", "fix.escalations"),
    NavEntry("Board", "board.index", "board.view"),
    NavEntry("My record", "board.my_record", "board.own_record"),
    NavEntry("Accounts", "accounts.index", "account.view"),
    NavEntry("Catalog", "catalog.index", "catalog.view"),
    NavEntry("Taxonomies", "taxonomy.index", "admin.taxonomy"),
    NavEntry("Buyer themes", "buyers.theme_list", "admin.buyer_themes"),
    NavEntry("CRM import", "crm.index", "admin.crm"),
    NavEntry("Users", "admin.users", "admin.users"),
    NavEntry("Teams", "admin.teams", "admin.teams"),
    NavEntry("Single sign-on", "sso.settings", "admin.settings"),
    NavEntry("SLA policy", "fixes.sla", "admin.sla"),
    NavEntry("Currencies and rates", "rates.index", "admin.rates"),
    NavEntry("Audit log", "admin.audit", "admin.audit"),
    NavEntry("Outbox", "notify.outbox_admin", "notify.outbox"),
    NavEntry("Webhooks", "webhooks.index", "admin.webhooks"),
]


@dataclass(frozen=True)
class NavItem:
    label: str
    url: str
    current: bool = False


def nav_items(user) -> list[NavItem]:
    """The entries ``user`` may open; the one whose address best matches the page is current."""
    found = [(e, url_for(e.endpoint)) for e in NAV if can(user, e.action)]
    path = request.path if has_request_context() else ""
    matches = [url for _, url in found if path == url or (url != "/" and path.startswith(url))]
    best = max(matches, key=len, default=None)
    # A list's link leads back to the filters its reader last used there.
    return [NavItem(e.label, list_url(user, e.endpoint), url == best) for e, url in found]
