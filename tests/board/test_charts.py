"""Chart labels fit the room they are drawn in; a shortened label keeps its whole text."""

import re
import xml.etree.ElementTree as ET

from hypothesis import given
from hypothesis import strategies as st

from forum.board import charts

SVG = "{http://www.w3.org/2000/svg}"
LONG = "Late delivery on a previous order (promised by the account team)"


def _texts(chart) -> list[ET.Element]:
    root = ET.fromstring(  # noqa: S314  # the app's own drawing, not untrusted input
        str(chart.svg).replace("<svg ", '<svg xmlns="http://www.w3.org/2000/svg" ', 1)
    )
    return [t for t in root.iter(f"{SVG}text")]


def _shown(text: ET.Element) -> str:
    return "".join(t for t in [text.text or "", *(c.tail or "" for c in text)])


def _tip(text: ET.Element) -> str | None:
    title = text.find(f"{SVG}title")
    return None if title is None else title.text


@given(st.text(min_size=1, max_size=120), st.floats(min_value=30, max_value=400))
def test_a_fitted_label_fits_and_starts_like_the_label(label, width):
    shown = charts.fit(label, width)
    if shown == label:
        assert charts.text_width(label, 13) <= width
    else:
        assert shown.endswith("…")
        assert charts.text_width(shown, 13) <= width or len(shown) == 1
        assert label.startswith(shown[:-1].rstrip())


def test_a_long_bar_label_is_shortened_at_a_word_with_its_whole_text_as_a_tooltip():
    chart = charts.bars(
        "reasons", "Reasons", "Lost deals by reason", [(LONG, 3, "3"), ("Price", 1, "1")]
    )
    labels = [t for t in _texts(chart) if t.get("text-anchor") == "end"]
    long, short = labels
    assert _shown(long) != LONG and _shown(long).endswith("…")
    assert LONG.startswith(_shown(long)[:-1])
    assert not _shown(long)[:-1].endswith(" ")  # cut at a word, not inside one
    assert charts.text_width(_shown(long), 13) <= 190 - 12
    assert _tip(long) == LONG
    assert _shown(short) == "Price" and _tip(short) is None


def test_column_labels_fit_their_column_and_the_pareto_labels_their_margin():
    categories = [f"{LONG} {i}" for i in range(6)]
    chart = charts.columns("c", "C", "d", categories, [("Won", [1] * 6), ("Lost", [2] * 6)])
    group = (charts.WIDTH - 44 - 10) / 6
    shown = [t for t in _texts(chart) if _tip(t) is not None]
    assert len(shown) == 6
    assert all(charts.text_width(_shown(t), 11) <= group - 4 for t in shown)
    pareto = charts.pareto("p", "P", "d", [(LONG, 5, 0.5), ("Price", 5, 1.0)])
    rotated = [t for t in _texts(pareto) if "rotate" in (t.get("transform") or "")]
    assert _tip(rotated[0]) == LONG and _shown(rotated[1]) == "Price"
    assert charts.text_width(_shown(rotated[0]), 11) <= (74 - 18) * 2


def test_large_axis_numbers_are_compact_so_they_fit_left_of_the_axis():
    chart = charts.columns("m", "M", "d", ["Q1", "Q2"], [("At risk", [2_400_000, 900_000])])
    axis = [
        _shown(t)
        for t in _texts(chart)
        if t.get("font-size") == "11" and t.get("text-anchor") == "end"
    ]
    assert axis == ["0", "1M", "2M", "3M", "4M"]
    assert all(charts.text_width(label, 11) <= 44 - 6 for label in axis)
    assert not any(re.fullmatch(r"\d{5,}", label) for label in axis)
