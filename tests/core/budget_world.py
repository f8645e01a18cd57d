"""The world of the query-budget tests and the page benchmark: an organisation built through
the real services (so flags, history chains and notifications are genuine), grown in rounds."""

import re
from dataclasses import dataclass
from datetime import timedelta

from forum.core.time import utcnow
from forum.extensions import db
from forum.feedback.models import Post
from forum.feedback.services import add_comment, corroborate
from forum.fixes import services as fixes
from forum.fixes.models import Fix, FixStatus
from tests import factories
from tests.conftest import Who
from tests.fixes import builders

S = FixStatus

# (who opens it, the page); {name} is filled from the world's ids. "feed:last" follows the
# feed's "older" links to its last page.
PAGES = [
    ("rep", "/"),
    ("rep", "/posts/"),
    ("rep", "feed:last"),
    ("rep", "/posts/?q=pallets&sort=corroborated"),
    ("rep", "/posts/mine"),
    ("rep", "/posts/{thread}"),
    ("rep", "/posts/new/broken-promise"),
    ("rep", "/fixes/{long_fix}"),
    ("rep", "/fixes/"),
    ("rep", "/notifications/"),
    ("rep", "/search/?q=pallets"),
    ("rep", "/accounts/"),
    ("rep", "/accounts/{account}"),
    ("rep", "/board/reps/me"),
    ("rep", "/follow-ups/"),
    ("rep", "/catalog/"),
    ("ops", "/"),
    ("ops", "/fixes/queue"),
    ("ops", "/fixes/{long_fix}"),
    ("ops", "/fixes/escalations"),
    ("ops", "/notifications/"),
    ("leader", "/"),
    ("leader", "/triage/"),
    ("leader", "/triage/?flags=any&sort=revenue"),
    ("leader", "/triage/posts/{flagged}"),
    ("leader", "/posts/{thread}"),
    ("leader", "/fixes/{long_fix}"),
    ("leader", "/fixes/queue"),
    ("leader", "/board/"),
    ("leader", "/board/teams/{ops_team}"),
    ("leader", "/board/win-loss?period=year"),
    ("leader", "/board/review?period=year"),
    ("leader", "/board/reporters"),
    ("leader", "/board/fixes?list=open"),
    ("leader", "/board/posts?period=year"),
    ("leader", "/board/accounts/{account}"),
    ("leader", "/board/reps/{rep}"),
    ("leader", "/search/?q=pallets"),
]


@dataclass
class Grown:
    org: builders.Org
    ids: dict
    people: dict


def _who(user) -> Who:
    return Who(user.id, user.email, user.role, user.team_id)


def seed() -> Grown:
    org = builders.org()
    now = utcnow()
    rep = org.user("rep_reporter")
    thread = builders.report(rep, team_id=org.ops_team_id, title="The long thread", amount="10")
    long_fix = builders.fix_in(org, "in_progress", start=now - timedelta(days=30), title="Long")
    flagged = builders.report(
        rep, team_id=org.ops_team_id, title="Pallets delivered late from the Hamburg depot"
    )
    account = factories.account("Budget Customer")
    ids = dict(
        thread=thread.id,
        long_fix=long_fix.id,
        flagged=flagged.id,
        account=account.id,
        ops_team=org.ops_team_id,
        rep=rep.id,
    )
    people = {
        "rep": _who(rep),
        "ops": _who(org.user("ops_owner")),
        "leader": _who(org.user("leader")),
    }
    return Grown(org, ids, people)


def grow(
    world: Grown, round_: int, *, reports: int = 12, comments: int = 25, moves: int = 10
) -> None:
    """One round: reports (alike, so flagged as duplicates; one like a verified fix, so a
    recurrence), comments on the long thread, history on the long fix, fixes in every status,
    accounts, teams, people and the notifications all of this sends."""
    org, now = world.org, utcnow()
    rep = org.user("rep_reporter")
    factories.team("sales")
    factories.team("operations")
    for i in range(3):
        factories.user("rep", team_id=org.region_id)
        factories.account(f"Budget account {round_}-{i}")
    for i in range(reports):
        post = builders.report(
            rep,
            team_id=org.ops_team_id,
            title=f"Pallets delivered late from the Hamburg depot {round_}-{i}",
            account="Budget Customer",
        )
        corroborate(post, org.user("rep_corroborator"))
    thread = db.session.get(Post, world.ids["thread"])
    for i in range(comments):
        add_comment(thread, rep if i % 2 else org.user("ops_owner"), f"Comment {round_}-{i}")
    long_fix = db.session.get(Fix, world.ids["long_fix"])
    at = now - timedelta(days=20) + timedelta(hours=round_)
    for _ in range(moves):
        for to in (S.BLOCKED, S.IN_PROGRESS):
            at += timedelta(minutes=1)
            fixes.transition(
                long_fix,
                to,
                actor=org.user("ops_owner"),
                version=long_fix.version,
                now=at,
                note="Waiting for the carrier",
            )
    for status in ("open", "acknowledged", "in_progress", "blocked", "resolved", "verified"):
        builders.fix_in(
            org,
            status,
            start=now - timedelta(days=10 + round_),
            title=f"Pallets delivered late {status} {round_}",
        )
    db.session.flush()


def last_feed_page(client) -> str:
    url = "/posts/"
    while True:
        html = client.get(url).get_data(as_text=True)
        older = re.search(r'href="(/posts/\?[^"]*after=[^"]+)"', html)
        if not older:
            return url
        url = older.group(1).replace("&amp;", "&")
