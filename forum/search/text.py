"""One tokenizer for indexing, querying and highlighting, so both engines see the same words.

Folding (case, accents, compatibility forms) and splitting into words happen here, in Python,
and the engines only ever receive finished tokens: SQLite's FTS5 gets them space-separated and
splits on nothing else (the ``ascii`` tokenizer), PostgreSQL gets a ``tsvector``/``tsquery``
literal and parses nothing. So "Café" and "cafe" match on both, Cyrillic and Greek words match
as themselves, and Chinese or Japanese text (written without spaces) is cut into overlapping
pairs of characters, so a word inside a sentence is found.
"""

import re
import unicodedata
from bisect import bisect_left
from dataclasses import dataclass, field
from functools import lru_cache

MAX_TOKEN = 64  # longer words are cut; the same cut applies to queries


def _mark_ranges() -> str:
    """A regex class body of every combining mark (they belong to the word they follow)."""
    ranges: list[tuple[int, int]] = []
    for cp in list(range(0x20000)) + list(range(0xE0100, 0xE01F0)):
        if unicodedata.category(chr(cp))[0] == "M":
            if ranges and ranges[-1][1] == cp - 1:
                ranges[-1] = (ranges[-1][0], cp)
            else:
                ranges.append((cp, cp))
    return "".join(f"\\U{a:08x}-\\U{b:08x}" for a, b in ranges)


_MARKS = _mark_ranges()
# A word: letters and digits (not the underscore) with any combining marks they carry.
WORD_RE = re.compile(f"(?:[^\\W_]|[{_MARKS}])+")
# Scripts written without spaces between words: Han, kana (with the iteration marks).
_CJK = (
    "\u3005\u3006\u3007\u3031-\u3035\u303b\u3040-\u30ff\u31f0-\u31ff\u3400-\u4dbf"
    "\u4e00-\u9fff\uf900-\ufaff\uff66-\uff9f\U00020000-\U0003134f"
)
_CJK_SPLIT_RE = re.compile(f"([{_CJK}]+)|([^{_CJK}]+)")
# Hyphens and apostrophes that join two words into one ("e-mail", "on-time", "customer's").
_JOINERS = frozenset("-\u2010\u2011'\u2019")
_TRANSLITERATE = str.maketrans(
    {"ø": "o", "đ": "d", "ł": "l", "ħ": "h", "ŀ": "l", "ı": "i", "æ": "ae", "œ": "oe", "þ": "th"}
)


def _strips_marks(base: str) -> bool:
    # Latin, Greek, Cyrillic, Armenian, Hebrew and Arabic carry optional accents and points;
    # in Indic and other scripts the marks are letters, so they stay.
    cp = ord(base)
    return cp < 0x0800 or 0x1E00 <= cp < 0x2000


@lru_cache(maxsize=4096)
def fold(word: str) -> str:
    """Lower-case, compatibility-normalised, without accents: 'Ｃafé' -> 'cafe'."""
    word = unicodedata.normalize("NFKC", word).casefold()
    if word.isascii():
        return word
    kept, base = [], ""
    for ch in unicodedata.normalize("NFD", word):
        if unicodedata.combining(ch):
            if base and _strips_marks(base):
                continue
        else:
            base = ch
        kept.append(ch)
    return unicodedata.normalize("NFC", "".join(kept)).translate(_TRANSLITERATE)


@dataclass
class Analysis:
    """The words of a text, where each one stands in it, and the joined forms of compounds."""

    text: str  # the NFC form of the input; spans refer to it
    tokens: list[str] = field(default_factory=list)
    spans: list[tuple[int, int]] = field(default_factory=list)
    # ("email", first token index, last token index) for "e-mail"
    compounds: list[tuple[str, int, int]] = field(default_factory=list)


def _cjk_tokens(piece: str, start: int):
    folded = unicodedata.normalize("NFKC", piece)
    if len(folded) == 1:
        yield folded, start, start + len(piece)
        return
    exact = len(folded) == len(piece)
    for i in range(len(folded) - 1):
        span = (start + i, start + i + 2) if exact else (start, start + len(piece))
        yield folded[i : i + 2], *span


