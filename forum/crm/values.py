"""Turning one CRM cell into a value: folded names, amounts with currency, dates, formulas.

Every parser raises ``CellError`` with a reason a person can act on; the importer writes it
into the rejected-rows report beside the row number and the column.
"""

import re
import unicodedata
from datetime import date
from decimal import Decimal, InvalidOperation
from functools import lru_cache

from forum.core.money import ISO_4217, MoneyError, parse


class CellError(ValueError):
    """A cell that cannot be imported; ``reason`` says why."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


@lru_cache(maxsize=4096)  # stages, regions, competitors: the same few names on every row
def fold(text: str) -> str:
    """Case-, accent- and spacing-insensitive key: 'Sólido  CRM' and 'solido crm' agree."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(bare.casefold().split())


def is_formula(cell: str) -> bool:
    """A spreadsheet formula (``=HYPERLINK(...)``, ``@SUM``, ``+cmd|``), never a value.

    A leading minus or plus before a digit is a signed number, not a formula."""
    if not cell:
        return False
    first = cell[0]
    if first in "=@\t\r":
        return True
    return first in "+-" and len(cell) > 1 and not (cell[1].isdigit() or cell[1] in ". ")


SYMBOLS = {"$": "USD", "US$": "USD", "€": "EUR", "£": "GBP", "¥": "JPY", "R$": "BRL", "₹": "INR"}
_SPACES = re.compile(r"[\s\u00a0\u202f'’_]")
_CODE = re.compile(r"\b([A-Za-z]{3})\b")


def amount(cell: str, currency_cell: str = "", default_currency: str = "USD", *, field: str):
    """``(Decimal, currency)`` from '$1,250,000.00', '1.250.000,00 €', 'EUR 25 000' or '25000'
    with a currency column. A symbol or code in the cell must agree with the currency column."""
    text = cell.strip()
    found = None
    for symbol in sorted(SYMBOLS, key=len, reverse=True):
        if symbol in text:
            found = SYMBOLS[symbol]
            text = text.replace(symbol, " ")
            break
    code = _CODE.search(text)
    if code:
        if code.group(1).upper() not in ISO_4217:
            raise CellError(f"“{code.group(1)}” is not an ISO 4217 currency code.")
        if found and found != code.group(1).upper():
            raise CellError(f"the amount says both {found} and {code.group(1).upper()}.")
        found = code.group(1).upper()
        text = _CODE.sub(" ", text)
    column = currency_cell.strip().upper()
    if column:
        if column not in ISO_4217:
            raise CellError(f"“{currency_cell.strip()[:12]}” is not an ISO 4217 currency code.")
        if found and found != column:
            raise CellError(f"the amount is in {found} but the currency column says {column}.")
        found = column
    number = _number(_SPACES.sub("", text))
    try:
        money = parse(number, found or default_currency, field=field)
    except MoneyError as exc:
        raise CellError(exc.message) from None
    return money.amount, money.currency


def _number(text: str) -> Decimal:
    """'1,250,000.00', '1.250.000,00', '1250,5', '1,250' (thousands) as a Decimal."""
    if not text:
        raise CellError("an amount is required.")
    if text.startswith("(") and text.endswith(")"):
        raise CellError("an amount cannot be negative.")
    dot, comma = text.rfind("."), text.rfind(",")
    if dot >= 0 and comma >= 0:
        decimal_mark = "." if dot > comma else ","
    elif comma >= 0:
        # One comma before exactly three digits is a thousands separator ("1,250").
        decimal_mark = "," if text.count(",") == 1 and len(text) - comma - 1 != 3 else ""
    elif dot >= 0:
        decimal_mark = "." if text.count(".") == 1 else ""
    else:
        decimal_mark = ""
    thousands = {".": ",", ",": ".", "": ",."}[decimal_mark]
    for mark in thousands:
        text = text.replace(mark, "")
    if decimal_mark == ",":
        text = text.replace(",", ".")
    if not re.fullmatch(r"-?\d+(\.\d+)?", text, re.ASCII):
        raise CellError("enter an amount in figures, e.g. 25000.")
    try:
        return Decimal(text)
    except InvalidOperation:  # pragma: no cover - the pattern above already refused it
        raise CellError("enter an amount in figures, e.g. 25000.") from None


_MONTHS = {
    m: i + 1
    for i, names in enumerate(
        [
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ]
    )
    for m in names
}


def day(cell: str, *, day_first: bool = False) -> date:
    """A date from '2024-03-31', '2024-03-31T10:00:00Z', '3/31/2024', '31/03/2024',
    '31.03.2024', 'Mar 31, 2024' or '31 March 2024'. An ambiguous 'a/b/yyyy' is month first
    (Salesforce's US exports) unless ``day_first``; a part above 12 settles it either way."""
    text = cell.strip()
    if not text:
        raise CellError("a date is required.")
    if not text.isascii():  # "٣/٣/٢٠٢٦": \d would read other scripts' digits
        raise CellError(f"“{text[:30]}” is not a date this import reads (e.g. 2024-03-31).")
    try:
        m = re.fullmatch(
            r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[T ][\d:.]+(?:Z|[+-][\d:]+)?)?", text
        )
        if m:
            return date(int(m[1]), int(m[2]), int(m[3]))
        m = re.fullmatch(
            r"(\d{1,2})([/.-])(\d{1,2})\2(\d{2}|\d{4})(?: [\d:]+(?: ?[AP]M)?)?", text, re.I
        )
        if m:
            a, b, year = int(m[1]), int(m[3]), int(m[4])
            year += 2000 if year < 100 else 0
            if m[2] == "." or a > 12:
                day_first_here = True
            elif b > 12:
                day_first_here = False
            else:
                day_first_here = day_first
            d, mo = (a, b) if day_first_here else (b, a)
            return date(year, mo, d)
        m = re.fullmatch(r"([A-Za-z]+)\.? (\d{1,2}),? (\d{4})", text)
        if m and m[1].lower() in _MONTHS:
            return date(int(m[3]), _MONTHS[m[1].lower()], int(m[2]))
        m = re.fullmatch(r"(\d{1,2})[ -]([A-Za-z]+)\.?[ -](\d{4})", text)
        if m and m[2].lower() in _MONTHS:
            return date(int(m[3]), _MONTHS[m[2].lower()], int(m[1]))
    except ValueError:
        raise CellError(f"“{text[:30]}” is not a real date.") from None
    raise CellError(f"“{text[:30]}” is not a date this import reads (e.g. 2024-03-31).")
