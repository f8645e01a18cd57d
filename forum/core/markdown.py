"""Markdown to safe HTML: no raw HTML in, an allow-list out, only http/https/mailto links."""

import html as _html
from functools import cache

import nh3
from markdown_it import MarkdownIt
from markupsafe import Markup

_md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False}).enable(
    ["table", "strikethrough"]
)

ALLOWED_TAGS = {
    "p",
    "br",
    "hr",
    "strong",
    "em",
    "del",
    "s",
    "code",
    "pre",
    "blockquote",
    "ul",
    "ol",
    "li",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "a",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "ol": {"start"}, "th": {"align"}, "td": {"align"}}
URL_SCHEMES = {"http", "https", "mailto"}


@cache
def _cleaner(plain: bool = False) -> nh3.Cleaner:
    """One sanitiser per process, built on first use (in the worker, after any fork)."""
    if plain:
        return nh3.Cleaner(tags=set())
    return nh3.Cleaner(
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="nofollow noopener noreferrer",
        strip_comments=True,
    )


def render(source: str | None) -> Markup:
    """Render ``source`` (stored as typed) to sanitised HTML, safe to put in a page."""
    clean = _cleaner().clean(_md.render(source or ""))
    # Headings inside a post must not compete with the page's own h1/h2.
    for level in (1, 2, 3):
        clean = clean.replace(f"<h{level}>", f"<h{level + 3 if level < 3 else 6}>")
        clean = clean.replace(f"</h{level}>", f"</h{level + 3 if level < 3 else 6}>")
    return Markup(clean)  # noqa: S704  # nosec B704  # sanitised by nh3 just above


def plain_excerpt(source: str | None, length: int = 200) -> str:
    """A short plain-text excerpt of ``source`` (for lists and e-mails)."""
    text = _html.unescape(_cleaner(plain=True).clean(_md.render(source or "")))
    text = " ".join(text.split())
    return text if len(text) <= length else text[: length - 1].rstrip() + "…"
