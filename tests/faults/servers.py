"""The servers the fault tests start, kill and stop by PID: gunicorn serving the app, and a
throwaway PostgreSQL cluster.

Each server runs in a process group of its own (its PID is the group's id), so stopping it also
stops what it forked — gunicorn's workers, PostgreSQL's backends — even after its master was
killed. ``Servers`` keeps every server a test started and stops them all when the test ends,
however it ends; a watchdog kills them if the test outlives its deadline, so a request that
would hang fails instead. Nothing waits by sleeping: ``wait_for`` polls for the condition
until a deadline.
"""

import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path

import pytest

from benchmarks.serverenv import server_env
from tests.ports import unused_port

ROOT = Path(__file__).resolve().parents[2]
START_SECONDS = 60  # a server that is not ready by then has failed to start
STOP_SECONDS = 10  # after a polite signal, before SIGKILL
POLL_SECONDS = 0.02
LISTENING_RE = re.compile(r"Listening at: http://127\.0\.0\.1:(\d+)")


def unavailable(reason: str):
    """A fault test that cannot run here: skipped on a developer's machine, a failure in CI
    (CI=true), where .ci/run installs PostgreSQL and runs as root — never a quiet pass there."""
    if os.environ.get("CI") == "true":
        pytest.fail(f"this fault test must run in CI: {reason}", pytrace=False)
    pytest.skip(reason)


def wait_for(condition: Callable[[], object], seconds: float, what: str, log=None):
    """Poll ``condition`` until it returns something true (returned), failing after ``seconds``
    with ``what`` (and the tail of a server's log)."""
    deadline = time.monotonic() + seconds
    while True:
        result = condition()
        if result:
            return result
        if time.monotonic() > deadline:
            tail = f"\n--- log ---\n{log.tail()}" if log is not None else ""
            pytest.fail(f"gave up after {seconds}s waiting for {what}{tail}", pytrace=False)
        time.sleep(POLL_SECONDS)


def app_env(database_url: str, folder: Path, **settings) -> dict[str, str]:
    """The environment of an app server: the development configuration (the testing one would
    turn off fsync), this database, folders under ``folder`` unless ``settings`` say otherwise.
    Nothing else of the caller's environment leaks in (an SMTP transport, a redis URL...)."""
    return server_env(
        "fault-tests",
        database_url,
        folder,
        # Every client signs in from 127.0.0.1 and files quickly: the limits are not under test.
        **{"WRITE_LIMIT_PER_USER": "10000 per minute"} | settings,
    )


class Process:
    """A child process in its own process group, its output in a log file."""

    def __init__(self, name: str, args: list[str], log: Path, **popen):
        self.name, self.log_path = name, log
        self._log = open(log, "ab")  # noqa: SIM115 - closed by stop()
        self.popen = subprocess.Popen(
            args, stdout=self._log, stderr=subprocess.STDOUT, start_new_session=True, **popen
        )
        self.pid = self.popen.pid

    def tail(self, lines: int = 40) -> str:
        text = self.log_path.read_text(errors="replace")
        return "\n".join(text.splitlines()[-lines:])

    def running(self) -> bool:
        return self.popen.poll() is None

    def signal_group(self, sig: int) -> None:
        try:
            os.killpg(self.pid, sig)
        except ProcessLookupError:
            pass  # nothing of the group is left

    def stop(self, sig: int = signal.SIGTERM) -> None:
        """``sig`` to the whole group, SIGKILL to what is left after STOP_SECONDS; idempotent."""
        if self.running():
            self.signal_group(sig)
            try:
                self.popen.wait(timeout=STOP_SECONDS)
            except subprocess.TimeoutExpired:
                pass
        # Whatever outlived its leader (a worker whose master was killed) goes too.
        self.signal_group(signal.SIGKILL)
        try:
            self.popen.wait(timeout=STOP_SECONDS)
        finally:
            self._log.close()


