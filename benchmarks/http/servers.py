"""Servers the HTTP benchmark starts and stops by PID: gunicorn (the app, the ceiling app),
and for the two-server topology redis-server and haproxy. Everything binds 127.0.0.1."""

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from benchmarks.serverenv import LIFTED_LIMITS, server_env

ROOT = Path(__file__).resolve().parents[2]
GUNICORN = Path(sys.executable).with_name("gunicorn")
LISTENING = re.compile(r"Listening at: http://127\.0\.0\.1:(\d+)")


def free_port() -> int:
    """A port free now (for servers that cannot bind port 0 and report it: redis, haproxy)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def app_env(database_url: str, folder: Path, **extra: str) -> dict[str, str]:
    """The app's environment for a benchmark (benchmarks/serverenv.py): limits lifted,
    logs quiet, files and its home in ``folder``."""
    return server_env(
        "bench",
        database_url,
        folder,
        HOME=str(folder),
        WEB_CONCURRENCY="2",
        **LIFTED_LIMITS | extra,
    )


@dataclass
class Server:
    """A process in a group of its own, with its log."""

    name: str
    process: subprocess.Popen
    log: Path
    port: int
    extra: dict = field(default_factory=dict)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(5)

    def workers(self) -> list[int]:
        """The gunicorn workers' PIDs (children of the master)."""
        path = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        try:
            return [int(p) for p in path.read_text().split()]
        except OSError:
            return []

    def worker_rss_mb(self) -> list[float]:
        out = []
        for pid in self.workers():
            try:
                status = Path(f"/proc/{pid}/status").read_text()
            except OSError:
                continue
            kb = int(re.search(r"VmRSS:\s+(\d+)", status).group(1))
            out.append(round(kb / 1024, 1))
        return out

    def log_text(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""


def _spawn(name: str, argv: list[str], env: dict, log: Path) -> subprocess.Popen:
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("wb") as out:
        return subprocess.Popen(  # noqa: S603  # fixed tools, arguments as a list
            argv, env=env, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )


def gunicorn(name: str, target: str, env: dict, folder: Path, workers: int = 2) -> Server:
    """gunicorn with ``workers`` sync workers on 127.0.0.1, a port of its own (port 0)."""
    log = folder / f"{name}.log"
    argv = [
        str(GUNICORN),
        "--workers",
        str(workers),
        "--worker-class",
        "sync",
        "--bind",
        "127.0.0.1:0",
        "--timeout",
        "120",
        "--no-control-socket",
        "--graceful-timeout",
        "5",
        target,
    ]
    process = _spawn(name, argv, env, log)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        found = LISTENING.search(log.read_text(errors="replace")) if log.exists() else None
        if found:
            server = Server(name, process, log, int(found.group(1)))
            wait_http(server.url + ("/healthz" if target == "app:app" else "/"), 60, server)
            return server
        if process.poll() is not None:
            break
        time.sleep(0.1)
    server = Server(name, process, log, 0)
    server.stop()
    raise SystemExit(f"{name} did not start:\n{server.log_text()[-3000:]}")


def wait_http(url: str, seconds: float, server: Server | None = None) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=min(60, seconds)) as r:  # noqa: S310  # 127.0.0.1
                if r.status < 500:
                    return
        except OSError:
            time.sleep(0.2)
    tail = server.log_text()[-3000:] if server else ""
    raise SystemExit(f"{url} did not answer within {seconds:.0f}s\n{tail}")


def redis(folder: Path) -> Server:
    binary = shutil.which("redis-server") or "/usr/bin/redis-server"
    port = free_port()
    argv = [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
    process = _spawn("redis", argv, {"PATH": "/usr/bin:/bin"}, folder / "redis.log")
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1) as s:
                s.sendall(b"PING\r\n")
                if s.recv(16).startswith(b"+PONG"):
                    return Server("redis", process, folder / "redis.log", port)
        except OSError:
            time.sleep(0.1)
    raise SystemExit("redis-server did not start")


def haproxy(backends: list[Server], folder: Path, port: int | None = None) -> Server:
    """haproxy on 127.0.0.1 balancing round-robin over ``backends`` (no stickiness: sessions
    live in the signed cookie, so any server answers any request)."""
    binary = shutil.which("haproxy") or "/usr/sbin/haproxy"
    port = port or free_port()
    lines = [
        "global",
        "  maxconn 512",
        "defaults",
        "  mode http",
        "  timeout connect 5s",
        "  timeout client 60s",
        "  timeout server 60s",
        "  option forwardfor",
        "frontend bench",
        f"  bind 127.0.0.1:{port}",
        "  default_backend app",
        "backend app",
        "  balance roundrobin",
        "  http-response set-header X-Bench-Server %s",
        *(f"  server s{i} 127.0.0.1:{b.port} check" for i, b in enumerate(backends, 1)),
    ]
    config = folder / "haproxy.cfg"
    config.write_text("\n".join(lines) + "\n")
    process = _spawn("haproxy", [binary, "-db", "-f", str(config)], {}, folder / "haproxy.log")
    server = Server("haproxy", process, folder / "haproxy.log", port)
    wait_http(server.url + "/healthz", 30, server)
    return server
