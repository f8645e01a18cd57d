"""Running wrk against one URL and reading its summary (``report.lua`` prints it as JSON)."""

import json
import shutil
import subprocess
from dataclasses import asdict, dataclass
from pathlib import Path

SCRIPT = Path(__file__).with_name("report.lua")


@dataclass
class Load:
    requests: int
    seconds: float
    p50_ms: float
    p99_ms: float
    non2xx: int  # answers of 400 and above, and socket errors
    rps: float

    def as_dict(self) -> dict:
        return asdict(self)


def wrk(url: str, seconds: float, *, threads: int = 2, connections: int = 16, cookie: str = ""):
    """Load ``url`` for ``seconds`` with wrk; 3xx answers count as successes (wrk's rule)."""
    binary = shutil.which("wrk")
    if binary is None:
        raise SystemExit("wrk is missing: apt-get install -y wrk")
    argv = [
        binary,
        f"-t{threads}",
        f"-c{connections}",
        f"-d{max(1, round(seconds))}s",
        "--timeout",
        "10s",
        "-s",
        str(SCRIPT),
    ]
    if cookie:
        argv += ["-H", f"Cookie: {cookie}"]
    argv.append(url)
    done = subprocess.run(argv, capture_output=True, text=True, timeout=seconds + 60, check=False)  # noqa: S603
    line = next((x for x in done.stdout.splitlines() if x.startswith("{")), None)
    if line is None:
        raise SystemExit(f"wrk gave no summary for {url}:\n{done.stdout}\n{done.stderr}")
    r = json.loads(line)
    return Load(
        r["requests"],
        r["seconds"],
        r["p50_us"] / 1000,
        r["p99_us"] / 1000,
        r["non2xx"] + r["socket_errors"],
        r["requests"] / r["seconds"] if r["seconds"] else 0.0,
    )