def children(pid: int) -> list[int]:
    try:
        return [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except FileNotFoundError:
        return []


def get_status(url: str, timeout: float = 2) -> int | None:
    """The status of GET ``url``, or None when nothing answers."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code
    except OSError:
        return None


class Gunicorn(Process):
    """``gunicorn app:app`` on a free port of 127.0.0.1 (``--bind :0``, read back from its log),
    with the repository's ``gunicorn.conf.py`` (its hooks log every worker that ends) and
    ``--preload``: a worker killed is replaced by a fork of the master at once."""

    def __init__(self, env: dict, log: Path, *, workers: int = 2, threads: int = 1):
        args = [
            sys.executable,
            "-m",
            "gunicorn",
            f"--config={ROOT / 'gunicorn.conf.py'}",  # the production hooks and settings
            "--bind=127.0.0.1:0",
            f"--workers={workers}",
            f"--threads={threads}",
            f"--worker-class={'gthread' if threads > 1 else 'sync'}",
            "--timeout=30",
            "--graceful-timeout=2",
            "--preload",
            "--no-control-socket",  # its default path is one per user: tests would share it
            "--log-level=info",
            f"--chdir={ROOT}",
            "app:app",
        ]
        super().__init__("gunicorn", args, log, env=env, cwd=ROOT)
        self.workers = workers
        self.port: int | None = None
        self.url = ""

    def wait_listening(self) -> None:
        self.port = int(wait_for(self._listening, START_SECONDS, "gunicorn to listen", self))
        self.url = f"http://127.0.0.1:{self.port}"

    def _listening(self) -> str | None:
        if not self.running():
            pytest.fail(f"gunicorn exited ({self.popen.returncode}):\n{self.tail()}", pytrace=False)
        match = LISTENING_RE.search(self.log_path.read_text(errors="replace"))
        return match and match.group(1)

    def wait_ready(self, status: int = 200) -> None:
        """Until every worker is up and ``/healthz`` answers ``status``."""
        wait_for(
            lambda: (
                len(self.worker_pids()) == self.workers
                and get_status(f"{self.url}/healthz") == status
            ),
            START_SECONDS,
            f"gunicorn's /healthz to answer {status}",
            self,
        )

    def stop(self, sig: int = signal.SIGKILL) -> None:
        """SIGKILL to the group: the test has checked what it needed, and gunicorn's own quick
        shutdown still waits out the graceful timeout. Nothing is left behind: the database
        is crash-safe and gunicorn unlinks its heartbeat files as it creates them."""
        super().stop(sig)

    def worker_pids(self) -> list[int]:
        return children(self.pid)

    def kill_worker(self) -> int:
        """SIGKILL one worker (the master starts another); returns its PID."""
        pid = self.worker_pids()[0]
        os.kill(pid, signal.SIGKILL)
        return pid

    def kill_master(self) -> None:
        """SIGKILL the master, then its orphaned workers: the whole server dies as in a crash
        (a sync worker would otherwise serve on until it noticed its parent was gone)."""
        workers = self.worker_pids()
        os.kill(self.pid, signal.SIGKILL)
        self.popen.wait(timeout=STOP_SECONDS)
        for pid in workers:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        self.signal_group(signal.SIGKILL)


def pg_bin_dir() -> Path | None:
    """PostgreSQL 15's binaries (or the newest installed), or None."""
    found = sorted(
        (p for p in Path("/usr/lib/postgresql").glob("*/bin/initdb") if p.parts[-3].isdigit()),
        key=lambda p: (p.parts[-3] != "15", -int(p.parts[-3])),
    )
    return found[0].parent if found else None


class Postgres:
    """A throwaway PostgreSQL cluster: ``initdb`` into a temporary folder (as the ``postgres``
    user when run as root), fsync off, listening on 127.0.0.1 only, socket inside the folder."""

    def __init__(self, bin_dir: Path):
        self.bin = bin_dir
        self.folder = Path(tempfile.mkdtemp(prefix="vos-faults-pg-"))
        self.data = self.folder / "data"
        self.as_root = os.geteuid() == 0
        if self.as_root:
            shutil.chown(self.folder, "postgres", "postgres")
        self.server: Process | None = None
        self.port: int | None = None
        self.starts = 0
        result = subprocess.run(
            self._as_owner(
                [
                    str(self.bin / "initdb"),
                    f"--pgdata={self.data}",
                    "--username=postgres",
                    "--auth=trust",
                    "--encoding=UTF8",
                    "--no-sync",
                    "--no-instructions",
                ]
            ),
            cwd=self.folder,
            capture_output=True,
            text=True,
            timeout=START_SECONDS,
        )
        if result.returncode != 0:
            self.remove()
            pytest.fail(f"initdb failed:\n{result.stdout}{result.stderr}", pytrace=False)

    def _as_owner(self, args: list[str]) -> list[str]:
        return ["runuser", "-u", "postgres", "--", *args] if self.as_root else args

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"

    def start(self) -> None:
        """Start the server: on a free port the first time, on the same port afterwards."""
        for _ in range(5):
            port = self.port or unused_port()
            args = [
                str(self.bin / "postgres"),
                "-D",
                str(self.data),
                "-p",
                str(port),
                "-c",
                "listen_addresses=127.0.0.1",
                "-c",
                f"unix_socket_directories={self.folder}",
                "-c",
                "fsync=off",
                "-c",
                "full_page_writes=off",
                # synchronous_commit stays on: with it off, an immediate stop loses commits
                # already acknowledged (fsync off only matters if the machine itself dies).
            ]
            # Started as the postgres user by Popen itself rather than through runuser, so
            # that the PID we hold is the postmaster's.
            owner = {"user": "postgres", "group": "postgres", "extra_groups": []}
            self.starts += 1
            self.server = Process(
                "postgres",
                args,
                self.folder / f"postgres-{self.starts}.log",
                cwd=self.folder,
                **(owner if self.as_root else {}),
            )
            ready = wait_for(
                self._ready_or_exited, START_SECONDS, "PostgreSQL to start", self.server
            )
            if ready == "ready":
                self.port = port
                return
            self.server.stop()
            if self.port is not None or "could not bind" not in self.server.tail():
                pytest.fail(f"PostgreSQL did not start:\n{self.server.tail()}", pytrace=False)
        pytest.fail("PostgreSQL found no free port", pytrace=False)

    def _ready_or_exited(self) -> str | None:
        if not self.server.running():
            return "exited"
        text = self.server.log_path.read_text(errors="replace")
        return "ready" if "ready to accept connections" in text else None

    def stop_immediately(self) -> None:
        """``pg_ctl stop -m immediate``: every backend ends at once, no shutdown checkpoint."""
        result = subprocess.run(
            self._as_owner(
                [str(self.bin / "pg_ctl"), "stop", "-D", str(self.data), "-m", "immediate", "-w"]
            ),
            cwd=self.folder,
            capture_output=True,
            text=True,
            timeout=START_SECONDS,
        )
        assert result.returncode == 0, result.stdout + result.stderr
        self.server.popen.wait(timeout=STOP_SECONDS)
        self.server.stop()

    def stop(self) -> None:
        if self.server is not None:
            self.server.stop(signal.SIGQUIT)  # the immediate shutdown

    def remove(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)


class Servers:
    """Every server one test started; ``stop_all()`` stops them (the newest first)."""

    def __init__(self, folder: Path, deadline_seconds: float):
        self.folder = folder
        self.started: list[Gunicorn | Postgres] = []
        self.count = 0  # each server has a log of its own
        self._lock = threading.Lock()
        self._watchdog = threading.Timer(deadline_seconds, self._expire)
        self._watchdog.daemon = True
        self._watchdog.start()
        self.expired = False

    def gunicorn(self, env: dict, **options) -> Gunicorn:
        """Start gunicorn on ``env`` (see app_env); it is stopped when the test ends."""
        with self._lock:
            self.count += 1
            server = Gunicorn(env, self.folder / f"gunicorn-{self.count}.log", **options)
            self.started.append(server)
        server.wait_listening()
        server.wait_ready()
        return server

    def postgres(self) -> Postgres:
        """Create and start a throwaway cluster (skipped without PostgreSQL's binaries)."""
        bin_dir = pg_bin_dir()
        if bin_dir is None:
            unavailable("PostgreSQL's binaries are not installed (/usr/lib/postgresql/*/bin)")
        cluster = Postgres(bin_dir)
        with self._lock:
            self.started.append(cluster)
        cluster.start()
        return cluster

    def _expire(self) -> None:
        # The test is stuck (a request waiting for ever): killing the servers frees it to fail.
        self.expired = True
        self.stop_all()

    def stop_all(self) -> None:
        with self._lock:
            servers, self.started = self.started, []
        for server in reversed(servers):
            try:
                server.stop()
            finally:
                if isinstance(server, Postgres):
                    server.remove()

    def close(self) -> None:
        self._watchdog.cancel()
        # Shown by pytest only when the test fails: what each server said last.
        for server in self.started:
            process = server.server if isinstance(server, Postgres) else server
            if process is not None:
                print(f"--- {process.name} {process.pid} ---\n{process.tail(60)}")
        self.stop_all()
