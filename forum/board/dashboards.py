"""The board's charts, drawn from its read models: titles and descriptions that carry the
same numbers as the tables beside them."""

from forum.board import charts, queries
from forum.board.queries.fixes import AGES, PRIORITIES


def board_charts(data: queries.Board) -> dict:
    """The board's charts: overdue fixes by team and priority, ageing, weekly flow."""
    rows = data.teams
    total = data.total
    return {
        "heat": charts.heatmap(
            "heat",
            "Overdue fixes by team and priority",
            "Number of open fixes past their due date, for each operations team (rows) and "
            "priority P1 to P4 (columns). Darker cells hold more overdue fixes. "
            f"{total.counts['overdue']} overdue in all.",
            [r.team.name for r in rows],
            PRIORITIES,
            [[r.overdue_by_priority[p] for p in PRIORITIES] for r in rows],
        ),
        "ageing": charts.bars(
            "ageing",
            "Open fixes by age",
            "How long the open fixes have been open: "
            + "; ".join(f"{label}: {total.counts[name]}" for name, label, *_ in AGES)
            + ".",
            [(label, total.counts[name], str(total.counts[name])) for name, label, *_ in AGES],
        ),
        "weekly": charts.columns(
            "weekly",
            "Reported and resolved fixes per week",
            "For each of the last 12 weeks (starting Monday), the fixes created and the fixes "
            f"resolved. In all {sum(w.reported for w in data.weeks)} reported and "
            f"{sum(w.resolved for w in data.weeks)} resolved.",
            [w.bucket.tick for w in data.weeks],
            [
                ("Reported", [w.reported for w in data.weeks]),
                ("Resolved", [w.resolved for w in data.weeks]),
            ],
        ),
    }


def team_charts(card: queries.Scorecard, team_name: str) -> dict:
    """A team's month-by-month charts: flow, time to resolve, open fixes, rates."""
    labels = [m.bucket.tick for m in card.months]
    return {
        "flow": charts.columns(
            "flow",
            f"{team_name}: reported and resolved per month",
            "Fixes created and fixes resolved in each of the last 12 months.",
            labels,
            [
                ("Reported", [m.created for m in card.months]),
                ("Resolved", [m.resolved for m in card.months]),
            ],
        ),
        "ttr": charts.lines(
            "ttr",
            f"{team_name}: time to resolve per month",
            "Median and 90th percentile of the days from creation to resolution, for the fixes "
            "resolved in each month; gaps are months without a resolution.",
            labels,
            [
                ("Median days", [m.ttr_median_days for m in card.months]),
                ("90th percentile days", [m.ttr_p90_days for m in card.months]),
            ],
        ),
        "open": charts.lines(
            "open",
            f"{team_name}: open fixes at each month end",
            "How many of the team's fixes were open at the end of each month (the current "
            "month: now), replayed from the fixes' history.",
            labels,
            [("Open at month end", [m.open_at_end for m in card.months])],
        ),
        "rates": charts.lines(
            "rates",
            f"{team_name}: on-time and reopen rates per month",
            "Share of the month's resolutions made on time, and share of the month's new fixes "
            "reopened after a close; gaps are months without any.",
            labels,
            [
                ("On time", [m.on_time_rate for m in card.months]),
                ("Reopened", [m.reopen_rate for m in card.months]),
            ],
            percent=True,
        ),
    }


def win_loss_charts(data: queries.WinLoss) -> dict:
    """Win rate over time, loss reasons, competitors and revenue lost by reason."""
    out = {
        "rate": charts.lines(
            "rate",
            "Win rate over the period",
            "Won deals as a share of won and lost deals, for each part of the period; gaps "
            "are parts without a decided deal. Over the whole period: "
            f"{_pct(data.total.win_rate)}.",
            [r.bucket.tick for r in data.by_period],
            [("Win rate", [r.win_rate for r in data.by_period])],
            percent=True,
        ),
        "pareto": charts.pareto(
            "pareto",
            "Loss reasons, most frequent first",
            "Lost deals by primary reason as columns, and the cumulative share of all losses "
            "as a line. " + "; ".join(f"{r.name}: {r.count}" for r in data.reasons[:5]) + ".",
            [(r.name, r.count, r.cumulative) for r in data.reasons],
        ),
        "competitors": charts.bars(
            "competitors",
            "Win rate against each competitor",
            "For each competitor named in a deal, the share of decided deals won. "
            + "; ".join(f"{c.label}: {_pct(c.win_rate)} of {c.decided}" for c in data.competitors)
            + ".",
            [
                (c.label, c.win_rate or 0, f"{_pct(c.win_rate)} of {c.decided} decided")
                for c in data.competitors
            ],
            maximum=1.0,
        ),
    }
    if data.currencies:
        items = [
            (r.name, float(r.lost_value.total.amount), str(r.lost_value))
            for r in data.reasons
            if r.lost_value is not None and r.lost_value.parts
        ]
        items.sort(key=lambda i: -i[1])
        missing = sorted({c for r in data.reasons if r.lost_value for c in r.lost_value.missing})
        out["revenue"] = charts.bars(
            "revenue",
            f"Revenue lost by reason ({data.reporting})",
            f"Deal value of the lost deals by primary reason, in {data.reporting} at the rates "
            f"of {data.month}"
            + (
                f"; {', '.join(missing)} amounts have no rate and are left out (see the table)."
                if missing
                else "."
            ),
            items,
        )
    return out


def _pct(value) -> str:
    return "no decided deals" if value is None else f"{value * 100:.0f}%"
