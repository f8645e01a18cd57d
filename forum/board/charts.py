"""Charts drawn on the server as SVG: no JavaScript, no CDN, printable.

Every chart is an image with a name and a description (``role="img"``, ``<title>``, ``<desc>``);
the page puts the same numbers in a table next to it, with the links. Colours are SVG
presentation attributes and classes (the Content-Security-Policy forbids inline styles), and
every value is also written as text, so colour never carries meaning alone.
"""

from dataclasses import dataclass

from markupsafe import Markup, escape

WIDTH = 640
BLUE, ORANGE, GREEN, GREY, INK = "#0b4f8a", "#a34a00", "#1a6b2f", "#d0d7de", "#1b1f24"
SERIES = [BLUE, ORANGE, GREEN, "#6f42c1"]
# Light to dark; the text on the last two is white (contrast at least 4.5:1 on every step).
HEAT = ["#ffffff", "#fde2c8", "#f9b27a", "#c4500c", "#7f2704"]


@dataclass(frozen=True)
class Chart:
    id: str
    title: str
    desc: str
    svg: Markup

    def __html__(self) -> str:
        return self.svg


def _e(value) -> str:
    return str(escape(value))


def _num(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".") if isinstance(value, float) else str(value)


# Widths of characters in ems, a little wider than the common sans-serif faces, so that a label
# measured to fit does fit whatever face the reader's system-ui is.
_NARROW, _MEDIUM, _WIDE = set("iljtf.,:;'!|()[] "), set('rIJ-"*/'), set("mwMWGOQDHNU@%&")


def text_width(text: str, size: float) -> float:
    """An upper estimate of the width of ``text`` at ``size`` px, in px."""
    ems = 0.0
    for ch in text:
        if ch in _NARROW:
            ems += 0.32
        elif ch in _MEDIUM:
            ems += 0.42
        elif ch in _WIDE or ch.isupper():
            ems += 0.86 if ch in _WIDE else 0.7
        else:
            ems += 0.6
    return ems * size


def fit(text: str, width: float, size: float = 13) -> str:
    """``text`` cut at a word (or, failing one, a character) with an ellipsis so that it fits in
    ``width`` px at ``size`` px; the whole text when it fits."""
    if text_width(text, size) <= width:
        return text
    cut = text
    while cut and text_width(cut + "…", size) > width:
        cut = cut[:-1]
    word = cut.rsplit(" ", 1)[0].rstrip(" ,;:-") if " " in cut.strip() else cut
    return (word if len(word) >= len(cut) // 2 else cut).rstrip() + "…"


def _frame(ident: str, title: str, desc: str, height: int, body: list[str]) -> Chart:
    svg = (
        f'<svg class="chart" viewBox="0 0 {WIDTH} {height}" role="img" focusable="false" '
        f'aria-labelledby="{ident}-title {ident}-desc">'
        f'<title id="{ident}-title">{_e(title)}</title><desc id="{ident}-desc">{_e(desc)}</desc>'
        + "".join(body)
        + "</svg>"
    )
    # Every piece of text in the drawing went through _e() above; ids are ours.
    drawing = Markup(svg)  # noqa: S704  # nosec B704  # escaped piece by piece above
    return Chart(ident, title, desc, drawing)


def _text(
    x, y, text, *, anchor="start", size=13, fill=INK, weight=None, width=None, extra=""
) -> str:
    """A label; given ``width`` (px), a longer one is shortened to fit and keeps its whole text
    as a tooltip (the table beside the chart has it too)."""
    bold = f' font-weight="{weight}"' if weight else ""
    shown = text if width is None else fit(str(text), width, size)
    tip = f"<title>{_e(text)}</title>" if shown != text else ""
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" font-size="{size}" '
        f'fill="{fill}"{bold}{extra}>{tip}{_e(shown)}</text>'
    )


def _rect(x, y, w, h, fill, extra="") -> str:
    size = f'width="{max(w, 0):.1f}" height="{h:.1f}"'
    return f'<rect x="{x:.1f}" y="{y:.1f}" {size} fill="{fill}"{extra}/>'


def _scale_max(values) -> float:
    known = [v for v in values if v is not None]
    top = max(known or [0])
    if all(isinstance(v, int) for v in known):
        top = max(top, 4)  # counts: whole-number grid lines
    if top <= 0:
        return 1
    # Four grid steps of a round size: 1, 2, 2.5 or 5 times a power of ten.
    for power in range(-3, 15):
        for nice in (1, 2, 2.5, 5):
            candidate = 4 * nice * 10**power
            if candidate >= top:
                return candidate
    return top


