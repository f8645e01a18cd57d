"""The board's figures computed again in plain Python from the generated records — no SQL, no
code shared with ``forum.board`` — following the definitions in its docstrings."""

import math
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from fractions import Fraction

from tests.board.world import OPEN, FixRec, PostRec, World

DONE = {"resolved", "verified"}


def percentile(values: list[float], p: Fraction) -> float | None:
    """Linear interpolation between closest ranks (PostgreSQL's percentile_cont)."""
    if not values:
        return None
    ordered = sorted(values)
    position = p * (len(ordered) - 1)
    lo, hi = math.floor(position), math.ceil(position)
    frac = float(position - lo)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * frac


def seconds(later: datetime, earlier: datetime) -> float:
    return (later - earlier).total_seconds()


def day_start(d: date) -> datetime:
    return datetime.combine(d, time(0), tzinfo=UTC)


def in_period(moment: datetime | None, start: date, end: date) -> bool:
    return moment is not None and day_start(start) <= moment < day_start(end + timedelta(days=1))


def linked_posts(world: World, fix: FixRec) -> list[PostRec]:
    return [p for p in world.posts if p.fix_id == fix.id]


def fix_in_scope(world: World, fix: FixRec, region=None, segment=None, team=None) -> bool:
    if team is not None and fix.team_id != team:
        return False
    if region is None and not segment:
        return True
    for post in linked_posts(world, fix):
        if region is not None and post.region_id != region:
            continue
        if segment and (post.account_id is None or world.accounts[post.account_id][0] != segment):
            continue
        return True
    return False


def next_monday(now: datetime) -> datetime:
    today = day_start(now.date())
    return today + timedelta(days=7 - now.weekday())


def is_open(fix: FixRec) -> bool:
    return fix.status in OPEN


def is_resolved_in(fix: FixRec, start: date, end: date) -> bool:
    return fix.status in DONE and in_period(fix.resolved_at, start, end)


def ever_closed(fix: FixRec) -> bool:
    return fix.status in {"resolved", "verified", "wont_fix"} or fix.reopen_count > 0


def age_bucket(fix: FixRec, now: datetime) -> str:
    age = now - fix.created
    if age <= timedelta(days=7):
        return "age_0_7"
    if age <= timedelta(days=30):
        return "age_7_30"
    if age <= timedelta(days=90):
        return "age_30_90"
    return "age_90"


def team_figures(world: World, fixes: list[FixRec], start: date, end: date) -> dict:
    now = world.now
    opened = [f for f in fixes if is_open(f)]
    resolved = [f for f in fixes if is_resolved_in(f, start, end)]
    created = [f for f in fixes if in_period(f.created, start, end)]
    cohort = [f for f in created if ever_closed(f)]
    counts = {
        "open": len(opened),
        "overdue": sum(1 for f in opened if f.due < now),
        "due_week": sum(1 for f in opened if now <= f.due < next_monday(now)),
        "created": len(created),
        "resolved": len(resolved),
        "on_time": sum(1 for f in resolved if f.resolved_at <= f.due),
        "late": sum(1 for f in resolved if f.resolved_at > f.due),
        "closed_cohort": len(cohort),
        "reopened": sum(1 for f in cohort if f.reopen_count > 0),
        "recurred": sum(1 for f in cohort if f.recurrence_count > 0),
    }
    for name in ("age_0_7", "age_7_30", "age_30_90", "age_90"):
        counts[name] = sum(1 for f in opened if age_bucket(f, now) == name)
    ages = [seconds(now, f.created) for f in opened]
    ttr = [seconds(f.resolved_at, f.created) for f in resolved]
    return {
        "counts": counts,
        "revenue_open": once_per_account(world, opened),
        "accepted_loss": once_per_account(world, [f for f in fixes if f.status == "wont_fix"]),
        "overdue_by_priority": {
            p: sum(1 for f in opened if f.due < now and f.priority == p)
            for p in ("P1", "P2", "P3", "P4")
        },
        "median_age_days": _days(percentile(ages, Fraction(1, 2))),
        "ttr_median_days": _days(percentile(ttr, Fraction(1, 2))),
        "ttr_p90_days": _days(percentile(ttr, Fraction(9, 10))),
    }