def _run_tokens(run: str, start: int):
    """(token, start, end, is_cjk) for one run of letters and digits."""
    for cjk, other in _CJK_SPLIT_RE.findall(run):
        piece = cjk or other
        if cjk:
            for token, a, b in _cjk_tokens(piece, start):
                yield token, a, b, True
        else:
            for word in WORD_RE.findall(fold(piece)):
                yield word[:MAX_TOKEN], start, start + len(piece), False
        start += len(piece)


def analyse(text: str) -> Analysis:
    """Split ``text`` into folded tokens, with their spans and hyphenated compounds."""
    text = unicodedata.normalize("NFC", text or "")
    return _analyse_ascii(text) if text.isascii() else _analyse_any(text)


def _analyse_any(text: str) -> Analysis:
    result = Analysis(text)
    tokens, spans = result.tokens, result.spans
    chain: list[tuple[int, int, bool]] = []  # the runs joined by hyphens so far
    previous_end = -2
    for match in WORD_RE.finditer(text):
        run, start = match.group(), match.start()
        first = len(tokens)
        plain = True
        if run.isascii():  # a run of ASCII letters and digits is one token
            tokens.append(run.lower()[:MAX_TOKEN])
            spans.append((start, match.end()))
        else:
            for token, a, b, cjk in _run_tokens(run, start):
                plain = plain and not cjk
                tokens.append(token)
                spans.append((a, b))
            if len(tokens) == first:
                continue
        link = (first, len(tokens) - 1, plain)
        if start == previous_end + 1 and text[previous_end] in _JOINERS:
            chain.append(link)
        else:
            if len(chain) > 1:
                _close_chain(chain, result)
            chain = [link]
        previous_end = match.end()
    if len(chain) > 1:
        _close_chain(chain, result)
    return result


def _close_chain(chain: list[tuple[int, int, bool]], result: Analysis) -> None:
    if len(chain) > 4 or not all(plain for _, _, plain in chain):
        return
    first, last = chain[0][0], chain[-1][1]
    joined = "".join(result.tokens[first : last + 1])
    if len(joined) <= MAX_TOKEN:
        result.compounds.append((joined, first, last))


_ASCII_WORD_RE = re.compile(r"[a-z0-9]+")
_ASCII_CHAIN_RE = re.compile(r"[a-z0-9]+(?:[-'][a-z0-9]+)+")


def _analyse_ascii(text: str) -> Analysis:
    """``_analyse_any`` for plain ASCII (most of what is indexed), done by regular expressions."""
    lower = text.lower()
    matches = list(_ASCII_WORD_RE.finditer(lower))
    result = Analysis(text, [m.group()[:MAX_TOKEN] for m in matches], [m.span() for m in matches])
    if "-" in lower or "'" in lower:
        starts = [m.start() for m in matches]
        for chain in _ASCII_CHAIN_RE.finditer(lower):
            first = bisect_left(starts, chain.start())
            last = bisect_left(starts, chain.end()) - 1
            if last - first < 4:
                _close_chain([(first, last, True)], result)
    return result


def index_terms(text: str) -> list[str]:
    """What the index stores for ``text``: its tokens, then the joined forms of compounds."""
    if text and text.isascii():  # most of what is indexed: no spans needed, regexes only
        return _ascii_terms(text)
    analysis = analyse(text)
    return analysis.tokens + [c for c, _, _ in analysis.compounds]


def _ascii_terms(text: str) -> list[str]:
    """``index_terms`` of ASCII text (NFC leaves it as it is), as ``_analyse_ascii`` finds them."""
    lower = text.lower()
    terms = [t[:MAX_TOKEN] for t in _ASCII_WORD_RE.findall(lower)]
    if "-" in lower or "'" in lower:
        for chain in _ASCII_CHAIN_RE.findall(lower):
            parts = _ASCII_WORD_RE.findall(chain)
            if len(parts) <= 4:
                joined = "".join(part[:MAX_TOKEN] for part in parts)
                if len(joined) <= MAX_TOKEN:
                    terms.append(joined)
    return terms
