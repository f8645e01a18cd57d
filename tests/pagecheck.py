"""A small structural check of rendered pages: one <h1>, balanced tags, unique ids, labelled
fields, and nothing the Content-Security-Policy would block (style attributes, inline scripts).

Not a full HTML validator (the browser tests run one); it catches the usual template slips fast.
"""

import re
from html.parser import HTMLParser

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}
# Elements that may not contain a <form> or another block (a <p> closes itself before them).
PHRASING_ONLY = {"p", "span", "label"}
FIELDS = {"input", "select", "textarea"}


class _Checker(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.problems: list[str] = []
        self.ids: list[str] = []
        self.label_for: set[str] = set()
        self.fields: list[str] = []
        self.h1 = 0

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if "id" in a:
            self.ids.append(a["id"])
        if "style" in a:
            self.problems.append(f"style attribute on <{tag}>")
        if any(name.startswith("on") for name in a):
            self.problems.append(f"inline event handler on <{tag}>")
        if tag == "script" and "src" not in a:
            self.problems.append("inline <script>")
        if tag == "label" and "for" in a:
            self.label_for.add(a["for"])
        if tag in FIELDS and a.get("type") not in {"hidden", "submit"}:
            self.fields.append(a.get("id", f"<{tag} name={a.get('name')}> without id"))
        if tag == "h1":
            self.h1 += 1
        if tag in {"form", "div", "table", "section", "ul", "dl"} and self.stack:
            if self.stack[-1] in PHRASING_ONLY:
                self.problems.append(f"<{tag}> inside <{self.stack[-1]}>")
        if tag not in VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag):
        if tag in VOID:
            return
        if not self.stack or self.stack[-1] != tag:
            self.problems.append(f"</{tag}> closes <{self.stack[-1] if self.stack else None}>")
            return
        self.stack.pop()


def page_problems(html: str) -> list[str]:
    """Everything wrong with ``html`` that this check knows about (empty when fine)."""
    checker = _Checker()
    checker.feed(html)
    checker.close()
    problems = list(checker.problems)
    if checker.h1 != 1:
        problems.append(f"{checker.h1} <h1> elements")
    duplicates = sorted({i for i in checker.ids if checker.ids.count(i) > 1})
    if duplicates:
        problems.append(f"duplicate ids {duplicates}")
    unlabelled = [f for f in checker.fields if f not in checker.label_for]
    if unlabelled:
        problems.append(f"fields without a label {unlabelled}")
    if checker.stack:
        problems.append(f"unclosed {checker.stack}")
    return problems


# Every place a page writes its CSRF token: the forms' hidden field and the <body>'s
# data-csrf (for the script that posts the browser's time zone). tests/core/test_pagecheck.py
# fails when a page carries the token anywhere else.
CSRF_TOKEN = r'((?:name="csrf_token"(?: type="hidden")? value|data-csrf)=")[^"]+(")'
_CSRF_VALUE = re.compile(CSRF_TOKEN)


def blank_tokens(html: str) -> str:
    return _CSRF_VALUE.sub(r"\1…\2", html)


def without_tokens(response) -> str:
    """The body of a response with its per-request CSRF tokens blanked: two answers that must
    say the same thing can be compared whole (a token embeds the second it was made in)."""
    return blank_tokens(response.get_data(as_text=True))