def amounts_behind(world: World, fixes: list[FixRec]) -> list[tuple]:
    """(account, currency, amount, (when, source, id)) of every amount behind ``fixes``: their
    broken-promise reports' own and their "me too"s' (a "me too" naming no account is about the
    report's)."""
    ids = {f.id for f in fixes}
    posts = {p.id: p for p in world.posts if p.fix_id in ids}
    out = [
        (p.account_id, p.currency, p.revenue_at_risk, (p.created, 0, p.id))
        for p in posts.values()
        if p.kind == "broken_promise" and p.revenue_at_risk
    ]
    for e in world.echoes:
        if e.post_id in posts:
            account = e.account_id if e.account_id is not None else posts[e.post_id].account_id
            out.append((account, e.currency, e.amount, (e.created, 1, e.id)))
    return out


def once_per_account(world: World, fixes: list[FixRec]) -> dict:
    """{currency: total} over ``fixes``, each account once: the largest of its amounts in the
    currency of its earliest amount (README, "Money")."""
    by_account: dict = {}
    for account, currency, amount, order in amounts_behind(world, fixes):
        by_account.setdefault(account, []).append((order, currency, amount))
    totals: dict = {}
    for items in by_account.values():
        first = min(items)[1]
        best = max(amount for _, currency, amount in items if currency == first)
        totals[first] = totals.get(first, Decimal(0)) + best
    return totals


def account_amount(world: World, fixes: list[FixRec], account_id: int):
    """(currency, amount) that counts for one account over ``fixes``, or None."""
    items = [
        (order, currency, amount)
        for account, currency, amount, order in amounts_behind(world, fixes)
        if account == account_id
    ]
    if not items:
        return None
    first = min(items)[1]
    return first, max(amount for _, currency, amount in items if currency == first)


def converted(world: World, totals: dict) -> tuple[Decimal, list[str]]:
    """(the total in USD at the month's rates, the currencies without a rate)."""
    value, missing = Decimal(0), []
    for currency, amount in sorted(totals.items()):
        if currency == "USD":
            value += amount
        elif currency in world.rates:
            value += (amount * world.rates[currency]).quantize(Decimal("0.01"))
        else:
            missing.append(currency)
    return value, missing


def _days(value: float | None) -> float | None:
    return None if value is None else value / 86400


def promise_state(world: World, post: PostRec) -> str:
    fix = world.fix(post.fix_id) if post.fix_id else None
    if fix is not None and fix.status == "verified":
        return "kept"
    if fix is not None and fix.status == "resolved":
        return "awaiting"
    if fix is not None and fix.status in OPEN:
        return "fixing"
    if (fix is not None and fix.status == "wont_fix") or post.status in {"declined", "noted"}:
        return "given_up"
    return "untriaged"


def promise_team(world: World, post: PostRec) -> int | None:
    return world.fix(post.fix_id).team_id if post.fix_id else post.team_id


def promises(world: World, start: date, end: date, region=None, segment=None, team=None):
    """{team id: {state: count}} for broken promises filed in the period."""
    out: dict = {}
    for post in world.posts:
        if post.kind != "broken_promise" or post.status == "duplicate":
            continue
        if not in_period(post.created, start, end):
            continue
        if region is not None and post.region_id != region:
            continue
        if segment and (post.account_id is None or world.accounts[post.account_id][0] != segment):
            continue
        owner = promise_team(world, post)
        if team is not None and owner != team:
            continue
        states = out.setdefault(
            owner, dict.fromkeys(["kept", "awaiting", "fixing", "given_up", "untriaged"], 0)
        )
        states[promise_state(world, post)] += 1
    return out


def board(world: World, start: date, end: date, region=None, segment=None, team=None) -> dict:
    """{team id or 'all': figures} for the operations teams in scope."""
    teams = [team] if team is not None else world.ops_teams + [world.empty_team]
    scoped = [
        f
        for f in world.fixes
        if f.team_id in teams and fix_in_scope(world, f, region, segment, team)
    ]
    out = {t: team_figures(world, [f for f in scoped if f.team_id == t], start, end) for t in teams}
    out["all"] = team_figures(world, scoped, start, end)
    kept = promises(world, start, end, region, segment, team)
    for t in teams:
        out[t]["promises"] = kept.get(
            t, dict.fromkeys(["kept", "awaiting", "fixing", "given_up", "untriaged"], 0)
        )
    out["all"]["promises"] = {
        s: sum(kept.get(t, {}).get(s, 0) for t in teams)
        for s in ["kept", "awaiting", "fixing", "given_up", "untriaged"]
    }
    return out


