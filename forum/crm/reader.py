"""Reading a CRM export as a stream of records, whatever Excel or the CRM saved it as.

The encoding is read from a byte-order mark (UTF-8, UTF-16 from Excel's "Unicode text") or
guessed from the first 64 KB (UTF-8, else Windows-1252/Latin-1); the delimiter is the one of
``,;\\t|`` the header line holds most of. Lines are read at most ``MAX_LINE`` characters at a
time, so an absurd cell costs one rejected row, never the memory of the process.
"""

import codecs
import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from typing import BinaryIO

SAMPLE = 64 * 1024
MAX_LINE = 1_000_000  # characters of one physical line
DELIMITERS = ",;\t|"
TOO_LONG = "\x00too-long\x00"


@dataclass
class Record:
    """One data row: its number as a spreadsheet shows it (the header is row 1) and cells."""

    row: int
    cells: list[str]
    problem: str = ""


def detect_encoding(head: bytes) -> str:
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    if len(head) >= 4 and head[1] == 0 and head[3] == 0 and head[0] != 0:
        return "utf-16-le"  # UTF-16 without a mark: every other byte of ASCII text is zero
    if len(head) >= 4 and head[0] == 0 and head[2] == 0 and head[1] != 0:
        return "utf-16-be"
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        # A sequence cut by the end of the sample is still UTF-8.
        if exc.start < len(head) - 3:
            return "cp1252"
    return "utf-8"


def _lines(text: io.TextIOBase) -> Iterator[str]:
    """Physical lines, an over-long one replaced by a marker (the rest of it is skipped)."""
    while True:
        line = text.readline(MAX_LINE)
        if not line:
            return
        if len(line) >= MAX_LINE and not line.endswith("\n"):
            while True:
                rest = text.readline(MAX_LINE)
                if not rest or rest.endswith("\n"):
                    break
            yield TOO_LONG + "\n"
            continue
        yield line


class Export:
    """A CSV export opened for streaming: ``header`` then ``records()``."""

    def __init__(self, raw: BinaryIO):
        buffered = raw if isinstance(raw, io.BufferedReader) else io.BufferedReader(raw, SAMPLE)
        head = buffered.peek(SAMPLE)[:SAMPLE]
        self.encoding = detect_encoding(head)
        # cp1252 leaves five bytes undefined: Latin-1 reads them, so no byte is ever refused.
        codec = (
            "latin-1" if self.encoding == "cp1252" and _undefined_cp1252(head) else self.encoding
        )
        self.text = io.TextIOWrapper(buffered, encoding=codec, errors="replace", newline="")
        self._lines = _lines(self.text)
        first = next(self._lines, "")
        self.delimiter = max(DELIMITERS, key=lambda d: (first.count(d), d == ","))
        self.header = next(csv.reader([first], delimiter=self.delimiter), [])
        self.header = [h.strip() for h in self.header]

    def records(self) -> Iterator[Record]:
        reader = csv.reader(self._lines, delimiter=self.delimiter)
        while True:
            row = reader.line_num + 2  # the header line was read before the reader started
            try:
                cells = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                yield Record(row, [], f"unreadable row ({exc}).")
                continue
            if not any(c.strip() for c in cells):
                continue  # blank lines are no rows
            if cells == [TOO_LONG]:
                yield Record(row, [], f"the row is longer than {MAX_LINE:,} characters.")
                continue
            yield Record(row, cells)


def _undefined_cp1252(head: bytes) -> bool:
    return any(b in head for b in (0x81, 0x8D, 0x8F, 0x90, 0x9D))
