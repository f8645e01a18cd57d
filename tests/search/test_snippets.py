"""Highlighted titles and snippets: matches in <mark>, everything else escaped."""

from hypothesis import given, settings
from hypothesis import strategies as st

from forum.search import highlight, parse, snippet


def test_matches_are_marked_and_markup_is_escaped():
    html = highlight("<b>Late</b> delivery & more", parse("late delivery"))
    assert str(html) == "&lt;b&gt;<mark>Late</mark>&lt;/b&gt; <mark>delivery</mark> &amp; more"


def test_a_phrase_is_marked_only_where_its_words_are_adjacent():
    html = snippet("late and then delivery; late delivery", parse('"late delivery"'))
    assert str(html) == "late and then delivery; <mark>late delivery</mark>"


def test_a_joined_word_marks_the_hyphenated_form():
    assert "<mark>e-mail</mark>" in str(snippet("Sent by e-mail.", parse("email")))


def test_a_long_text_is_cut_around_the_matches():
    text = "filler words here. " * 50 + "The pallets were late. " + "more filler. " * 50
    html = str(snippet(text, parse("pallets")))
    assert html.startswith("…") and html.endswith("…")
    assert "<mark>pallets</mark>" in html
    assert len(html) < 400


def test_template_syntax_in_the_text_stays_literal():
    assert str(snippet("{{7*7}} late", parse("late"))) == "{{7*7}} <mark>late</mark>"


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=600), st.text(max_size=60))
def test_no_text_or_query_can_put_markup_in_a_snippet(text, typed):
    html = str(snippet(text, parse(typed)))
    assert "<" not in html.replace("<mark>", "").replace("</mark>", "")
    assert html.count("<mark>") == html.count("</mark>")
