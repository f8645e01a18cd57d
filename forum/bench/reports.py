"""The benchmark organisation's reports and their discussions, planned in memory.

Reports are spread over two years and numbered in the order they were filed. Old reports are
triaged (linked to a fix, noted, declined, merged as duplicates); the inbox holds recent ones.
Threads are skewed: most reports draw a few comments, a few draw hundreds, one the longest.
"""

import random
from bisect import bisect_left
from datetime import datetime, timedelta
from decimal import Decimal
from itertools import accumulate

from forum.bench import texts
from forum.bench.people import People
from forum.bench.scales import Scale
from forum.feedback.models import DealStage, Outcome, PostKind, PostStatus

SPAN_DAYS = 730
KINDS = [
    (PostKind.FIELD_FEEDBACK, "field_feedback", 0.5),
    (PostKind.WIN_LOSS, "win_loss", 0.25),
    (PostKind.BROKEN_PROMISE, "broken_promises", 0.25),
]
# Status of a triaged report (old ones), and of a recent one; LINKED ones go to fixes.
OLD = [
    (PostStatus.LINKED, 0.42),
    (PostStatus.NOTED, 0.27),
    (PostStatus.DECLINED, 0.13),
    (PostStatus.DUPLICATE, 0.07),
    (PostStatus.NEEDS_INFO, 0.01),
    (PostStatus.NEW, 0.01),
]
RECENT = [
    (PostStatus.NEW, 0.55),
    (PostStatus.NEEDS_INFO, 0.08),
    (PostStatus.LINKED, 0.2),
    (PostStatus.NOTED, 0.1),
    (PostStatus.DECLINED, 0.04),
    (PostStatus.DUPLICATE, 0.03),
]
NOTES = {
    PostStatus.NOTED: "Noted for the quarterly review.",
    PostStatus.DECLINED: "Working as designed; the contract says otherwise.",
    PostStatus.NEEDS_INFO: "Which order numbers were affected?",
    PostStatus.DUPLICATE: "Same problem as an earlier report.",
}
CURRENCIES = ["USD"] * 6 + ["EUR"] * 3 + ["GBP"]


class Picker:
    """Weighted choices, fast (cumulative weights and a binary search)."""

    def __init__(self, rng: random.Random, items: list, weights: list[float]):
        self.rng, self.items = rng, items
        self.cum = list(accumulate(weights))

    def __call__(self):
        return self.items[bisect_left(self.cum, self.rng.random() * self.cum[-1])]


def _status(rng: random.Random, table) -> PostStatus:
    r, acc = rng.random(), 0.0
    for status, share in table:
        acc += share
        if r < acc:
            return status
    return table[0][0]


def plan_reports(rng: random.Random, scale: Scale, people: People, now: datetime) -> list[dict]:
    """Every report (posts rows without fix_id: the fixes set it), in filing order."""
    author = Picker(rng, people.reps, people.rep_weights)
    account = Picker(rng, people.accounts, people.account_weights)
    kind = Picker(rng, KINDS, [k[2] for k in KINDS])
    # Slightly more reports lately (the company grows): ages skewed towards the recent.
    ages = sorted((rng.random() ** 1.2 * SPAN_DAYS for _ in range(scale.reports)), reverse=True)
    rare = set(rng.sample(range(scale.reports), min(texts.RARE_COUNT, scale.reports)))
    posts = []
    for i, age in enumerate(ages):
        created = now - timedelta(days=age, minutes=rng.randint(1, 600))
        user = author()
        acc = account() if rng.random() < 0.85 else None
        k, template, _ = kind()
        competitor = rng.choice(people.competitors)
        text = texts.report(rng, template, acc["name"] if acc else "a customer", "a competitor")
        status = _status(rng, RECENT if age < 30 else OLD)
        post = {
            "id": i + 1,
            "kind": k,
            "status": status,
            "status_reason": NOTES[status] if status in (PostStatus.DECLINED,) else "",
            "title": text["title"],
            "body": text["body"] + (f"\n\nThe {texts.RARE_WORD} again." if i in rare else ""),
            "author_id": user,
            "region_id": people.region_of[user],
            "team_id": None,
            "account_id": acc["id"] if acc else None,
            "shielded": rng.random() < 0.03,
            "duplicate_of_id": None,
            "fix_id": None,
            "triaged_at": None,
            "created_at": created,
            "updated_at": created,
            "version": 1,
            "corroboration_count": 0,
            "total_at_risk": Decimal(0),
            "at_risk_by_currency": {},
            "currency": rng.choice(CURRENCIES),
            "outcome": None,
            "deal_value": None,
            "stage": None,
            "competitor_id": None,
            "primary_reason_id": None,
            "closed_on": None,
            "promised": None,
            "basis": None,
            "impact": None,
            "revenue_at_risk": None,
        }
        if k == PostKind.WIN_LOSS:
            post["outcome"] = rng.choice([o.value for o in Outcome])
            post["deal_value"] = Decimal(rng.randrange(5, 900) * 1_000)
            post["stage"] = rng.choice([s.value for s in DealStage])
            post["competitor_id"] = competitor
            post["primary_reason_id"] = rng.choice(people.reasons)
            post["closed_on"] = created.date()
        elif k == PostKind.BROKEN_PROMISE:
            amount = Decimal(rng.randrange(1, 200) * 1_000)
            post["promised"] = text.get("promised", "Delivery within 5 working days")
            post["basis"] = text.get("basis", "person")
            post["impact"] = rng.randint(1, 4)
            post["revenue_at_risk"] = amount
            post["total_at_risk"] = amount
            post["at_risk_by_currency"] = {post["currency"]: str(amount)}
        if status == PostStatus.DUPLICATE:
            if i == 0:
                post["status"] = status = PostStatus.NOTED
            else:
                post["duplicate_of_id"] = rng.randint(1, i)
        posts.append(post)
    return posts


