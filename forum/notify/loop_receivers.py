"""Receivers of the follow-ups' signals: a rep hears what they owe once a fix is verified (a
customer to tell, a lost deal to re-engage), and marking the step reads that notification."""

from forum.auth.models import User
from forum.fixes.models import Fix
from forum.loop.models import FollowUp, FollowUpKind
from forum.notify.services import Message, link, mark_read_about, notify


def follow_up_path(follow_up: FollowUp) -> str:
    return link("loop.detail", follow_up_id=follow_up.id)


def on_follow_ups_opened(fix: Fix, *, follow_ups: list[FollowUp], **_):
    """Each rep hears of their own follow-up (one notification per follow-up)."""
    for follow_up in follow_ups:
        post = follow_up.post
        account = f" ({post.account.name})" if post.account is not None else ""
        if follow_up.kind == FollowUpKind.CUSTOMER:
            message = Message(
                event="customer_to_tell",
                title=f"Your broken promise “{post.title}”{account} is made good: tell them",
                body=(
                    f"Fix #{fix.id} is verified. A draft message to your customer is ready: "
                    "edit it, send it from your own mail, and mark the customer informed."
                ),
                url=follow_up_path(follow_up),
                action="Tell the customer",
                shielded=post.shielded,
            )
        else:
            message = Message(
                event="deal_to_reengage",
                title=f"The deal “{post.title}”{account} can be won back: its cause is fixed",
                body=(
                    f"Fix #{fix.id}, behind this lost deal, is verified. A draft message to "
                    "the buyer is ready: re-engage them and mark how it went."
                ),
                url=follow_up_path(follow_up),
                action="Re-engage the deal",
                shielded=post.shielded,
            )
        notify([follow_up.rep], lambda _user, m=message: m)


def on_follow_up_moved(follow_up: FollowUp, *, actor: User, **_):
    mark_read_about(actor, follow_up_path(follow_up))
