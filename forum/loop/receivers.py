"""Follow-ups follow the fixes: opened when a fix is verified, withdrawn when it is reopened."""

from forum.core import signals
from forum.fixes.models import Fix, FixStatus
from forum.loop import services


def on_fix_transitioned(fix: Fix, *, actor=None, from_status=None, to_status=None, **_):
    to = FixStatus(to_status)
    if to == FixStatus.VERIFIED:
        services.open_for_fix(fix)
    elif to == FixStatus.REOPENED and from_status == FixStatus.VERIFIED:
        services.withdraw_for_fix(fix, actor=actor)


def connect() -> None:
    """Listen to the fixes' moves (connecting twice changes nothing)."""
    signals.fix_transitioned.connect(on_fix_transitioned)
