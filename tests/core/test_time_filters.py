"""Dates and times on pages: one <time> element each (machine-readable, never broken across
lines), plain text in e-mails."""

from datetime import date, datetime, timedelta
from pathlib import Path

from forum.core.time import utcnow

WHEN = datetime(2026, 12, 3, 9, 5, 30)


def _render(app, source: str, text: bool = False, **context) -> str:
    with app.app_context():
        env = app.jinja_env.overlay(autoescape=not text)
        return env.from_string(source).render(**context)


def test_a_date_on_a_page_is_a_time_element_with_its_iso_value(app):
    assert _render(app, "{{ d|date }}", d=WHEN) == (
        '<time datetime="2026-12-03T09:05:30+00:00">2026-12-03</time>'
    )
    assert _render(app, "{{ d|date }}", d=date(2026, 7, 13)) == (
        '<time datetime="2026-07-13">2026-07-13</time>'
    )
    assert _render(app, "{{ d|datetime }}", d=WHEN) == (
        '<time datetime="2026-12-03T09:05:30+00:00">2026-12-03 09:05 UTC</time>'
    )


def test_a_relative_time_carries_the_exact_time_as_its_title(app):
    html = _render(app, "{{ d|ago }}", d=utcnow() - timedelta(days=3, hours=1))
    assert html.startswith('<time datetime="') and ">3 days ago</time>" in html
    assert ' title="' in html and ' UTC">' in html


def test_an_e_mail_gets_the_date_as_plain_text(app):
    assert _render(app, "due {{ d|date }}", text=True, d=WHEN) == "due 2026-12-03"
    assert _render(app, "{{ d|datetime }}", text=True, d=WHEN) == "2026-12-03 09:05 UTC"


def test_no_date_is_an_empty_string(app):
    assert _render(app, "[{{ d|date }}{{ d|datetime }}{{ d|ago }}]", d=None) == "[]"


def test_the_stylesheet_keeps_a_time_element_on_one_line(app):
    css = Path(app.static_folder, "css", "app.css").read_text()
    assert "time { white-space: nowrap; }" in css