def post_events(rng: random.Random, posts: list[dict], people: People, now: datetime):
    """The triage entry of every triaged report but the linked ones (the fixes write those)."""
    for post in posts:
        status = post["status"]
        if status in (PostStatus.NEW, PostStatus.LINKED):
            continue
        at = min(post["created_at"] + timedelta(hours=rng.uniform(1, 72)), now)
        post["triaged_at"] = at if status != PostStatus.NEEDS_INFO else None
        post["version"] += 1
        post["updated_at"] = at
        details = {"duplicate_of": post["duplicate_of_id"]} if post["duplicate_of_id"] else {}
        yield {
            "post_id": post["id"],
            "at": at,
            "actor_id": rng.choice(people.leaders),
            "from_status": PostStatus.NEW.value,
            "to_status": status.value,
            "note": NOTES[status],
            "details": details,
        }


def _counts(rng: random.Random, n: int, total: int, longest: int) -> list[int]:
    """``n`` skewed counts adding up to about ``total``, the first one ``longest``."""
    weights = [rng.lognormvariate(0, 1.4) for _ in range(n - 1)]
    rest = max(0, total - longest)
    factor = rest / sum(weights) if weights else 0
    return [longest] + [int(w * factor + rng.random()) for w in weights]


def comments(rng: random.Random, scale: Scale, posts: list[dict], people: People, now):
    """Comment rows; the busiest report (a well-known one) gets the longest thread."""
    staff = people.leaders + [u for team in people.ops_by_team.values() for u in team]
    order = list(range(len(posts)))
    rng.shuffle(order)
    order.remove(len(posts) // 3)
    order.insert(0, len(posts) // 3)  # the longest thread: a report a third of the way in
    counts = _counts(rng, len(posts), scale.comments, scale.longest_thread)
    people_reps = people.reps
    for index, count in zip(order, counts, strict=True):
        post = posts[index]
        start, span = post["created_at"], (now - post["created_at"]).total_seconds()
        offsets = sorted(rng.random() * span for _ in range(count))
        for offset in offsets:
            internal = rng.random() < 0.1
            who = rng.choice(staff) if internal or rng.random() < 0.3 else rng.choice(people_reps)
            at = start + timedelta(seconds=offset)
            yield {
                "post_id": post["id"],
                "author_id": who,
                "body": texts.comment(rng, "the account", internal),
                "internal": internal,
                "created_at": at,
            }


def corroborations(rng: random.Random, scale: Scale, posts: list[dict], people: People, now):
    """ "Me too"s (without amounts): one per person per report, never by its author."""
    counts = _counts(rng, len(posts), scale.corroborations, min(300, len(people.reps) - 1))
    order = list(range(len(posts)))
    rng.shuffle(order)
    for index, count in zip(order, counts, strict=True):
        post = posts[index]
        if post["status"] == PostStatus.DUPLICATE or not count:
            continue
        who = set(rng.sample(people.reps, min(count + 1, len(people.reps))))
        who.discard(post["author_id"])
        who = sorted(who)[:count]
        post["corroboration_count"] = len(who)
        span = (now - post["created_at"]).total_seconds()
        for user in who:
            yield {
                "post_id": post["id"],
                "user_id": user,
                "account_id": None,
                "note": "",
                "created_at": post["created_at"] + timedelta(seconds=rng.random() * span),
            }
