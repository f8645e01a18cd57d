"""Full-text search: the engine, low in the house (it imports no domain).

The interface, whatever the database:

- ``Document`` — what one indexed thing says and which result (target) it leads to;
- ``index_document`` / ``write`` / ``remove`` / ``remove_targets`` — change the index in the
  caller's transaction (domains rarely call these: ``register_kind`` and ``follow`` keep the
  index in step: changes are indexed when they commit, and before a search; ``note`` says
  what a bulk write that bypassed the ORM touched);
- ``search(text, scopes, include_restricted=..., page=...)`` — ranked ``Hit``s with highlighted
  snippets, one per target, filtered by the caller's ``scopes``;
- ``similar(title, target, ...)`` — targets whose titles share words with ``title``;
- ``parse`` — user text to a safe ``Query``; ``highlight`` / ``snippet`` for display.

SQLite uses FTS5, PostgreSQL a ``tsvector`` with a GIN index (see ``engine``).
"""

from forum.search.engine import (
    Document,
    Hit,
    Results,
    Scope,
    index_document,
    remove,
    remove_targets,
    replace,
    search,
    similar,
    similar_many,
    write,
)
from forum.search.query import Query, parse
from forum.search.snippets import highlight, snippet
from forum.search.sync import follow, note, rebuild, register_kind

__all__ = [
    "Document",
    "Hit",
    "Query",
    "Results",
    "Scope",
    "follow",
    "highlight",
    "index_document",
    "note",
    "parse",
    "rebuild",
    "register_kind",
    "remove",
    "remove_targets",
    "replace",
    "search",
    "similar",
    "similar_many",
    "snippet",
    "write",
]
