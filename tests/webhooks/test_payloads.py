"""What each event's payload says, and that a shielded reporter is never named in any of them:
not when they file, not when their report is triaged or becomes a fix, not when they reopen
or verify that fix, not when it escalates."""

import json
from datetime import timedelta

import pytest

from forum.extensions import db
from forum.fixes import escalations
from forum.fixes.models import FixStatus
from forum.triage import services as triage
from forum.webhooks.events import KEYS
from tests.notify.conftest import file_post, make_fix, move, person, resolve
from tests.webhooks.conftest import deliveries, register

PUBLIC = "https://93.184.215.14/hook"  # a public address: registration needs no DNS
NAME, EMAIL = "Zelda Whistleblower", "zelda.w@example.test"
LABEL = "A verified rep (EMEA)"


def payloads(event: str | None = None) -> list[dict]:
    found = [json.loads(d.body) for d in deliveries()]
    return [p for p in found if event is None or p["event"] == event]


@pytest.fixture
def shielded_story(org):
    """Everything that happens to a shielded report and its fix, with an endpoint hearing of
    every event."""
    register(org, PUBLIC, events=KEYS)
    post = file_post(org.author, title="The carrier loses pallets", shielded=True)
    fix = make_fix(org, post)
    resolve(org, fix)
    move(fix, "reopened", org.author, note="Lost again on Monday")
    move(fix, "in_progress", org.ops)
    move(
        fix,
        "resolved",
        org.ops,
        resolution_note="Tracking on every pallet",
        root_cause_id=org.cause,
        prevention="Audit",
    )
    move(fix, "verified", org.author)
    late = make_fix(org, file_post(org.author, title="Labels smudge", shielded=True))
    escalations.escalate_overdue(now=late.due_at + timedelta(days=2))
    declined = file_post(org.author, title="Too expensive", shielded=True)
    triage.decline(declined, actor=person(org.leader), reason="Pricing is set")
    db.session.commit()
    return fix


def test_every_event_of_a_shielded_story_is_announced(shielded_story):
    assert {p["event"] for p in payloads()} == set(KEYS)


def test_no_payload_names_a_shielded_reporter(shielded_story):
    for payload in payloads():
        body = json.dumps(payload, ensure_ascii=False)
        assert NAME not in body and EMAIL not in body, payload["event"]
        assert "author_id" not in body


def test_a_shielded_reporter_is_named_by_the_shield_label(shielded_story):
    filed = payloads("report.filed")
    assert {p["data"]["report"]["author"] for p in filed} == {LABEL}
    assert all(LABEL in p["blocks"][0]["text"]["text"] for p in filed)
    [verified] = payloads("fix.verified")
    [reopened] = payloads("fix.reopened")
    assert verified["data"]["actor"] == reopened["data"]["actor"] == LABEL
    assert verified["data"]["to_status"] == FixStatus.VERIFIED
    assert reopened["data"]["note"] == "Lost again on Monday"


def test_an_unshielded_reporter_is_named(org):
    register(org, PUBLIC, events=["report.filed"])
    file_post(org.author, title="Open feedback")
    [payload] = payloads("report.filed")
    assert payload["data"]["report"]["author"] == NAME
    assert NAME in payload["text"] or NAME in payload["blocks"][0]["text"]["text"]


def test_an_endpoint_hears_only_its_events(org):
    register(org, PUBLIC, events=["fix.created"])
    post = file_post(org.author)
    make_fix(org, post)
    assert [p["event"] for p in payloads()] == ["fix.created"]
    [payload] = payloads()
    assert payload["data"]["fix"]["url"].endswith(f"/fixes/{payload['data']['fix']['id']}")


def test_nothing_is_queued_without_endpoints(org):
    file_post(org.author)
    assert deliveries() == []
