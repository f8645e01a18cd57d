"""Every model module, imported once so the metadata (and alembic) sees all tables."""

from forum.accounts import models as accounts
from forum.api import models as api
from forum.auth import models as auth
from forum.auth.sso import models as sso
from forum.buyers import models as buyers
from forum.catalog import models as catalog
from forum.core import (
    audit,
    jobs,
    outbox,
    rates,
    settings,
)
from forum.crm import models as crm
from forum.feedback import indexing as feedback_indexing  # search follows posts
from forum.feedback import models as feedback
from forum.fixes import indexing as fixes_indexing  # search follows fixes
from forum.fixes import models as fixes
from forum.loop import models as loop
from forum.notify import models as notify
from forum.search import models as search
from forum.taxonomy import models as taxonomy
from forum.webhooks import models as webhooks

# Imported for their tables (and the search listeners), named here so nothing reads as unused.
__all__ = [
    "accounts",
    "api",
    "audit",
    "auth",
    "buyers",
    "catalog",
    "crm",
    "feedback",
    "feedback_indexing",
    "fixes",
    "fixes_indexing",
    "jobs",
    "loop",
    "notify",
    "outbox",
    "rates",
    "search",
    "settings",
    "sso",
    "taxonomy",
    "webhooks",
]
