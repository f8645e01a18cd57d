"""Demo fixes: forty of them, in every status, made from the demo's untriaged reports by the real
services at past times, so every history's hash chain is genuine.

Each story is replayed in time order together with a daily escalation run, as cron would have
done it: overdue fixes escalate to the team lead and then the sponsor, and some of those
escalations are acknowledged, snoozed or answered with a later due date.
"""

import heapq
import itertools
from datetime import datetime, time, timedelta
from decimal import Decimal
from functools import partial

import sqlalchemy as sa

from forum.auth.models import Role, Team, User, normalize_name
from forum.core import settings
from forum.core.time import utcnow
from forum.demo.catalog import story_account
from forum.demo.fix_stories import AP, ROOT_CAUSES, STORIES, Story
from forum.extensions import db
from forum.feedback.models import Post, PostKind, PostStatus
from forum.feedback.services import PostInput, corroborate, create_post
from forum.fixes import creation, escalations, services, sla
from forum.fixes.models import Escalation, Fix, FixStatus
from forum.taxonomy.models import TaxonomyKind, TaxonomyTerm

# The currency a reporter quotes in (an EMEA rep in euros or pounds, LATAM in reais).
CURRENCY_OF = {"sofia.marin@": "EUR", "tom.fischer@": "GBP", "lucas.souza@": "BRL"}


S = FixStatus
KEEP_IN_INBOX = 8  # the newest untriaged reports stay for the triage inbox


def _root_causes() -> dict[str, TaxonomyTerm]:
    """Root-cause terms by name, created under their natural key when missing."""
    found = {}
    for name in ROOT_CAUSES:
        key = normalize_name(name).casefold()
        term = db.session.scalar(
            sa.select(TaxonomyTerm).where(
                TaxonomyTerm.kind == TaxonomyKind.ROOT_CAUSE, TaxonomyTerm.name_key == key
            )
        )
        if term is None:
            term = TaxonomyTerm(kind=TaxonomyKind.ROOT_CAUSE, name=name, name_key=key)
            db.session.add(term)
        found[name] = term
    db.session.flush()
    return found


