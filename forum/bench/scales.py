"""How big each benchmark organisation is (``flask seed-bench --scale``)."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Scale:
    name: str
    users: int
    accounts: int
    reports: int
    comments: int
    fixes: int
    history: int  # fix history entries, every fix's creation included
    corroborations: int
    fix_comments: int
    regions: int  # sales regions
    ops_teams: int
    longest_thread: int  # the one report with the longest discussion
    longest_history: int  # the one fix with the longest history
    huge_fixes: int  # fixes with very long histories and many reports


SCALES = {
    # A few seconds: what the generator's tests build.
    "T": Scale("T", 40, 30, 240, 600, 24, 160, 150, 12, 3, 3, 120, 40, 1),
    # About the demo's size.
    "S": Scale("S", 60, 80, 400, 1_000, 40, 260, 400, 20, 4, 5, 200, 80, 1),
    # The company: 100,000 reports, 300,000 comments, 20,000 fixes.
    "M": Scale(
        "M",
        2_000,
        5_000,
        100_000,
        300_000,
        20_000,
        250_000,
        60_000,
        10_000,
        12,
        8,
        1_010,
        1_032,
        5,
    ),
    "L": Scale(
        "L",
        20_000,
        50_000,
        1_000_000,
        3_000_000,
        200_000,
        2_500_000,
        600_000,
        100_000,
        40,
        20,
        3_000,
        2_000,
        20,
    ),
}
