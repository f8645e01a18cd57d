"""What the benchmark organisation writes: the demo's templates, filled in and varied."""

import json
import random
from pathlib import Path

import forum.demo

DEMO = json.loads(
    Path(forum.demo.__file__).with_name("post_texts.json").read_text(encoding="utf-8")
)

# Found in exactly RARE_COUNT reports: the benchmark's "search for a rare word".
RARE_WORD = "quokka"
RARE_COUNT = 3
COMMON_WORD = "delivery"
FIELD_WORDS = (
    "delivery late shipment pallets carrier warehouse invoice billing credit note refund "
    "discount pricing contract renewal onboarding implementation support ticket response "
    "escalation outage integration export dashboard roadmap release defect packaging damaged "
    "missing customs lead time customer competitor cheaper rollout training migration audit "
    "compliance payment terms overdue portal login mobile follow-up go-live sign-off"
).split()
FIRST = "Alex Sam Jordan Riley Casey Morgan Taylor Jamie Robin Drew Kim Noa Lea Ana Ivo".split()
LAST = (
    "Meyer Garcia Chen Okafor Rossi Novak Silva Kowalski Dubois Tanaka Jensen Haddad Moreau "
    "Larsen Ortiz Petrov Nakamura Schmidt Moreno Keller"
).split()
COMPANY = (
    "Acme Globex Initech Umbrella Hooli Vandelay Stark Wayne Wonka Tyrell Cyberdyne Soylent "
    "Oceanic Nakatomi Monarch Virtucon Duff Gekko Oscorp Aperture Harbor Bluestone Northwind "
    "Contoso Fabrikam Tailspin Litware Adatum Proseware Lucerne"
).split()
COMPANY_KIND = "Logistics Health Foods Energy Retail Systems Labs Mining Textiles Partners".split()
SUFFIX = "GmbH Ltd Inc SA BV Oy AB KK Pty SpA".split()


class _Fill(dict):
    """Placeholders of a template, each filled on demand."""

    def __init__(self, rng: random.Random, account: str, competitor: str):
        super().__init__(account=account, competitor=competitor)
        self.rng = rng

    def __missing__(self, key: str) -> str:
        rng = self.rng
        choices = {
            "feature": DEMO["features"],
            "quarter": DEMO["quarters"],
            "contact": DEMO["contacts"],
        }
        if key in choices:
            return rng.choice(choices[key])
        return str(rng.randint(2, 40))


def person(i: int) -> str:
    return f"{FIRST[i % len(FIRST)]} {LAST[(i // len(FIRST)) % len(LAST)]} {i}"


def company(i: int) -> str:
    a = COMPANY[i % len(COMPANY)]
    b = COMPANY_KIND[(i // len(COMPANY)) % len(COMPANY_KIND)]
    return f"{a} {b} {SUFFIX[(i // 7) % len(SUFFIX)]} {i}"


def sentence(rng: random.Random, words: int = 9) -> str:
    text = " ".join(rng.choice(FIELD_WORDS) for _ in range(words))
    return text[0].upper() + text[1:] + "."


def report(rng: random.Random, kind: str, account: str, competitor: str) -> dict:
    """A filled-in template of ``kind`` (field_feedback, win_loss, broken_promises)."""
    template = rng.choice(DEMO[kind])
    fill = _Fill(rng, account, competitor)
    out = dict(template)
    out["title"] = template["title"].format_map(fill)[:200]
    out["body"] = template["body"].format_map(fill) + "\n\n" + sentence(rng, rng.randint(6, 30))
    if "promised" in template:
        out["promised"] = template["promised"].format_map(fill)
    return out


def comment(rng: random.Random, account: str, internal: bool) -> str:
    pool = DEMO["internal_notes"] if internal else DEMO["public_comments"] + DEMO["ops_comments"]
    text = rng.choice(pool).format_map(_Fill(rng, account, "a competitor"))
    return text + " " + sentence(rng, rng.randint(3, 14))