def weekly(world: World, last_day: date, region=None, segment=None, team=None):
    """[(monday, reported, resolved)] for the 12 weeks ending with the week of ``last_day``."""
    monday = last_day - timedelta(days=last_day.weekday())
    weeks = [monday - timedelta(weeks=11 - i) for i in range(12)]
    teams = [team] if team is not None else world.ops_teams + [world.empty_team]
    scoped = [
        f
        for f in world.fixes
        if f.team_id in teams and fix_in_scope(world, f, region, segment, team)
    ]
    out = []
    for w in weeks:
        end = w + timedelta(days=6)
        out.append(
            (
                w,
                sum(1 for f in scoped if in_period(f.created, w, end)),
                sum(1 for f in scoped if f.status in DONE and in_period(f.resolved_at, w, end)),
            )
        )
    return out


def top_fixes(world: World, limit: int = 10, region=None, segment=None, team=None) -> list[int]:
    opened = [
        f for f in world.fixes if is_open(f) and fix_in_scope(world, f, region, segment, team)
    ]
    opened.sort(key=lambda f: (-converted(world, once_per_account(world, [f]))[0], f.id))
    return [f.id for f in opened[:limit]]


def accounts_touched(world: World, fix: FixRec) -> set[int]:
    """The accounts named by the fix's linked reports and by their "me too"s."""
    posts = {p.id: p for p in linked_posts(world, fix)}
    named = {p.account_id for p in posts.values() if p.account_id is not None}
    return named | {
        e.account_id for e in world.echoes if e.post_id in posts and e.account_id is not None
    }


def arr_of_fix(world: World, fix: FixRec) -> dict:
    """{currency: ARR} of the accounts the fix touches, each account once."""
    totals: dict = {}
    for account in accounts_touched(world, fix):
        if account in world.arr:
            currency, value = world.arr[account]
            totals[currency] = totals.get(currency, Decimal(0)) + value
    return totals


def top_fixes_by_arr(world: World, limit: int = 10, region=None, segment=None, team=None):
    opened = [
        f for f in world.fixes if is_open(f) and fix_in_scope(world, f, region, segment, team)
    ]
    opened.sort(key=lambda f: (-converted(world, arr_of_fix(world, f))[0], f.id))
    return [f.id for f in opened[:limit]]


def status_at(fix: FixRec, moment: datetime) -> str | None:
    """The status at ``moment`` replayed from the history; None before the fix existed."""
    if fix.created >= moment:
        return None
    status = "open"
    for at, to in fix.events:
        if at < moment:
            status = to
    return status


def month_starts(last_day: date, count: int = 12) -> list[date]:
    out = []
    y, m = last_day.year, last_day.month
    for _ in range(count):
        out.append(date(y, m, 1))
        y, m = (y, m - 1) if m > 1 else (y - 1, 12)
    return out[::-1]


def monthly(world: World, team: int, last_day: date) -> list[dict]:
    fixes = [f for f in world.fixes if f.team_id == team]
    starts = month_starts(last_day)
    rows = []
    for i, first in enumerate(starts):
        nxt = starts[i + 1] if i + 1 < len(starts) else _next_month(first)
        last = nxt - timedelta(days=1)
        created = [f for f in fixes if in_period(f.created, first, last)]
        resolved = [f for f in fixes if is_resolved_in(f, first, last)]
        cohort = [f for f in created if ever_closed(f)]
        ttr = [seconds(f.resolved_at, f.created) for f in resolved]
        moment = min(day_start(nxt), world.now)
        kept = promises(world, first, last, team=team).get(team, {})
        rows.append(
            {
                "created": len(created),
                "resolved": len(resolved),
                "on_time": sum(1 for f in resolved if f.resolved_at <= f.due),
                "closed_cohort": len(cohort),
                "reopened": sum(1 for f in cohort if f.reopen_count > 0),
                "recurred": sum(1 for f in cohort if f.recurrence_count > 0),
                "open_at_end": sum(1 for f in fixes if status_at(f, moment) in OPEN),
                "ttr_median_days": _days(percentile(ttr, Fraction(1, 2))),
                "ttr_p90_days": _days(percentile(ttr, Fraction(9, 10))),
                "kept": kept.get("kept", 0),
                "promises": sum(kept.values()),
            }
        )
    return rows


