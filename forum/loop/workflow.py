"""The one table of a follow-up's moves: what the rep may mark next, and what each mark needs.

Only the rep who owes the step (the report's author) moves it (policy ``followup.act``);
``withdrawn`` and the return from it are the system's, when the fix is reopened and verified
again (``services``).
"""

from dataclasses import dataclass

from forum.loop.models import FollowUp, FollowUpState

S = FollowUpState


@dataclass(frozen=True)
class Move:
    action: str  # the button's text
    needs_date: bool = False  # the day it happened (the customer was told)


MOVES: dict[tuple[FollowUpState, FollowUpState], Move] = {
    (S.TO_TELL, S.INFORMED): Move("Customer informed", needs_date=True),
    (S.INFORMED, S.TRUST_RESTORED): Move("Trust restored"),
    (S.INFORMED, S.STILL_UNHAPPY): Move("Still unhappy"),
    (S.STILL_UNHAPPY, S.TRUST_RESTORED): Move("Trust restored after all"),
    (S.TO_REENGAGE, S.REENGAGED): Move("Re-engaged", needs_date=True),
    (S.TO_REENGAGE, S.NOT_PURSUED): Move("Not pursued"),
    (S.REENGAGED, S.WON_BACK): Move("Won back"),
    (S.REENGAGED, S.NOT_PURSUED): Move("Not pursued"),
}


def move_for(follow_up: FollowUp, to: FollowUpState) -> Move | None:
    return MOVES.get((follow_up.state, to))


def next_states(follow_up: FollowUp) -> list[FollowUpState]:
    """The marks the page offers, in the table's order."""
    return [to for (frm, to) in MOVES if frm == follow_up.state]
