"""The benchmark organisation's fixes: each walks the workflow table from its creation to its
status today, and its history is the hash chain the app itself would write (the real
``compute_hash``), so ``flask history verify`` passes.

Most fixes are old and closed; a few are huge (hundreds of reports, a thousand entries).
"""

import json
import random
from datetime import datetime, timedelta

from forum.bench.people import People
from forum.bench.scales import Scale
from forum.feedback.models import PostStatus
from forum.fixes.history import compute_hash
from forum.fixes.models import DEFAULT_SLA, EventKind, FixStatus, Priority
from forum.fixes.workflow import TRANSITIONS

S = FixStatus
# Where a fix stands today: (status, share) for old fixes and for fixes of the last 60 days.
OLD = [
    (S.VERIFIED, 0.62),
    (S.WONT_FIX, 0.1),
    (S.RESOLVED, 0.04),
    (S.IN_PROGRESS, 0.1),
    (S.BLOCKED, 0.04),
    (S.ACKNOWLEDGED, 0.04),
    (S.REOPENED, 0.03),
    (S.OPEN, 0.03),
]
RECENT = [
    (S.OPEN, 0.25),
    (S.ACKNOWLEDGED, 0.2),
    (S.IN_PROGRESS, 0.25),
    (S.BLOCKED, 0.06),
    (S.RESOLVED, 0.12),
    (S.VERIFIED, 0.08),
    (S.REOPENED, 0.02),
    (S.WONT_FIX, 0.02),
]
# The status moves that reach each status from a new fix.
PATHS = {
    S.OPEN: [],
    S.ACKNOWLEDGED: [S.ACKNOWLEDGED],
    S.IN_PROGRESS: [S.ACKNOWLEDGED, S.IN_PROGRESS],
    S.BLOCKED: [S.ACKNOWLEDGED, S.IN_PROGRESS, S.BLOCKED],
    S.RESOLVED: [S.ACKNOWLEDGED, S.IN_PROGRESS, S.RESOLVED],
    S.VERIFIED: [S.ACKNOWLEDGED, S.IN_PROGRESS, S.RESOLVED, S.VERIFIED],
    S.REOPENED: [S.ACKNOWLEDGED, S.IN_PROGRESS, S.RESOLVED, S.REOPENED],
    S.WONT_FIX: [S.ACKNOWLEDGED, S.WONT_FIX],
}
PRIORITIES = [(Priority.P1, 0.05), (Priority.P2, 0.2), (Priority.P3, 0.55), (Priority.P4, 0.2)]
REASON = {
    S.BLOCKED: "Waiting on the carrier's data feed.",
    S.WONT_FIX: "Out of scope for this year; the contract terms stand.",
    S.REOPENED: "It happened again at another account.",
}


def _pick(rng, table):
    r, acc = rng.random(), 0.0
    for item, share in table:
        acc += share
        if r < acc:
            return item
    return table[0][0]


