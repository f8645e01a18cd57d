"""The query parser: whatever a user types becomes a safe, engine-neutral query.

Words are ANDed; "quoted text" is a phrase; ``deliv*`` is a prefix; "e-mail" finds "e-mail",
"e mail" and "email". Nothing typed is ever an operator: AND, OR, NEAR, parentheses, colons,
carets and stray quotes are punctuation or plain words, and every word reaching an engine is a
finished token from ``forum.search.text`` (letters and digits only), quoted by the renderer.
So no input can make an engine see syntax it did not expect.
"""

from dataclasses import dataclass

from forum.search.text import Analysis, analyse

MAX_QUERY_CHARS = 200  # what the search box accepts; longer input is cut here
MAX_TERMS = 12
MAX_PHRASE = 12
MIN_PREFIX = 2
QUOTES = frozenset('"“”„«»')
# Dropped from queries (not from phrases) unless nothing else is left: "late delivery to Acme"
# should not require the word "to". "and" and "or" typed as operators end up here too.
STOPWORDS = frozenset(
    "a an and are as at be by for from in into is it no not of on or our so the their they "
    "this to too was we were with".split()
)


@dataclass(frozen=True)
class Term:
    """One word, or a phrase of adjacent words; the last word may be a prefix."""

    words: tuple[str, ...]
    prefix: bool = False
    # The words run together ("email" for "e-mail"), matched as an alternative.
    joined: str | None = None

    def matches_last(self, token: str) -> bool:
        last = self.words[-1]
        return token.startswith(last) if self.prefix else token == last

    def matches_joined(self, token: str) -> bool:
        if self.joined is None:
            return False
        return token.startswith(self.joined) if self.prefix else token == self.joined


@dataclass(frozen=True)
class Query:
    """Terms that must all match (``any_term`` False) or of which one is enough."""

    terms: tuple[Term, ...] = ()
    any_term: bool = False

    def __bool__(self) -> bool:
        return bool(self.terms)


def _prefix_ok(word: str) -> bool:
    return len(word) >= MIN_PREFIX or not word.isascii()


def _term(analysis: Analysis, prefix: bool) -> Term | None:
    words = tuple(analysis.tokens[:MAX_PHRASE])
    if not words:
        return None
    joined = None
    for compound, first, last in analysis.compounds:
        if first == 0 and last == len(analysis.tokens) - 1:
            joined = compound
    return Term(words, prefix=prefix and _prefix_ok(words[-1]), joined=joined)


def _segments(text: str) -> list[tuple[str, bool, bool]]:
    """(segment, is a phrase, a '*' follows the closing quote). A lone quote is a space."""
    positions = [i for i, ch in enumerate(text) if ch in QUOTES]
    if len(positions) % 2:
        text = text[: positions[-1]] + " " + text[positions[-1] + 1 :]
        positions.pop()
    segments, start, inside = [], 0, False
    for pos in [*positions, len(text)]:
        segments.append((text[start:pos], inside, text[pos + 1 : pos + 2] == "*"))
        start, inside = pos + 1, not inside
    return segments


def parse(
    text: str | None,
    *,
    any_term: bool = False,
    prefix_last: bool = False,
    min_length: int = 1,
) -> Query:
    """Turn what the user typed into a ``Query`` (possibly empty, never an error).

    ``prefix_last`` treats the last word as unfinished (search-as-you-type); ``min_length``
    drops shorter single words (titles compared for similarity ignore "Q3" and "5").
    """
    text = (text or "")[:MAX_QUERY_CHARS].replace("\x00", " ")
    terms: list[Term] = []
    for segment, phrase, star_after in _segments(text):
        if phrase:
            stripped = segment.rstrip()
            term = _term(analyse(stripped), star_after or stripped.endswith("*"))
            if term:
                terms.append(term)
            continue
        for chunk in segment.split():
            term = _term(analyse(chunk), chunk.endswith("*"))
            if term:
                terms.append(term)
    if prefix_last and terms and text[-1:].isalnum():
        last = terms[-1]
        if len(last.words[-1]) >= 3 or not last.words[-1].isascii():
            terms[-1] = Term(last.words, prefix=True, joined=last.joined)
    terms = _without_noise(terms, min_length)
    unique = tuple(dict.fromkeys(terms))[:MAX_TERMS]
    return Query(unique, any_term=any_term)


def _without_noise(terms: list[Term], min_length: int) -> list[Term]:
    def noise(term: Term) -> bool:
        if len(term.words) > 1 or term.prefix:
            return False
        word = term.words[0]
        return word in STOPWORDS or (word.isascii() and len(word) < min_length)

    kept = [t for t in terms if not noise(t)]
    if kept or min_length > 1:
        return kept
    return terms  # only little words were typed ("to be or not"): look for them after all


# Rendering for the engines. Tokens hold letters, digits and marks only; quoting them is
# still done properly, so a future change to the tokenizer cannot open a hole here.


def _fts5_string(words: tuple[str, ...], prefix: bool) -> str:
    quoted = '"' + " ".join(w.replace('"', '""') for w in words) + '"'
    return quoted + ("*" if prefix else "")


def to_fts5(query: Query, column: str | None = None) -> str:
    """An FTS5 MATCH expression; ``column`` restricts it to one column."""
    parts = []
    for term in query.terms:
        phrase = _fts5_string(term.words, term.prefix)
        if term.joined:
            phrase = f"({phrase} OR {_fts5_string((term.joined,), term.prefix)})"
        parts.append(phrase)
    expression = (" OR " if query.any_term else " AND ").join(parts)
    return f"{{{column}}} : ({expression})" if column else expression


def _lexeme(word: str, prefix: bool = False, weight: str = "") -> str:
    quoted = "'" + word.replace("\\", "\\\\").replace("'", "''") + "'"
    suffix = ("*" if prefix else "") + weight
    return f"{quoted}:{suffix}" if suffix else quoted


def to_tsquery(query: Query, weight: str = "") -> str:
    """A PostgreSQL ``tsquery`` literal; ``weight`` ('A') restricts it to the title."""
    parts = []
    for term in query.terms:
        last = len(term.words) - 1
        phrase = " <-> ".join(
            _lexeme(w, term.prefix and i == last, weight) for i, w in enumerate(term.words)
        )
        if term.joined:
            phrase = f"({phrase} | {_lexeme(term.joined, term.prefix, weight)})"
        elif len(term.words) > 1:
            phrase = f"({phrase})"
        parts.append(phrase)
    return (" | " if query.any_term else " & ").join(parts)


def occurrences(query: Query, analysis: Analysis) -> list[tuple[int, int]]:
    """Character spans in ``analysis.text`` where a term of ``query`` matches (for <mark>)."""
    tokens, spans = analysis.tokens, analysis.spans
    found: list[tuple[int, int]] = []
    for term in query.terms:
        n = len(term.words)
        for i in range(len(tokens) - n + 1):
            head = all(tokens[i + k] == term.words[k] for k in range(n - 1))
            if head and term.matches_last(tokens[i + n - 1]):
                found.append((spans[i][0], spans[i + n - 1][1]))
        if n > 1 and term.joined:
            found.extend(spans[i] for i, token in enumerate(tokens) if term.matches_joined(token))
        for compound, first, last in analysis.compounds:
            if (n == 1 and term.matches_last(compound)) or term.matches_joined(compound):
                found.append((spans[first][0], spans[last][1]))
    return found


def matched_terms(query: Query, analysis: Analysis) -> int:
    """How many distinct terms of ``query`` occur in the analysed text."""
    return sum(1 for term in query.terms if occurrences(Query((term,)), analysis))
