"""What happened, announced by the domains and heard by notify/ (which the domains never import).

Receivers get the object as sender and keyword arguments; they must not commit.
"""

from blinker import Namespace

_signals = Namespace()

post_filed = _signals.signal("post-filed")
post_corroborated = _signals.signal("post-corroborated")
post_commented = _signals.signal("post-commented")
post_triaged = _signals.signal("post-triaged")
fix_created = _signals.signal("fix-created")
fix_transitioned = _signals.signal("fix-transitioned")
fix_escalated = _signals.signal("fix-escalated")
fix_assigned = _signals.signal("fix-assigned")
fix_commented = _signals.signal("fix-commented")
escalation_acknowledged = _signals.signal("escalation-acknowledged")
follow_ups_opened = _signals.signal("follow-ups-opened")
follow_up_moved = _signals.signal("follow-up-moved")

# Asked, not announced: domains above fixes answer with a panel for the fix page
# ({"template": ..., **context}, or None), so fixes/ shows them without importing them.
fix_page_panels = _signals.signal("fix-page-panels")
