"""The query parser: what users type becomes quoted tokens, never engine syntax."""

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from forum.search.query import MAX_QUERY_CHARS, MAX_TERMS, Term, parse, to_fts5, to_tsquery

# What a rendered query may contain besides the quoted tokens: our own operators only.
FTS5_OUTSIDE_QUOTES = re.compile(r"^[\s()*{}:]*(?:(?:AND|OR|title)[\s()*{}:]*)*$")
TSQUERY_OUTSIDE_QUOTES = re.compile(r"^[\s()&|<>\-:*A]*$")


def _outside_quotes(text: str, quote: str) -> str:
    doubled = quote * 2
    return re.sub(f"{quote}(?:[^{quote}]|{doubled})*{quote}", " ", text)


def test_several_words_must_all_match():
    query = parse("late delivery")
    assert query.terms == (Term(("late",)), Term(("delivery",)))
    assert to_fts5(query) == '"late" AND "delivery"'
    assert to_tsquery(query) == "'late' & 'delivery'"


def test_quoted_words_are_a_phrase():
    assert parse('"late delivery" acme').terms[0] == Term(("late", "delivery"))


def test_a_star_makes_the_last_word_a_prefix():
    assert parse("deliv*").terms == (Term(("deliv",), prefix=True),)


def test_a_one_letter_prefix_is_an_ordinary_word():
    assert parse("x*").terms == (Term(("x",)),)


def test_a_hyphenated_word_is_a_phrase_or_the_joined_word():
    assert parse("e-mail").terms == (Term(("e", "mail"), joined="email"),)
    assert to_tsquery(parse("e-mail")) == "('e' <-> 'mail' | 'email')"


def test_accents_and_case_are_folded():
    assert parse("CAFÉ Müller").terms == (Term(("cafe",)), Term(("muller",)))


def test_words_without_spaces_between_them_become_overlapping_pairs():
    assert parse("東京タワー").terms == (Term(("東京", "京タ", "タワ", "ワー")),)


def test_operators_typed_by_the_user_are_plain_text():
    query = parse("late AND NEAR(delivery) OR ^acme: title:x")
    assert [t.words for t in query.terms] == [
        ("late",),
        ("near", "delivery"),
        ("acme",),
        ("title", "x"),
    ]


def test_an_unbalanced_quote_is_ignored():
    assert parse('"late delivery').terms == (Term(("late",)), Term(("delivery",)))


def test_little_words_are_dropped_unless_nothing_else_was_typed():
    assert [t.words for t in parse("late to the party").terms] == [("late",), ("party",)]
    assert [t.words for t in parse("to be").terms] == [("to",), ("be",)]


def test_a_long_query_is_cut():
    query = parse("word " * 1000)
    assert len(query.terms) == 1
    assert len(parse(" ".join(f"w{i}" for i in range(1000))).terms) == MAX_TERMS


def test_nothing_searchable_gives_an_empty_query():
    for typed in ("", "   ", "***", '""', "()^:", "\x00", None):
        assert not parse(typed)


def test_the_last_word_may_be_unfinished_while_typing():
    query = parse("late deliv", prefix_last=True)
    assert query.terms[-1] == Term(("deliv",), prefix=True)
    assert parse("late deliv ", prefix_last=True).terms[-1] == Term(("deliv",))


@settings(max_examples=500, deadline=None)
@given(st.text(max_size=MAX_QUERY_CHARS * 2))
def test_any_text_parses_without_error_into_quoted_tokens(typed):
    query = parse(typed)
    for term in query.terms:
        for word in (*term.words, term.joined or "x"):
            assert word and all(ch.isalnum() or not ch.isascii() for ch in word)
            assert not any(ch.isspace() or ch in "\"'\\\x00" for ch in word)
    fts5, tsquery = to_fts5(query), to_tsquery(query, "A")
    assert FTS5_OUTSIDE_QUOTES.match(_outside_quotes(fts5, '"'))
    assert TSQUERY_OUTSIDE_QUOTES.match(_outside_quotes(tsquery, "'"))


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=300), st.booleans(), st.booleans())
def test_any_text_parses_in_every_mode(typed, any_term, prefix_last):
    query = parse(typed, any_term=any_term, prefix_last=prefix_last, min_length=3)
    assert len(query.terms) <= MAX_TERMS
    to_fts5(query, "title")
    to_tsquery(query)
