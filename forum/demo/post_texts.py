"""What the demo reps write, kept as data in ``post_texts.json`` and filled in by posts.py.

Placeholders: {account} {contact} {competitor} {feature} {quarter} {days} {weeks} {n} {amount}.
Each report template is read into a tuple of its fields in the order posts.py unpacks them.
"""

import json
from pathlib import Path

_DATA = json.loads(Path(__file__).with_name("post_texts.json").read_text(encoding="utf-8"))


def _rows(name: str, *fields: str) -> list[tuple]:
    return [tuple(row[f] for f in fields) for row in _DATA[name]]


FEATURES: list[str] = _DATA["features"]
QUARTERS: list[str] = _DATA["quarters"]
CONTACTS: list[str] = _DATA["contacts"]
# (title, body, operations team or None, tags)
FIELD_FEEDBACK = _rows("field_feedback", "title", "body", "team", "tags")
# (title, body, outcome, reason branch, tags)
WIN_LOSS = _rows("win_loss", "title", "body", "outcome", "branch", "tags")
# (title, promised, body, responsible team, basis, basis detail, tags)
BROKEN_PROMISES = _rows(
    "broken_promises", "title", "promised", "body", "team", "basis", "basis_detail", "tags"
)
PUBLIC_COMMENTS: list[str] = _DATA["public_comments"]
OPS_COMMENTS: list[str] = _DATA["ops_comments"]
INTERNAL_NOTES: list[str] = _DATA["internal_notes"]
CORROBORATION_NOTES: list[str] = _DATA["corroboration_notes"]
NEEDS_INFO: list[str] = _DATA["needs_info"]
DECLINED: list[str] = _DATA["declined"]
