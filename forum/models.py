"""Every model module, imported once so the metadata (and alembic) sees all tables."""

from forum.accounts import models as accounts  # noqa: F401
from forum.auth import models as auth  # noqa: F401
from forum.catalog import models as catalog  # noqa: F401
from forum.core import (
    audit,  # noqa: F401
    outbox,  # noqa: F401
    settings,  # noqa: F401
)
from forum.feedback import indexing as feedback_indexing  # noqa: F401 - search follows posts
from forum.feedback import models as feedback  # noqa: F401
from forum.fixes import indexing as fixes_indexing  # noqa: F401 - search follows fixes
from forum.fixes import models as fixes  # noqa: F401
from forum.notify import models as notify  # noqa: F401
from forum.search import models as search  # noqa: F401
from forum.taxonomy import models as taxonomy  # noqa: F401
