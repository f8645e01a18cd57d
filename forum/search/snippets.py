"""Highlighted text for results: the matched words in ``<mark>``, everything else escaped.

Snippets are built here from the stored text rather than by the database, so both engines
highlight alike and escaping is never left to a database function (the text is user content).
Long texts are read a window at a time, stopping at the first window with a match.
"""

import re
import unicodedata

from markupsafe import Markup, escape

from forum.search.query import Query, occurrences
from forum.search.text import analyse

SNIPPET_CHARS = 240
WINDOW = 2000  # characters analysed at a time; windows overlap by OVERLAP
OVERLAP = 200
ELLIPSIS = "…"
_SPACE_RE = re.compile(r"\s")


def _merge(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def _marks(text: str, query: Query, offset: int = 0) -> list[tuple[int, int]]:
    analysis = analyse(text)  # ``text`` is NFC already, so spans are offsets into it
    return _merge([(a + offset, b + offset) for a, b in occurrences(query, analysis)])


def _render(text: str, marks: list[tuple[int, int]], start: int, end: int) -> Markup:
    out, position = [], start
    for a, b in marks:
        if b <= start or a >= end:
            continue
        a, b = max(a, start), min(b, end)
        out.append(escape(text[position:a]))
        out.append(Markup("<mark>%s</mark>") % text[a:b])
        position = b
    out.append(escape(text[position:end]))
    return Markup("").join(out)


def _prepare(text: str) -> str:
    # NFC (what spans refer to), and one space for each whitespace character: same length.
    return _SPACE_RE.sub(" ", unicodedata.normalize("NFC", text or ""))


def highlight(text: str, query: Query) -> Markup:
    """All of ``text`` (a title) with every match marked."""
    text = _prepare(text)
    return _render(text, _marks(text, query), 0, len(text))


def _first_marks(text: str, query: Query) -> list[tuple[int, int]]:
    """Matches in the first window of ``text`` that has any (and a little around it)."""
    if not query:
        return []
    start = 0
    while start < len(text):
        end = min(len(text), start + WINDOW)
        while end < len(text) and text[end] != " " and end < start + WINDOW + 100:
            end += 1
        marks = _marks(text[start:end], query, start)
        if marks:
            # Look a snippet's length past the window so a cut near its edge stays marked.
            lo = max(0, start - SNIPPET_CHARS)
            while lo > 0 and text[lo - 1] != " ":
                lo -= 1
            hi = min(len(text), end + SNIPPET_CHARS)
            return _marks(text[lo:hi], query, lo) if (lo, hi) != (start, end) else marks
        if end >= len(text):
            break
        start = max(start + 1, end - OVERLAP)
        while start < len(text) and text[start - 1] != " " and start < end:
            start += 1
    return []


def snippet(text: str, query: Query, size: int = SNIPPET_CHARS, *, required: bool = False):
    """About ``size`` characters of ``text`` around its first cluster of matches.

    Without a match: the beginning of ``text``, or None when ``required``.
    """
    text = _prepare(text)
    marks = _first_marks(text, query)
    if not marks and required:
        return None
    if len(text) <= size:
        return _render(text, marks, 0, len(text))
    best, best_count = 0, -1
    for a, _ in marks:
        count = sum(1 for x, _ in marks if a <= x < a + size)
        if count > best_count:
            best, best_count = a, count
    start = max(0, best - size // 4) if marks else 0
    # Start and end on word boundaries, never inside a mark.
    while 0 < start and text[start - 1] != " " and start > best - size // 2:
        start -= 1
    end = min(len(text), start + size)
    while end < len(text) and text[end] != " " and end < start + size + 30:
        end += 1
    for a, b in marks:
        if a < end < b:
            end = b
    rendered = _render(text, marks, start, end)
    prefix = ELLIPSIS if start > 0 else ""
    suffix = ELLIPSIS if end < len(text) else ""
    return Markup("%s%s%s") % (prefix, rendered, suffix) if (prefix or suffix) else rendered


def beginning(text: str, size: int = SNIPPET_CHARS) -> Markup:
    """The first ``size`` characters or so of ``text``, escaped."""
    return snippet(text, Query(), size)