def bars(
    ident: str,
    title: str,
    desc: str,
    items: list[tuple[str, float, str]],
    *,
    maximum: float | None = None,
) -> Chart:
    """Horizontal bars: (label, value, text written after the bar); ``maximum`` fixes the
    length of a full bar (1 for shares), otherwise the largest value sets it."""
    row, top, left, right = 26, 8, 190, 150
    height = top * 2 + row * max(len(items), 1)
    span = WIDTH - left - right
    scale = maximum or _scale_max([v for _, v, _ in items])
    body = []
    if not items:
        body.append(_text(WIDTH / 2, height / 2 + 4, "No data for this selection", anchor="middle"))
    for i, (label, value, text) in enumerate(items):
        y = top + i * row
        body.append(_text(left - 8, y + 17, label, anchor="end", width=left - 12))
        body.append(_rect(left, y + 4, span * (value or 0) / scale, row - 8, BLUE))
        body.append(_text(left + span * (value or 0) / scale + 6, y + 17, text))
    body.append(f'<line x1="{left}" y1="{top}" x2="{left}" y2="{height - top}" stroke="{INK}"/>')
    return _frame(ident, title, desc, height, body)


def columns(
    ident: str,
    title: str,
    desc: str,
    categories: list[str],
    series: list[tuple[str, list[float]]],
    *,
    percent: bool = False,
) -> Chart:
    """Vertical grouped columns, one group per category, with a legend."""
    height, top, bottom, left, right = 260, 30, 48, 44, 10
    plot_h = height - top - bottom
    span = WIDTH - left - right
    values = [v for _, vals in series for v in vals]
    scale = 1.0 if percent else _scale_max(values)
    body = _axes(left, top, span, plot_h, scale, percent)
    group = span / max(len(categories), 1)
    bar = min(group * 0.8 / max(len(series), 1), 28)
    for ci, label in enumerate(categories):
        x0 = left + ci * group + (group - bar * len(series)) / 2
        for si, (_, vals) in enumerate(series):
            v = vals[ci] or 0
            h = plot_h * v / scale
            body.append(_rect(x0 + si * bar, top + plot_h - h, bar - 1, h, SERIES[si]))
        body.append(
            _text(
                left + ci * group + group / 2,
                height - bottom + 16,
                label,
                anchor="middle",
                size=11,
                width=group - 4,
            )
        )
    body += _legend(series, height - 14)
    return _frame(ident, title, desc, height, body)


def lines(
    ident: str,
    title: str,
    desc: str,
    categories: list[str],
    series: list[tuple[str, list[float | None]]],
    *,
    percent: bool = False,
) -> Chart:
    """Lines with a dot on every known value (a gap where a value is unknown)."""
    height, top, bottom, left, right = 260, 30, 48, 44, 10
    plot_h = height - top - bottom
    span = WIDTH - left - right
    values = [v for _, vals in series for v in vals if v is not None]
    scale = 1.0 if percent else _scale_max(values)
    body = _axes(left, top, span, plot_h, scale, percent)
    step = span / max(len(categories), 1)
    for ci, label in enumerate(categories):
        body.append(
            _text(
                left + ci * step + step / 2,
                height - bottom + 16,
                label,
                anchor="middle",
                size=11,
                width=step - 4,
            )
        )
    for si, (_, vals) in enumerate(series):
        colour = SERIES[si]
        points = []
        for ci, v in enumerate(vals):
            if v is None:
                if len(points) > 1:
                    body.append(_polyline(points, colour))
                points = []
                continue
            x, y = left + ci * step + step / 2, top + plot_h - plot_h * v / scale
            points.append((x, y))
            body.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3.5" fill="{colour}"/>')
        if len(points) > 1:
            body.append(_polyline(points, colour))
    body += _legend(series, height - 14)
    return _frame(ident, title, desc, height, body)


