"""The budgets of issue 12, and the table the HTTP benchmark prints."""

from benchmarks.http.pages import FEED, LEADER, REP, TRIAGE

# Least share of the ceiling's req/s, per group of pages (measured in the same run).
BUDGETS = {FEED: 0.40, REP: 0.25, TRIAGE: 0.20, LEADER: 0.15}
LEADER_P99_UNDER_WRITES_MS = 150
MAX_STATEMENTS = 10
MAX_GROWTH = 1.3  # single-client p50, scale S to the run's scale
MAX_REPORT_KB = 60  # a report's page, whatever its thread's length
MIN_WRITES_PER_SECOND = 200
MAX_WORKER_RSS_MB = 100

HEADER = (
    f"{'page':<34} {'req/s':>7} {'p50':>7} {'p99':>7} {'non2xx':>6} {'ceiling':>7} "
    f"{'share':>6} {'SQL':>4} {'KB':>6} {'1-client p50':>14}"
)


def row(key: str, r: dict, base: float | None = None) -> str:
    one = r["single_p50_ms"]
    if one is None:
        growth = "—"
    elif base:
        growth = f"{base:.0f}→{one:.0f} ms"
    else:
        growth = f"{one:.1f} ms"
    return (
        f"{r['label'][:34]:<34} {r['rps']:>7.1f} {r['p50_ms']:>7.1f} {r['p99_ms']:>7.1f} "
        f"{r['non2xx']:>6} {r['ceiling_rps']:>7.0f} {r['share']:>6.1%} {r['statements']:>4} "
        f"{r['html_kb']:>6.1f} {growth:>14}"
    )


def table(result: dict) -> str:
    base = result.get("growth_base", {})
    lines = [
        f"\nScale {result['scale']} on {result['database']} (gunicorn, 2 sync workers; "
        f"wrk -t2 -c16; p50/p99 in ms)",
        HEADER,
        *(row(k, r, base.get(k)) for k, r in result["pages"].items()),
    ]
    w = result.get("writes")
    if w:
        lines.append(
            f"write mix: {w['writes_per_second']:.0f} writes/s ({w['clients']} clients, "
            f"{w['seconds']:.0f}s: {w['writes']}), errors {w['errors'] or 0}, "
            f"p50 {w['p50_ms']} ms, p99 {w['p99_ms']} ms; 'database is locked': "
            f"{result.get('database_locked', 0)}"
        )
    b = result.get("under_writes", {}).get("board")
    if b:
        lines.append(
            f"board while writing: {b['rps']:.0f} req/s, p50 {b['p50_ms']:.0f} ms, "
            f"p99 {b['p99_ms']:.0f} ms, non-2xx {b['non2xx']}"
        )
    rss = result.get("rss_mb")
    if rss:
        lines.append(f"worker memory (RSS, MB): app {rss['app']}, ceiling {rss['ceiling']}")
    return "\n".join(lines)


BREAKAGE = ("answers not 2xx/3xx", "writes: errors", "database is locked")


def is_breakage(miss: str) -> bool:
    """A miss that is no matter of speed: an error answer, a failed write."""
    return any(words in miss for words in BREAKAGE)


def misses(result: dict) -> list[str]:
    """Every budget the run missed, in words (empty: all met)."""
    out = []
    base = result.get("growth_base", {})
    for key, r in result["pages"].items():
        need = BUDGETS[r["group"]]
        if r["share"] < need:
            out.append(f"{r['label']}: {r['share']:.1%} of the ceiling, under {need:.0%}")
        if r["statements"] is not None and r["statements"] > MAX_STATEMENTS:
            out.append(f"{r['label']}: {r['statements']} SQL statements, over {MAX_STATEMENTS}")
        if r["non2xx"] or (r["status"] or 200) >= 400:
            out.append(f"{r['label']}: {r['non2xx']} answers not 2xx/3xx")
        if key.startswith("report") and r["html_kb"] > MAX_REPORT_KB:
            out.append(f"{r['label']}: {r['html_kb']:.0f} KB, over {MAX_REPORT_KB} KB")
        if base.get(key) and (r["single_p50_ms"] or 0) > MAX_GROWTH * base[key]:
            out.append(
                f"{r['label']}: one client's p50 grew {r['single_p50_ms'] / base[key]:.1f}x "
                f"from scale S, over {MAX_GROWTH}x"
            )
    w = result.get("writes") or {}
    if w and w["writes_per_second"] < MIN_WRITES_PER_SECOND:
        out.append(f"writes: {w['writes_per_second']:.0f}/s, under {MIN_WRITES_PER_SECOND}/s")
    if w and w["errors"]:
        out.append(f"writes: errors {w['errors']}")
    if result.get("database_locked"):
        out.append(f"'database is locked' {result['database_locked']} times in the app's log")
    b = (result.get("under_writes") or {}).get("board")
    if b and b["p99_ms"] > LEADER_P99_UNDER_WRITES_MS:
        out.append(f"board while writing: p99 {b['p99_ms']:.0f} ms, over 150 ms")
    for rss in (result.get("rss_mb") or {}).get("app", []):
        if rss > MAX_WORKER_RSS_MB:
            out.append(f"a worker holds {rss} MB, over {MAX_WORKER_RSS_MB} MB")
    return out