def _next_month(d: date) -> date:
    return date(d.year + (d.month == 12), d.month % 12 + 1, 1)


# --- win/loss --------------------------------------------------------------------------------


def deals(world: World, start: date, end: date, region=None, segment=None):
    """The deals in scope: a deal belongs to its rep's region; no operations-team filter."""
    out = []
    for post in world.posts:
        if post.kind != "win_loss" or post.status == "duplicate":
            continue
        if not in_period(post.created, start, end):
            continue
        if region is not None and post.region_id != region:
            continue
        if segment and (post.account_id is None or world.accounts[post.account_id][0] != segment):
            continue
        out.append(post)
    return out


def win_rate(posts) -> float | None:
    won = sum(1 for p in posts if p.outcome == "won")
    lost = sum(1 for p in posts if p.outcome == "lost")
    return won / (won + lost) if won + lost else None


def gives_delivery_reason(world: World, post: PostRec) -> bool:
    ids = [post.primary_reason_id, *post.secondary_reason_ids]
    return any(i is not None and world.reasons[i] == "delivery" for i in ids)


def lost_to_unfixed(world: World, post: PostRec) -> bool:
    if post.outcome != "lost":
        return False
    if post.fix_id and world.fix(post.fix_id).status in OPEN:
        return True
    if post.account_id is None or not gives_delivery_reason(world, post):
        return False
    return any(
        p.kind == "broken_promise"
        and p.account_id == post.account_id
        and p.fix_id
        and world.fix(p.fix_id).status in OPEN
        for p in world.posts
    )


def money_by_currency(posts) -> dict[str, tuple[int, Decimal]]:
    out: dict = {}
    for p in posts:
        n, value = out.get(p.currency, (0, Decimal(0)))
        out[p.currency] = (n + 1, value + (p.deal_value or 0))
    return out


# --- the rep's reason beside the buyer's ----------------------------------------------------


def agreement(world: World, buyers, start: date, end: date, region=None, segment=None) -> dict:
    """Agreement figures (``forum.board.queries.agreement``'s definitions) in plain Python."""
    scoped = deals(world, start, end, region, segment)
    ids = {p.id for p in scoped}
    first = {}
    for answer in sorted(buyers.answers, key=lambda a: (a.submitted, a.id)):
        first.setdefault(answer.post_id, answer)
    pairs = [(p.primary_reason_id, first[p.id].main_reason_id) for p in scoped if p.id in first]
    compared = [(r, b) for r, b in pairs if b is not None]
    matrix: dict = {}
    by_reps: dict = {}
    by_buyers: dict = {}
    branch_reps: dict = {}
    branch_buyers: dict = {}
    for rep, buyer in pairs:
        matrix[(rep, buyer)] = matrix.get((rep, buyer), 0) + 1
        if rep is not None:
            by_reps[rep] = by_reps.get(rep, 0) + 1
            branch = world.reasons[rep] or "other"
            branch_reps[branch] = branch_reps.get(branch, 0) + 1
        if buyer is not None:
            by_buyers[buyer] = by_buyers.get(buyer, 0) + 1
            branch = world.reasons[buyer] or "other"
            branch_buyers[branch] = branch_buyers.get(branch, 0) + 1
    themes: dict = {}
    for answer in buyers.answers:
        if answer.post_id in ids:
            for chosen in answer.quote_themes:
                for theme in chosen:
                    name = buyers.themes[theme]
                    themes[name] = themes.get(name, 0) + 1
    regions: dict = {}
    post_region = {p.id: p.region_id for p in scoped}
    for survey in buyers.surveys:
        if survey.post_id not in ids:
            continue
        row = regions.setdefault(post_region[survey.post_id], {"asked": 0, "hours": []})
        row["asked"] += 1
        if survey.answered is not None:
            row["hours"].append(seconds(survey.answered, survey.created) / 3600)
    return {
        "deals": len(scoped),
        "answered": len(pairs),
        "compared": len(compared),
        "matches": sum(1 for r, b in compared if r == b),
        "matrix": matrix,
        "by_reps": by_reps,
        "by_buyers": by_buyers,
        "branch_reps": branch_reps,
        "branch_buyers": branch_buyers,
        "themes": themes,
        "regions": {
            k: (v["asked"], len(v["hours"]), percentile(v["hours"], Fraction(1, 2)))
            for k, v in regions.items()
        },
    }