def pareto(ident: str, title: str, desc: str, items: list[tuple[str, int, float]]) -> Chart:
    """Columns by count, most frequent first, and the cumulative share as a line (right axis)."""
    height, top, bottom, left, right = 290, 40, 74, 44, 44
    plot_h = height - top - bottom
    span = WIDTH - left - right
    scale = _scale_max([n for _, n, _ in items])
    body = _axes(left, top, span, plot_h, scale, False)
    for i in range(5):
        y = top + plot_h - plot_h * i / 4
        body.append(_text(WIDTH - right + 4, y + 4, f"{25 * i}%", size=11))
    if not items:
        body.append(
            _text(WIDTH / 2, top + plot_h / 2, "No lost deals in this selection", anchor="middle")
        )
    step = span / max(len(items), 1)
    bar = min(step * 0.7, 48)
    points = []
    for i, (label, n, cumulative) in enumerate(items):
        x = left + i * step + step / 2
        h = plot_h * n / scale
        body.append(_rect(x - bar / 2, top + plot_h - h, bar, h, BLUE))
        body.append(_text(x, top + plot_h - h - 4, str(n), anchor="middle", size=11))
        # Rotated 30°: a label of length L reaches L/2 down (the bottom margin) and 0.87 L left.
        y_label = top + plot_h + 14
        room = min((bottom - 18) * 2, x / 0.87)
        turn = f' transform="rotate(-30 {x:.1f} {y_label:.1f})"'
        body.append(_text(x, y_label, label, anchor="end", size=11, width=room, extra=turn))
        points.append((x, top + plot_h - plot_h * cumulative))
    for x, y in points:
        body.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3.5" fill="{ORANGE}"/>')
    if len(points) > 1:
        body.append(_polyline(points, ORANGE))
    body += _legend([("Lost deals", []), ("Cumulative share", [])], 16)
    return _frame(ident, title, desc, height, body)


def heatmap(
    ident: str,
    title: str,
    desc: str,
    rows: list[str],
    cols: list[str],
    values: list[list[int]],
) -> Chart:
    """A grid of counts; darker is more. Every cell also shows its number."""
    top, left, cell_h = 26, 190, 30
    cell_w = (WIDTH - left - 10) / max(len(cols), 1)
    height = top + cell_h * max(len(rows), 1) + 8
    top_value = max([v for r in values for v in r] or [0])
    body = []
    for ci, label in enumerate(cols):
        body.append(
            _text(
                left + ci * cell_w + cell_w / 2,
                top - 8,
                label,
                anchor="middle",
                weight="600",
                width=cell_w - 4,
            )
        )
    if not rows:
        body.append(_text(WIDTH / 2, top + 20, "No operations teams", anchor="middle"))
    for ri, label in enumerate(rows):
        y = top + ri * cell_h
        body.append(_text(left - 8, y + cell_h / 2 + 4, label, anchor="end", width=left - 12))
        for ci, v in enumerate(values[ri]):
            step = 0 if not v else 1 + min(3, int(4 * (v - 1) / max(top_value, 1)))
            x = left + ci * cell_w
            body.append(_rect(x, y, cell_w - 2, cell_h - 2, HEAT[step], f' stroke="{GREY}"'))
            body.append(
                _text(
                    x + cell_w / 2 - 1,
                    y + cell_h / 2 + 4,
                    str(v),
                    anchor="middle",
                    fill="#ffffff" if step >= 3 else INK,
                    weight="600" if v else None,
                )
            )
    return _frame(ident, title, desc, height, body)


def _compact(value: float) -> str:
    """An axis number in at most about five characters: 750, 2.5k, 40k, 1.2M."""
    for size, suffix in ((1e9, "G"), (1e6, "M"), (1e4, "k")):
        if abs(value) >= size:
            return _num(round(value / size, 1)) + suffix
    return _num(value)


def _axes(left, top, span, plot_h, scale, percent) -> list[str]:
    out = []
    for i in range(5):
        y = top + plot_h - plot_h * i / 4
        value = scale * i / 4
        label = f"{value * 100:.0f}%" if percent else _compact(value)
        out.append(
            f'<line x1="{left}" y1="{y:.1f}" x2="{left + span}" y2="{y:.1f}" stroke="{GREY}"/>'
        )
        out.append(_text(left - 6, y + 4, label, anchor="end", size=11))
    base = top + plot_h
    out.append(f'<line x1="{left}" y1="{base}" x2="{left + span}" y2="{base}" stroke="{INK}"/>')
    return out


def _legend(series, y) -> list[str]:
    out, x = [], 50
    for si, (name, _) in enumerate(series):
        colour = ORANGE if name == "Cumulative share" else SERIES[si]
        out.append(_rect(x, y - 10, 12, 12, colour))
        out.append(_text(x + 18, y, name))
        x += 30 + text_width(name, 13)
    return out


def _polyline(points, colour) -> str:
    coords = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
    return f'<polyline points="{coords}" fill="none" stroke="{colour}" stroke-width="2"/>'
