"""The tokenizer both engines share: folding, scripts, compounds and highlighting spans."""

from hypothesis import given, settings
from hypothesis import strategies as st

from forum.search.text import MAX_TOKEN, _analyse_any, _analyse_ascii, analyse, fold, index_terms


def test_folding_removes_case_and_accents():
    assert fold("CAFÉ") == "cafe"
    assert fold("Łódź") == "lodz"
    assert fold("straße") == "strasse"
    assert fold("Ｆｕｌｌ") == "full"


def test_folding_keeps_marks_that_are_letters_in_their_script():
    assert fold("नमस्ते") == "नमस्ते"


def test_cyrillic_is_folded_like_latin():
    assert analyse("ЁЛКА Ёлка").tokens == ["елка", "елка"]


def test_hyphenated_words_also_index_their_joined_form():
    assert index_terms("An e-mail about on-time delivery") == [
        "an", "e", "mail", "about", "on", "time", "delivery", "email", "ontime",
    ]  # fmt: skip


def test_spans_point_at_the_original_words():
    analysis = analyse("Café  déjà-vu")
    assert [analysis.text[a:b] for a, b in analysis.spans] == ["Café", "déjà", "vu"]


def test_very_long_words_are_cut():
    assert analyse("a" * 500).tokens == ["a" * MAX_TOKEN]


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=400))
def test_any_text_gives_tokens_with_spans_inside_it(text):
    analysis = analyse(text)
    assert len(analysis.tokens) == len(analysis.spans)
    for token, (a, b) in zip(analysis.tokens, analysis.spans, strict=True):
        assert token and 0 <= a < b <= len(analysis.text)


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet=st.characters(codec="ascii"), max_size=400))
def test_the_fast_ascii_path_analyses_exactly_like_the_general_one(text):
    assert _analyse_ascii(text) == _analyse_any(text)


def test_the_fast_ascii_path_finds_compounds_like_the_general_one():
    text = "an e-mail, a go-live sign-off; a-b-c-d-e; don't x--y 'quoted' end-"
    assert _analyse_ascii(text) == _analyse_any(text)
    assert [c for c, _, _ in _analyse_ascii(text).compounds] == [
        "email",
        "golive",
        "signoff",
        "dont",
    ]


@settings(max_examples=300, deadline=None)
@given(
    st.text(alphabet=st.sampled_from("ab-' Z9x"), max_size=90)
    | st.text(max_size=40).filter(str.isascii)
)
def test_the_ascii_fast_path_indexes_what_the_full_analysis_finds(text):
    analysis = analyse(text)
    assert index_terms(text) == analysis.tokens + [c for c, _, _ in analysis.compounds]


def test_the_ascii_fast_path_cuts_and_joins_as_the_analysis_does():
    text = "x" * 70 + "-" + "y" * 10 + " a-b-c-d a-b-c-d-e customer's"
    analysis = analyse(text)
    assert index_terms(text) == analysis.tokens + [c for c, _, _ in analysis.compounds]
    assert "abcd" in index_terms(text) and "abcde" not in index_terms(text)
