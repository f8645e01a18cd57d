"""The Markdown pipeline: no raw HTML in, an allow-list out, only http/https/mailto links."""

from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from forum.core.markdown import ALLOWED_ATTRIBUTES, ALLOWED_TAGS, plain_excerpt, render
from forum.extensions import db
from forum.feedback.models import Post, PostKind
from forum.feedback.services import PostInput, create_post
from tests import factories

# Pieces that tempt a sanitiser, mixed with arbitrary text.
FRAGMENTS = [
    "<script>alert(1)</script>",
    "<script",
    "</script>",
    "<img src=x onerror=alert(1)>",
    '"><svg onload=alert(1)>',
    "<a href='javascript:alert(1)'>x</a>",
    "[x](javascript:alert(1))",
    "[x](JAVASCRIPT:alert(1))",
    "[x](data:text/html;base64,PHNjcmlwdD4=)",
    "![x](data:image/png;base64,AAAA)",
    "[x](https://example.com)",
    "[x](mailto:a@example.com)",
    "<https://example.com>",
    "<javascript:alert(1)>",
    "[x]: javascript:alert(1)\n",
    "[x]",
    "&#x6A;avascript:",
    "java\tscript:",
    "onerror=",
    " onclick=alert(1) ",
    "<iframe src=//evil>",
    "<style>*{}</style>",
    "<!-- c -->",
    "```\n",
    "`",
    "# ",
    "\n",
    "\n\n",
    "> ",
    "* ",
    "1. ",
    "| a | b |\n|---|---|\n| c | d |\n",
    "**",
    "_",
    "<",
    ">",
    '"',
    "'",
    "&",
    "(",
    ")",
    "[",
    "]",
]
markdownish = st.lists(
    st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=20)), max_size=30
).map("".join)
ALLOWED_SCHEMES = {"", "http", "https", "mailto"}
PROPERTY = settings(database=None, max_examples=300, deadline=None)


class _Elements(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, dict(attrs)))

    def handle_startendtag(self, tag, attrs):
        self.elements.append((tag, dict(attrs)))


def elements(html: str) -> list[tuple[str, dict]]:
    parser = _Elements()
    parser.feed(html)
    parser.close()
    return parser.elements


@PROPERTY
@given(markdownish)
def test_rendered_markdown_never_contains_a_script_tag(source):
    assert "<script" not in render(source).lower()


@PROPERTY
@given(markdownish)
def test_rendered_markdown_has_no_event_handler_attribute(source):
    for tag, attrs in elements(render(source)):
        assert not [name for name in attrs if name.startswith("on")], (tag, attrs)


@PROPERTY
@given(markdownish)
def test_rendered_markdown_links_only_to_http_https_or_mailto(source):
    for _tag, attrs in elements(render(source)):
        for name in ("href", "src"):
            if name in attrs:
                assert urlsplit(attrs[name].strip()).scheme.lower() in ALLOWED_SCHEMES


@PROPERTY
@given(markdownish)
def test_rendered_markdown_uses_only_allowed_tags_and_attributes(source):
    for tag, attrs in elements(render(source)):
        assert tag in ALLOWED_TAGS
        assert set(attrs) <= ALLOWED_ATTRIBUTES.get(tag, set()) | ({"rel"} if tag == "a" else set())


@PROPERTY
@given(markdownish)
def test_every_rendered_link_is_nofollow_noopener(source):
    for tag, attrs in elements(render(source)):
        if tag == "a" and "href" in attrs:
            assert {"nofollow", "noopener"} <= set(attrs.get("rel", "").split())


@PROPERTY
@given(markdownish)
def test_rendering_does_not_change_the_source(source):
    copy = str(source)
    render(source)
    assert source == copy


@settings(
    database=None,
    max_examples=100,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    body=st.one_of(
        markdownish, st.text(alphabet=st.characters(codec="utf-8", exclude_characters="\x00"))
    )
)
def test_a_post_body_is_stored_exactly_as_typed(app, body):
    # NUL bytes never reach a service: the request layer answers 400 (PostgreSQL refuses them).
    body = body.replace("\x00", "")
    if not body.strip():
        body = body + "x"
    with app.app_context():
        post = create_post(
            factories.user("rep"), PostInput(kind=PostKind.FIELD_FEEDBACK, title="t", body=body)
        )
        db.session.commit()
        db.session.expire_all()
        assert db.session.get(Post, post.id).body == body
        db.session.delete(db.session.get(Post, post.id))
        db.session.commit()


def test_raw_html_is_shown_as_text():
    assert render("<b>bold</b>") == "<p>&lt;b&gt;bold&lt;/b&gt;</p>\n"


def test_markdown_formatting_survives():
    html = render("**strong** and *em*\n\n* one\n* two")
    assert "<strong>strong</strong>" in html
    assert "<em>em</em>" in html
    assert "<li>one</li>" in html


def test_headings_in_a_post_are_demoted_below_the_pages_own():
    assert (
        render("# Big\n\n## Less\n\n### Small") == "<h4>Big</h4>\n<h5>Less</h5>\n<h6>Small</h6>\n"
    )


def test_an_http_link_gets_nofollow_and_noopener():
    html = render("[site](https://example.com/a?b=1)")
    assert 'href="https://example.com/a?b=1"' in html
    assert 'rel="nofollow noopener' in html


@pytest.mark.parametrize("scheme", ["javascript:alert(1)", "data:text/html,x", "vbscript:x"])
def test_a_dangerous_link_loses_its_href(scheme):
    assert "href" not in render(f"[x]({scheme})")


def test_a_mailto_link_survives():
    assert 'href="mailto:ops@example.com"' in render("[mail](mailto:ops@example.com)")


def test_a_table_survives():
    assert "<table>" in render("| a | b |\n|---|---|\n| c | d |")


def test_template_syntax_is_left_alone():
    assert render("{{7*7}}") == "<p>{{7*7}}</p>\n"


def test_an_empty_body_renders_nothing():
    assert render(None) == ""


def test_the_excerpt_is_plain_text_cut_with_an_ellipsis():
    assert plain_excerpt("**Late** delivery " * 30, length=20) == "Late delivery Late…"
