"""Follow-ups of a verified fix: who gets which, who may mark what, the moves table, the
history, withdrawal on reopen, and a draft that keeps internal words and shielded names out."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from forum.core.errors import Conflict, DomainError, Forbidden
from forum.core.time import utcnow
from forum.extensions import db
from forum.feedback import services as posts
from forum.feedback.models import Outcome, PostKind, PostStatus
from forum.fixes import services as fixes
from forum.loop import drafts, services, workflow
from forum.loop.models import FollowUp, FollowUpEvent, FollowUpKind, FollowUpState
from forum.notify.models import Notification
from forum.taxonomy.models import ReasonBranch, TaxonomyKind
from tests import factories
from tests.fixes import builders

S = FollowUpState


@pytest.fixture
def org(app):
    with app.app_context():
        yield builders.org()


def _deal(org, author_key="rep_unrelated", *, outcome=Outcome.LOST, **fields):
    reason = factories.term(TaxonomyKind.REASON, branch=ReasonBranch.DELIVERY)
    return factories.post(
        PostKind.WIN_LOSS,
        author=org.user(author_key),
        outcome=outcome,
        primary_reason=reason,
        deal_value=fields.pop("deal_value", 12000),
        currency=fields.pop("currency", "EUR"),
        **fields,
    )


def _verify(fix, org):
    fixes.transition(fix, "verified", actor=org.user("rep_reporter"), version=fix.version)


def _follow_ups(fix_id=None):
    query = sa.select(FollowUp).order_by(FollowUp.id)
    if fix_id is not None:
        query = query.where(FollowUp.fix_id == fix_id)
    return db.session.scalars(query).all()


def test_verifying_a_fix_asks_each_broken_promise_author_to_tell_their_customer(org):
    fix = builders.fix_in(org, "resolved")
    assert _follow_ups(fix.id) == []
    _verify(fix, org)
    [f] = _follow_ups(fix.id)
    assert (f.kind, f.state, f.rep_id) == (
        FollowUpKind.CUSTOMER,
        S.TO_TELL,
        org.users["rep_reporter"],
    )
    [note] = db.session.scalars(
        sa.select(Notification).where(Notification.event == "customer_to_tell")
    ).all()
    assert note.user_id == org.users["rep_reporter"]


@pytest.mark.parametrize("link", ["cause_post", "cause_fix", "triaged", "merged_report"])
def test_a_lost_deal_whose_cause_is_the_fix_gets_a_re_engage_task(org, link):
    fix = builders.fix_in(org, "resolved")
    [report] = fix.posts
    if link == "cause_post":
        deal = _deal(org, cause_post_id=report.id)
    elif link == "cause_fix":
        deal = _deal(org, cause_fix_id=fix.id)
    elif link == "triaged":
        deal = _deal(org, fix_id=fix.id)
    else:  # pointing at a report merged as a duplicate into the linked one
        copy = factories.post(PostKind.BROKEN_PROMISE, status=PostStatus.DUPLICATE)
        copy.duplicate_of_id = report.id
        deal = _deal(org, cause_post_id=copy.id)
    _verify(fix, org)
    deals = [f for f in _follow_ups(fix.id) if f.kind == FollowUpKind.DEAL]
    assert [(f.post_id, f.state, f.rep_id) for f in deals] == [
        (deal.id, S.TO_REENGAGE, org.users["rep_unrelated"])
    ]
    assert (
        db.session.scalar(
            sa.select(Notification.user_id).where(Notification.event == "deal_to_reengage")
        )
        == org.users["rep_unrelated"]
    )


def test_won_open_or_unrelated_deals_get_no_task_and_no_decision_ones_do(org):
    fix = builders.fix_in(org, "resolved")
    other = builders.fix_in(org, "resolved", title="Another fix")
    [report] = fix.posts
    _deal(org, outcome=Outcome.WON, cause_post_id=report.id)
    _deal(org, outcome=Outcome.OPEN, cause_fix_id=fix.id)
    _deal(org, cause_fix_id=other.id)
    undecided = _deal(org, outcome=Outcome.NO_DECISION, cause_fix_id=fix.id)
    _verify(fix, org)
    assert [f.post_id for f in _follow_ups(fix.id) if f.kind == FollowUpKind.DEAL] == [undecided.id]


def test_verifying_again_opens_nothing_twice_and_reopening_withdraws_untouched_steps(org):
    fix = builders.fix_in(org, "resolved")
    _deal(org, cause_fix_id=fix.id)
    _verify(fix, org)
    customer, deal = _follow_ups(fix.id)
    services.move(deal, S.REENGAGED, actor=org.user("rep_unrelated"))
    fixes.transition(
        fix, "reopened", actor=org.user("leader"), version=fix.version, note="It recurred"
    )
    assert (customer.state, deal.state) == (S.WITHDRAWN, S.REENGAGED)
    for to in ("in_progress", "resolved"):
        fixes.transition(
            fix, to, actor=org.user("ops_owner"), version=fix.version, **builders.required(org)
        )
    assert services.open_for_fix(fix) == []  # not verified: nothing
    _verify(fix, org)
    assert [f.state for f in _follow_ups(fix.id)] == [S.TO_TELL, S.REENGAGED]
    assert len(_follow_ups()) == 2


def test_only_the_rep_who_owes_the_step_may_mark_it(org):
    fix = builders.fix_in(org, "verified")
    [f] = _follow_ups(fix.id)
    for key in ("rep_corroborator", "leader", "admin", "ops_owner"):
        with pytest.raises(Forbidden):
            services.move(f, S.INFORMED, actor=org.user(key))
        with pytest.raises(Forbidden):
            services.save_message(f, "Hello", actor=org.user(key))
    assert f.state == S.TO_TELL
    services.move(f, S.INFORMED, actor=org.user("rep_reporter"))
    assert f.state == S.INFORMED


ALL_PAIRS = [(a, b) for a in S for b in S if a != b]


@pytest.mark.parametrize(("frm", "to"), ALL_PAIRS, ids=[f"{a}->{b}" for a, b in ALL_PAIRS])
def test_the_moves_table_decides_every_mark(org, frm, to):
    fix = builders.fix_in(org, "verified")
    [f] = _follow_ups(fix.id)
    f.kind = FollowUpKind.DEAL if frm in {S.TO_REENGAGE, S.REENGAGED, S.WON_BACK} else f.kind
    f.state = frm
    db.session.flush()
    rep = org.user("rep_reporter")
    if (frm, to) in workflow.MOVES:
        event = services.move(f, to, actor=rep, note="Called them")
        assert f.state == to
        assert (event.from_state, event.to_state, event.actor_id) == (frm, to, rep.id)
        assert (f.closed_at is not None) == f.is_closed
    else:
        with pytest.raises(Conflict):
            services.move(f, to, actor=rep)
        assert f.state == frm


def test_a_stale_page_and_a_day_in_the_future_are_refused(org):
    fix = builders.fix_in(org, "verified")
    [f] = _follow_ups(fix.id)
    rep = org.user("rep_reporter")
    with pytest.raises(DomainError):
        services.move(f, S.INFORMED, actor=rep, on=utcnow().date() + timedelta(days=3))
    with pytest.raises(Conflict):
        services.move(f, S.TRUST_RESTORED, actor=rep, state_seen="informed")
    day = utcnow().date()
    services.move(f, S.INFORMED, actor=rep, on=day, state_seen="to_tell")
    assert f.informed_on == day
    with pytest.raises(Conflict):
        services.move(f, S.TRUST_RESTORED, actor=rep, state_seen="to_tell")


def test_every_change_is_recorded(org):
    fix = builders.fix_in(org, "verified")
    [f] = _follow_ups(fix.id)
    rep = org.user("rep_reporter")
    services.save_message(f, "Dear Anna, we changed carriers.", actor=rep)
    services.move(f, S.INFORMED, actor=rep)
    services.move(f, S.STILL_UNHAPPY, actor=rep, note="Wants a discount")
    services.move(f, S.TRUST_RESTORED, actor=rep)
    events = db.session.scalars(
        sa.select(FollowUpEvent)
        .where(FollowUpEvent.follow_up_id == f.id)
        .order_by(FollowUpEvent.id)
    ).all()
    assert [(e.kind, e.to_state, e.actor_id) for e in events] == [
        ("opened", "to_tell", None),
        ("message", "", rep.id),
        ("state", "informed", rep.id),
        ("state", "still_unhappy", rep.id),
        ("state", "trust_restored", rep.id),
    ]
    assert events[3].note == "Wants a discount"


def test_the_draft_says_what_went_wrong_changed_and_prevents_and_nothing_internal(org):
    shy = org.user("rep_corroborator")
    shy.display_name = "Shirley Shielded"
    start = utcnow() - timedelta(days=20)
    mine = builders.report(org.user("rep_reporter"), team_id=org.ops_team_id, at=start)
    theirs = builders.report(shy, team_id=org.ops_team_id, shielded=True, at=start)
    posts.add_comment(
        mine, org.user("ops_owner"), "INTERNAL: carrier contract lapsed", internal=True
    )
    fix = builders.open_fix(org, [mine, theirs], now=start)
    fixes.add_comment(fix, org.user("ops_owner"), "Fix comment nobody outside should read")
    for to, who in builders.PATHS["resolved"]:
        kwargs = builders.required(org) | {
            "resolution_note": "A second carrier is under contract (thanks to Shirley Shielded "
            "and @ops.owner)",
        }
        fixes.transition(fix, to, actor=org.user(who), version=fix.version, **kwargs)
    _verify(fix, org)
    f = next(f for f in _follow_ups(fix.id) if f.post_id == mine.id)
    text = drafts.draft(f).body
    assert "Delivery in 5 working days" in text  # what was promised
    assert "A second carrier is under contract" in text  # what changed
    assert "Weekly capacity review with both carriers" in text  # the prevention
    for secret in ("Shirley", "INTERNAL", "Fix comment", "Promised 5 days, took 21", "@ops"):
        assert secret not in text
    assert text.rstrip().endswith(org.user("rep_reporter").display_name)
    link = drafts.draft(f).mailto()
    assert link.startswith("mailto:?subject=") and "Shirley" not in link


def test_a_cause_can_be_named_only_with_a_delivery_reason_and_must_exist(org):
    fix = builders.fix_in(org, "resolved")
    [report] = fix.posts
    rep = org.user("rep_unrelated")
    product = factories.term(TaxonomyKind.REASON)
    delivery = factories.term(TaxonomyKind.REASON, branch=ReasonBranch.DELIVERY)

    def file(**fields):
        return posts.create_post(
            rep,
            posts.PostInput(
                kind=PostKind.WIN_LOSS,
                title="Lost Acme",
                body="Late pallets.",
                outcome="lost",
                **fields,
            ),
        )

    with pytest.raises(DomainError, match="delivery/operations"):
        file(primary_reason_id=product.id, cause_post_id=report.id)
    with pytest.raises(DomainError, match="no broken-promise report"):
        file(primary_reason_id=delivery.id, cause_post_id=999_999)
    with pytest.raises(DomainError, match="no fix"):
        file(primary_reason_id=delivery.id, cause_fix_id=999_999)
    deal = file(
        primary_reason_id=product.id, secondary_reason_ids=[delivery.id], cause_post_id=report.id
    )
    assert deal.cause_post_id == report.id