def _groups(rng: random.Random, linked: list[dict], fixes: int, huge: int) -> list[list[dict]]:
    """The reports each fix gathers, in filing order: the first ``huge`` fixes gather reports
    from all over (a great many each), every other fix one or a few reports close in time."""
    big = max(2, min(len(linked) // (4 * max(1, huge)), 40 * max(1, len(linked) // 20_000)))
    chosen = set(range(0, len(linked), max(1, len(linked) // (big * huge)))[: big * huge])
    huge_posts = [p for i, p in enumerate(linked) if i in chosen]
    rest = [p for i, p in enumerate(linked) if i not in chosen]
    groups = [huge_posts[i::huge] for i in range(huge)]
    small = max(1, min(fixes - huge, len(rest)))
    sizes = [1] * small
    for _ in range(len(rest) - small):
        sizes[int(rng.random() ** 2 * small)] += 1  # a skew: a few fixes gather more
    rng.shuffle(sizes)
    cursor = 0
    for size in sizes:
        groups.append(rest[cursor : cursor + size])
        cursor += size
    return [g for g in groups if g]


def _moves(rng: random.Random, final: S, extra: int) -> list[tuple[str, object]]:
    """The steps after creation: status moves reaching ``final`` plus ``extra`` other entries
    (block/unblock cycles while in progress, reassignments, priority changes) — all allowed."""
    path = list(PATHS[final])
    steps: list[tuple[str, object]] = [(EventKind.STATUS, s) for s in path]
    # Where other entries may go: while the fix is open (before it is resolved or closed).
    closing = next(
        (i for i, (_, s) in enumerate(steps) if s in (S.RESOLVED, S.WONT_FIX)), len(steps)
    )
    in_progress = [i for i, (_, s) in enumerate(steps[:closing]) if s == S.IN_PROGRESS]
    inserts: list[tuple[int, list]] = []
    budget = extra
    while budget > 0:
        if in_progress and budget >= 2 and rng.random() < 0.3:
            at = in_progress[0] + 1
            inserts.append((at, [(EventKind.STATUS, S.BLOCKED), (EventKind.STATUS, S.IN_PROGRESS)]))
            budget -= 2
        else:
            kind = EventKind.ASSIGNED if rng.random() < 0.75 else EventKind.PRIORITY
            inserts.append((rng.randint(0, closing), [(kind, None)]))
            budget -= 1
    for at, items in sorted(inserts, key=lambda x: -x[0]):
        steps[at:at] = items
    return steps


def plan_fixes(rng: random.Random, scale: Scale, posts: list[dict], people: People, now):
    """Fix rows and their history rows; links the LINKED reports to them (posts change)."""
    linked = [p for p in posts if p["status"] == PostStatus.LINKED]
    groups = _groups(rng, linked, scale.fixes, scale.huge_fixes)
    paths = []
    min_total = 0
    for i, group in enumerate(groups):
        age = (now - max(p["created_at"] for p in group)).days if group else 0
        final = _pick(rng, RECENT if age < 60 else OLD)
        if i < scale.huge_fixes:
            final = S.IN_PROGRESS if i == 0 else _pick(rng, OLD)
        paths.append(final)
        min_total += 1 + len(PATHS[final])
    spare = max(0, scale.history - min_total - scale.longest_history)
    weights = [rng.lognormvariate(0, 1.0) for _ in groups]
    weights[0] = 0
    factor = spare / sum(weights)
    fixes, events = [], []
    for i, (group, final) in enumerate(zip(groups, paths, strict=True)):
        extra = int(weights[i] * factor + rng.random())
        if i == 0:
            extra = scale.longest_history - 1 - len(PATHS[final])
        fix, history = _fix(rng, i + 1, group, final, extra, people, now)
        fixes.append(fix)
        events.extend(history)
    return fixes, events


def _fix(rng, ident, group, final, extra, people: People, now: datetime):
    team = rng.choice(people.ops_teams)
    members = people.ops_by_team[team] or people.leaders
    priority = _pick(rng, PRIORITIES)
    last_post = max(p["created_at"] for p in group)
    created = min(last_post + timedelta(hours=rng.uniform(1, 96)), now - timedelta(hours=1))
    ack_hours, resolve_days = DEFAULT_SLA[priority.value]
    steps = _moves(rng, final, extra)
    # Entries spread from creation towards today: closed fixes within a few months.
    life = (now - created).total_seconds()
    if final in (S.VERIFIED, S.WONT_FIX, S.RESOLVED):
        life = min(life, rng.uniform(5, 120) * 86_400)
    gaps = sorted(rng.random() * life for _ in steps)
    leader = rng.choice(people.leaders)
    fix = {
        "id": ident,
        "title": group[0]["title"] if group else "A problem",
        "problem": (group[0]["body"] if group else "A problem.")[:2_000],
        "owner_team_id": team,
        "assignee_id": rng.choice(members),
        "created_by_id": leader,
        "priority": priority,
        "status": S.OPEN,
        "version": 1,
        "ack_due_at": created + timedelta(hours=ack_hours),
        "due_at": created + timedelta(days=resolve_days),
        "acknowledged_at": None,
        "resolved_at": None,
        "verified_at": None,
        "closed_at": None,
        "created_at": created,
        "updated_at": created,
        "status_reason": "",
        "resolution_note": "",
        "root_cause_id": None,
        "prevention": "",
        "reopen_count": 0,
        "recurrence_count": 0,
        "escalation_level": 0,
    }
    details = {
        "sla_due": fix["due_at"].isoformat(),
        "owner_team": people.teams[team - 1]["name"],
        "priority": priority.value,
        "due": fix["due_at"].isoformat(),
        "posts": [p["id"] for p in group],
        "assignee_id": fix["assignee_id"],
    }
    history = [_entry(fix, EventKind.CREATED, leader, created, "", S.OPEN, "", details)]
    for p in group:
        p.update(fix_id=ident, triaged_at=created, version=p["version"] + 1, updated_at=created)
    for (kind, to), offset in zip(steps, gaps, strict=True):
        at = created + timedelta(seconds=offset + 1)
        fix["version"] += 1
        fix["updated_at"] = at
        if kind == EventKind.ASSIGNED:
            old, new = fix["assignee_id"], rng.choice(members)
            fix["assignee_id"] = new
            history.append(
                _entry(fix, kind, leader, at, "", "", "", {"from_id": old, "to_id": new})
            )
        elif kind == EventKind.PRIORITY:
            old, new = fix["priority"], _pick(rng, PRIORITIES)
            fix["priority"] = new
            history.append(_entry(fix, kind, leader, at, old.value, new.value, "", {}))
        else:
            history.append(_move(rng, fix, to, at, members, leader, people))
    return fix, history


def _move(rng, fix, to: S, at, members, leader, people: People) -> dict:
    frm = fix["status"]
    if (frm, to) not in TRANSITIONS:
        raise ValueError(f"the workflow has no move {frm} -> {to}")
    actor = (
        rng.choice(members)
        if to in (S.ACKNOWLEDGED, S.IN_PROGRESS, S.BLOCKED, S.RESOLVED)
        else leader
    )
    note, details = REASON.get(to, ""), {}
    fix["status"] = to
    if to == S.ACKNOWLEDGED:
        fix["acknowledged_at"] = at
    elif to in (S.BLOCKED, S.WONT_FIX):
        fix["status_reason"] = note
        if to == S.WONT_FIX:
            fix["closed_at"] = at
    elif to == S.RESOLVED:
        cause, name = rng.choice(people.root_causes)
        fix.update(
            resolved_at=at,
            resolution_note="Fixed at the source; the next shipments were checked.",
            prevention="A weekly check of the same step.",
            root_cause_id=cause,
            status_reason="",
        )
        details = {
            "resolution_note": fix["resolution_note"],
            "root_cause": name,
            "prevention": fix["prevention"],
        }
    elif to == S.VERIFIED:
        fix["verified_at"] = fix["closed_at"] = at
        details = {"verified_for_reporters": True}
    elif to == S.REOPENED:
        fix["status_reason"] = note
        fix["reopen_count"] += 1
        fix["resolved_at"] = fix["verified_at"] = fix["closed_at"] = None
        fix["due_at"] = at + timedelta(days=DEFAULT_SLA[fix["priority"].value][1])
        details = {"new_due": fix["due_at"].isoformat()}
    elif to == S.IN_PROGRESS:
        fix["status_reason"] = ""
    return _entry(fix, EventKind.STATUS, actor, at, frm.value, to.value, note, details)


def _entry(fix, kind, actor, at: datetime, frm: str, to: str, note: str, details: dict) -> dict:
    seq = fix.setdefault("_seq", 0) + 1
    fix["_seq"] = seq
    prev = fix.get("_hash", "")
    details = json.loads(json.dumps(details, default=str))
    entry = {
        "fix_id": fix["id"],
        "seq": seq,
        "at": at,
        "actor_id": actor,
        "kind": str(kind),
        "from_value": str(frm),
        "to_value": str(to),
        "note": note,
        "details": details,
        "version_after": fix["version"],
        "prev_hash": prev,
    }
    entry["hash"] = compute_hash(**entry)
    fix["_hash"] = entry["hash"]
    return entry
