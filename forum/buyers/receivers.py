"""The fix page asks which buyers stand behind a fix (forum.core.signals.fix_page_panels)."""

from forum.auth.permissions import can
from forum.buyers import queries
from forum.core import signals


def fix_panel(fix, *, user=None, **_):
    """'Heard from N buyers', and their words to those who may read them: leaders and the
    fix's owner team. A buyer is named only when they agreed to be quoted by name."""
    evidence = queries.fix_evidence(fix.id)
    if not evidence:
        return None
    may_read = can(user, "buyer.fix_quotes", fix)
    words = []
    if may_read:
        seen = set()
        for e in evidence:
            key = (e.response_id, e.quote_id)
            if key in seen:
                continue
            seen.add(key)
            r = e.response
            text = e.quote.text if e.quote else (r.delivery_experience or r.free_text)
            if text:
                words.append((text, r.buyer_name if r.consent_to_quote else None))
    return {
        "template": "buyers/_fix_panel.html",
        "heard": queries.buyers_heard(evidence),
        "words": words,
    }


def connect() -> None:
    """Answer the fix page (connecting twice changes nothing)."""
    signals.fix_page_panels.connect(fix_panel)