class _Replay:
    """A time-ordered queue of steps, played up to now. Every step gets its time first."""

    def __init__(self, users: dict[str, User]):
        self.now = utcnow()
        self.users = {email.split("@")[0] + "@": u for email, u in users.items()}
        self.leaders = [u for u in users.values() if u.role == Role.LEADER]
        self.teams = {t.name: t for t in db.session.scalars(sa.select(Team))}
        self.causes = _root_causes()
        self.window = timedelta(days=settings.get("verify_window_days"))
        untriaged = db.session.scalars(
            sa.select(Post)
            .where(Post.status == PostStatus.NEW, Post.kind == PostKind.BROKEN_PROMISE)
            .order_by(Post.created_at.desc())
        ).all()
        self.pool = list(untriaged[KEEP_IN_INBOX:])
        self.queue: list = []
        self.order = itertools.count()
        self.fixes: dict[int, Fix] = {}
        self.stories: dict[int, Story] = {}

    def at(self, when: datetime, step, *args, **kwargs) -> None:
        entry = (when, next(self.order), partial(step, when, *args, **kwargs))
        heapq.heappush(self.queue, entry)

    def play(self) -> None:
        while self.queue and self.queue[0][0] < self.now:
            heapq.heappop(self.queue)[2]()

    def worker(self, story: Story) -> User:
        """Someone in the owner team who is not its lead, when there is such a person."""
        team = self.teams[story.team]
        members = [u for u in team.members if u.role == Role.OPS and u.active]
        return ([u for u in members if u.id != team.lead_id] or members)[0]

    def leader(self, n: int) -> User:
        return self.leaders[n % len(self.leaders)]

    # Steps: each takes its time first and uses the real services with it.
    def open(self, when: datetime, n: int, story: Story) -> None:
        fix = creation.create_fix(
            title=story.title,
            problem=f"Sales promised {story.account}: “{story.promised}”. {story.happened}",
            owner_team_id=self.teams[story.team].id,
            priority=story.priority,
            actor=self.leader(n),
            posts=[self._report(when, n, story)],
            now=when,
        )
        self.fixes[n], self.stories[fix.id] = fix, story

    def _report(self, when: datetime, n: int, story: Story) -> Post:
        """An untriaged demo report about the team from before ``when``, or a new one."""
        team = self.teams[story.team]
        for post in self.pool:
            if post.team_id == team.id and post.created_at < when - timedelta(hours=2):
                self.pool.remove(post)
                return post
        post = create_post(
            self.users[story.reporter],
            PostInput(
                kind=PostKind.BROKEN_PROMISE,
                title=story.title,
                body=story.happened,
                account=story_account(story.account),
                team_id=team.id,
                promised=story.promised,
                impact={"P1": 4, "P2": 3, "P3": 2, "P4": 1}[story.priority],
                revenue_at_risk=Decimal(story.amount),
                currency=CURRENCY_OF.get(story.reporter, "USD"),
                shielded="shielded" in story.extras,
            ),
        )
        post.created_at = when - timedelta(hours=5 + n % 20)
        if "me_too" in story.extras:
            rep = next(
                u for k, u in self.users.items() if u.role == Role.REP and k != story.reporter
            )
            me_too = corroborate(post, rep, note="Same with my accounts.")
            me_too.created_at = when - timedelta(hours=2)
        return post

    def move(self, when: datetime, n: int, to: str, who: User | None, **fields) -> None:
        """A status move; ``who`` None means the reporter of the fix's first report."""
        fix = self.fixes[n]
        actor = who or fix.posts[0].author
        services.transition(fix, to, actor=actor, version=fix.version, now=when, **fields)

    def resolve(self, when: datetime, n: int, story: Story) -> None:
        note, cause, prevention = story.fixed
        self.move(
            when,
            n,
            S.RESOLVED,
            self.worker(story),
            resolution_note=note or "Done as agreed with the field.",
            root_cause_id=self.causes[cause or "Process gap"].id,
            prevention=prevention or "Checked in the monthly review.",
        )

    def assign(self, when: datetime, n: int, story: Story) -> None:
        fix, who = self.fixes[n], self.worker(story)
        services.assign(fix, who.id, actor=who, version=fix.version, now=when)

    def reprioritise(self, when: datetime, n: int) -> None:
        fix = self.fixes[n]
        note = "Three enterprise renewals depend on it."
        services.set_priority(
            fix, "P1", actor=self.leader(n), version=fix.version, note=note, now=when
        )

    def recur(self, when: datetime, n: int, story: Story) -> None:
        """The problem is back: a new report, and the verified fix reopened as a recurrence."""
        fix, leader = self.fixes[n], self.leader(n)
        again = create_post(
            self.users[AP],
            PostInput(
                kind=PostKind.BROKEN_PROMISE,
                title=f"{story.title} again",
                body="Same depot, same problem.",
                account=story_account("Koala Freight"),
                team_id=self.teams[story.team].id,
                promised=story.promised,
            ),
        )
        again.created_at = when - timedelta(hours=20)
        services.transition(
            fix,
            S.REOPENED,
            actor=leader,
            version=fix.version,
            note=story.why,
            recurrence_post=again,
            now=when,
        )
        creation.link_posts(fix, [again], actor=leader, version=fix.version, now=when)

    def escalate(self, when: datetime) -> None:
        """The morning cron run, and what some recipients did about a first escalation."""
        for escalation in escalations.escalate_overdue(now=when):
            extras = self.stories[escalation.fix_id].extras
            if escalation.level != 1 or escalation.round != 1:
                continue
            if "ack_esc" in extras:
                self.at(when + timedelta(hours=5), self.acknowledge, escalation)
            if "snooze" in extras:
                self.at(when + timedelta(hours=6), self.snooze, escalation)
            if "extend" in extras:
                self.at(when + timedelta(hours=7), self.extend, escalation)

    def acknowledge(self, when: datetime, escalation: Escalation) -> None:
        if escalation.acknowledged_at is None:
            escalations.acknowledge_escalation(escalation, actor=escalation.to_user, now=when)

    def snooze(self, when: datetime, escalation: Escalation) -> None:
        fix = escalation.fix
        if fix.is_open:
            escalations.snooze(
                fix,
                when + timedelta(days=6),
                actor=escalation.to_user,
                version=fix.version,
                reason="Fix agreed with the customer; holding escalation meanwhile.",
                now=when,
            )

    def extend(self, when: datetime, escalation: Escalation) -> None:
        fix = escalation.fix
        if fix.is_open:
            services.set_due(
                fix,
                fix.due_at + timedelta(days=21),
                actor=self.leader(fix.id),
                version=fix.version,
                reason="The customer accepted the new date.",
                now=when,
            )

    def plan(self, n: int, story: Story) -> None:
        """Schedule a story's steps at fractions of its age, so every step lies in the past.

        Most fixes are resolved within their SLA (at ``r``); those marked "late" are not.
        """
        start = self.now - timedelta(days=story.age, hours=n % 7)
        sla_days = sla.sla_for(story.priority)[1]
        r = 0.6 if "late" in story.extras else min(0.6, 0.7 * sla_days / story.age)

        def do(fraction: float, step, *args, **kwargs) -> None:
            self.at(start + (self.now - start) * fraction, step, n, *args, **kwargs)

        ops, leader, extras, why = self.worker(story), self.leader(n), story.extras, story.why
        self.at(start, self.open, n, story)
        if "assign" in extras:
            do(0.03, self.assign, story)
        if "reprioritise" in extras:
            do(0.04, self.reprioritise)
        if story.status == S.OPEN:
            return
        if story.status == S.WONT_FIX:
            do(0.2, self.move, S.WONT_FIX, leader, note=why)
            return
        if "from_wont_fix" in extras:
            do(0.2, self.move, S.WONT_FIX, leader, note="Outside the offer, as far as we know.")
            do(0.6, self.move, S.REOPENED, leader, note=why)
            return
        do(r * 0.08, self.move, S.ACKNOWLEDGED, ops)
        if story.status == S.ACKNOWLEDGED:
            return
        do(r * 0.15, self.move, S.IN_PROGRESS, ops)
        if story.status == S.BLOCKED:
            do(0.5, self.move, S.BLOCKED, ops, note=why)
        elif story.status == S.RESOLVED:
            self.at(self.now - timedelta(days=1 + n % 3), self.resolve, n, story)
        elif story.status == S.VERIFIED and "leader_verify" in extras:
            do(r, self.resolve, story)
            late = start + (self.now - start) * r + self.window + timedelta(days=1)
            self.at(late, self.move, n, S.VERIFIED, leader)
        elif story.status == S.VERIFIED:
            if "reopened_before" in extras:
                do(r * 0.5, self.resolve, story)
                do(r * 0.6, self.move, S.REOPENED, None, note=why)
                do(r * 0.7, self.move, S.IN_PROGRESS, ops)
            do(r, self.resolve, story)
            do(r + 0.05, self.move, S.VERIFIED, None)
        elif story.status == S.REOPENED and "recurrence" in extras:
            do(r, self.resolve, story)
            do(r + 0.05, self.move, S.VERIFIED, None)
            do(0.8, self.recur, story)
        elif story.status == S.REOPENED:
            do(r, self.resolve, story)
            do(r + 0.1, self.move, S.REOPENED, None, note=why)

    def plan_escalation_runs(self, first: datetime) -> None:
        """Cron ran ``flask escalate`` every morning at nine."""
        day = datetime.combine(first.date(), time(9), tzinfo=first.tzinfo)
        while day < self.now:
            self.at(day, self.escalate)
            day += timedelta(days=1)


def seed_fixes(users: dict[str, User]) -> int:
    """The demo fixes, unless there are fixes already. Flushes; the caller commits.

    Returns how many fixes were made.
    """
    if db.session.scalar(sa.select(Fix.id).limit(1)) is not None:
        return 0
    replay = _Replay(users)
    for n, story in enumerate(STORIES):
        replay.plan(n, story)
    replay.plan_escalation_runs(replay.queue[0][0])
    replay.play()
    db.session.flush()
    return len(replay.fixes)
