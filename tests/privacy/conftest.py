"""A small organisation around one person, Rita, built through the real services.

Rita (a rep in Nordics) files a report with a file and a shielded report, comments on Olga's
report and says "me too" on it, asks for a password reset, turns mention notifications off
and comments on the fix her report became. Olga (a rep) says "me too" on Rita's report;
Oscar (ops, the lead of Shipping) is assigned the fix, acknowledges it, is escalated to,
writes an internal note on Rita's report and comments on the fix. An e-mail queued to Olga
names Rita, and a notification to Olga names a customer called like her.
"""

import io
from dataclasses import dataclass
from datetime import timedelta

import pytest
from markupsafe import escape
from PIL import Image

from forum.auth import services as accounts
from forum.core import audit, outbox
from forum.extensions import db
from forum.feedback import services as posts
from forum.feedback.models import PostKind
from forum.fixes import creation, escalations
from forum.fixes import services as fixes
from forum.fixes.models import FixStatus
from forum.notify import services as notify
from forum.notify.models import Notification
from tests import factories
from tests.conftest import Who

RITA, RITA_EMAIL = "Rita Example", "rita@example.test"
OLGA, OLGA_EMAIL = "Olga Other", "olga@example.test"
OSCAR, OSCAR_EMAIL = "Oscar Ops", "oscar@example.test"
PUBLIC = "Invoices must be in EUR"
SHIELDED = "Our pricing page scares buyers"
OLGAS = "Olga's own report"
OLGAS_WORDS = "Olga's own words about discounts."
OLGAS_ME_TOO = "Olga's me too"
RITAS_COMMENT = "Agreed: three of my customers said so."
RITAS_ME_TOO = "Me too, at Nordwind"
RITAS_FIX_COMMENT = "My customers will check the first EUR invoice."
OSCARS_NOTE = "Oscar's internal note on invoicing."
OSCARS_FIX_COMMENT = "Oscar's fix comment."
FILE_NAME = "rita-example-receipt.png"
COINCIDENCE = "Rita Example Ltd asks for EUR invoices too"


@dataclass
class World:
    ids: dict[str, int]
    people: dict[str, Who]


def _who(user) -> Who:
    return Who(user.id, user.email, user.role, user.team_id)


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (2, 2), "red").save(out, format="PNG")
    return out.getvalue()


def _report(author, title: str, body: str = "Heard at three customers.", **fields):
    return posts.create_post(
        author, posts.PostInput(kind=PostKind.FIELD_FEEDBACK, title=title, body=body, **fields)
    )


@pytest.fixture
def world(app) -> World:
    with app.test_request_context():  # the reset e-mail's link is built with url_for
        region = factories.team("sales", name="Nordics")
        shipping = factories.team("operations", name="Shipping")
        rita = factories.user("rep", team_obj=region, display_name=RITA, email=RITA_EMAIL)
        olga = factories.user("rep", team_obj=region, display_name=OLGA, email=OLGA_EMAIL)
        factories.user("rep", team_obj=region)  # a third rep: shields name the region
        oscar = factories.user("ops", team_obj=shipping, display_name=OSCAR, email=OSCAR_EMAIL)
        shipping.lead = oscar
        lena = factories.user("leader", display_name="Lena Leader")
        audit.record("user.create", target=rita, role="rep", email=RITA_EMAIL)

        public = _report(rita, PUBLIC)
        shielded = _report(rita, SHIELDED, shielded=True)
        evidence = posts.add_attachment(public, rita, _png(), FILE_NAME)
        olgas = _report(olga, OLGAS, OLGAS_WORDS)
        posts.add_comment(olgas, rita, RITAS_COMMENT)  # Olga is told: "Rita Example commented"
        posts.corroborate(olgas, rita, note=RITAS_ME_TOO)
        posts.corroborate(public, olga, note=OLGAS_ME_TOO)
        posts.add_comment(public, oscar, OSCARS_NOTE, internal=True)
        accounts.request_reset(RITA_EMAIL)
        notify.set_preference(rita, "mention", "off")
        outbox.enqueue(
            OLGA_EMAIL,
            f"{RITA} mentioned you on “{OLGAS}”",
            f"{RITA} mentioned you on “{OLGAS}”:\n\nSee you Monday.",
            f"<p>{RITA} mentioned you on “{escape(OLGAS)}”:</p><p>See you Monday.</p>",
            user_id=olga.id,
            event="mention",
        )
        db.session.add(  # a customer called like Rita: not her name, but the same words
            Notification(user_id=olga.id, event="mention", title=COINCIDENCE, email_mode="daily")
        )

        fix = creation.create_fix(
            title="EUR invoicing",
            problem="Customers need invoices in EUR.",
            owner_team_id=shipping.id,
            priority="P3",
            actor=lena,
            posts=[public],
        )
        fixes.assign(fix, oscar.id, actor=lena, version=fix.version)
        fixes.transition(fix, FixStatus.ACKNOWLEDGED, actor=oscar, version=fix.version)
        fixes.add_comment(fix, oscar, OSCARS_FIX_COMMENT)
        fixes.add_comment(fix, rita, RITAS_FIX_COMMENT)
        escalations.escalate_overdue(now=fix.due_at + timedelta(days=1))
        db.session.commit()
        ids = dict(
            rita=rita.id,
            olga=olga.id,
            oscar=oscar.id,
            lena=lena.id,
            shipping=shipping.id,
            public=public.id,
            shielded=shielded.id,
            evidence=evidence.id,
            olgas=olgas.id,
            fix=fix.id,
        )
        people = {k: _who(u) for k, u in dict(rita=rita, olga=olga, oscar=oscar, lena=lena).items()}
        return World(ids, people)
