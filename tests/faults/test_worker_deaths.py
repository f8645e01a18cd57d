"""gunicorn.conf.py: its settings, and its hooks' line for every worker that dies — a crash
(SIGSEGV), a kill -9, a timeout's abort — told apart from a worker that ends as planned."""

import importlib.util
import os
import re
import signal
import socket
import subprocess
import sys
import time

import pytest

from tests.faults.servers import ROOT, app_env, get_status, wait_for

CONFIG = ROOT / "gunicorn.conf.py"
SECONDS = 30  # for a worker to die, be logged and be replaced


def load_config():
    spec = importlib.util.spec_from_file_location("gunicorn_conf_under_test", CONFIG)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def printed_config(**env) -> dict[str, str]:
    """What gunicorn makes of the config file, in this environment."""
    result = subprocess.run(
        [sys.executable, "-m", "gunicorn", "--config", str(CONFIG), "--print-config", "app:app"],
        cwd=ROOT,
        env={"PATH": os.environ["PATH"], **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return dict(
        (name.strip(), value.strip())
        for name, _, value in (line.partition("=") for line in result.stdout.splitlines())
    )


@pytest.mark.parametrize(
    ("status", "died", "how"),
    [
        (signal.SIGSEGV, True, "signal=SIGSEGV"),
        (signal.SIGSEGV | 0x80, True, "signal=SIGSEGV (core dumped)"),
        (signal.SIGKILL, True, "signal=SIGKILL"),
        (1 << 8, True, "exit=1"),
        (0, False, "exit=0"),
        (None, True, "status=unknown"),
    ],
)
def test_a_signal_or_a_non_zero_exit_is_a_death_and_a_clean_exit_is_not(status, died, how):
    assert load_config().describe(status) == (died, how)


def test_the_worker_count_comes_from_web_concurrency_and_workers_are_recycled_with_jitter():
    settings = printed_config(WEB_CONCURRENCY="3")
    assert settings["workers"] == "3"
    assert settings["preload_app"] == "False"
    assert int(settings["max_requests"]) > 0
    assert int(settings["max_requests_jitter"]) > 0
    assert printed_config(GUNICORN_MAX_REQUESTS="0")["max_requests"] == "0"


def _log(server) -> str:
    return server.log_path.read_text(errors="replace")


def _replaced(server, pid: int) -> bool:
    pids = server.worker_pids()
    return len(pids) == server.workers and pid not in pids


@pytest.mark.slow
@pytest.mark.committed
@pytest.mark.parametrize(
    ("sig", "lines"),
    [
        # faulthandler (post_fork) writes the Python traceback before the worker dies.
        (
            signal.SIGSEGV,
            ["Fatal Python error: Segmentation fault", "worker-death pid={pid} signal=SIGSEGV"],
        ),
        (signal.SIGKILL, ["worker-death pid={pid} signal=SIGKILL"]),
        # What the master sends a worker past its timeout: where it was, then exit 1.
        (signal.SIGABRT, ["worker-abort pid={pid}", "worker-death pid={pid} exit=1"]),
        # A quick stop of one worker: where it was, and no death.
        (signal.SIGQUIT, ["worker-int pid={pid}", "worker-exit pid={pid} exit=0"]),
    ],
    ids=lambda value: value.name if isinstance(value, signal.Signals) else "",
)  # fmt: skip
def test_a_worker_that_ends_is_logged_with_how_it_ended(
    servers, database_url, tmp_path, sig, lines
):
    server = servers.gunicorn(app_env(database_url, tmp_path), workers=1)
    [pid] = server.worker_pids()
    os.kill(pid, sig)
    expected = [line.format(pid=pid) for line in lines]
    wait_for(lambda: all(line in _log(server) for line in expected), SECONDS, expected, server)
    if sig in (signal.SIGQUIT,):
        assert f"worker-death pid={pid}" not in _log(server)
    wait_for(lambda: _replaced(server, pid), SECONDS, "the master to start another worker", server)
    wait_for(lambda: get_status(f"{server.url}/healthz") == 200, SECONDS, "/healthz", server)


@pytest.mark.slow
@pytest.mark.committed
def test_a_worker_aborted_while_it_serves_a_request_is_still_a_death(
    servers, database_url, tmp_path
):
    """gunicorn ends an abort with sys.exit(1), and the sync worker's request handling catches
    BaseException: a worker aborted mid-request used to log the abort and then exit 0."""
    server = servers.gunicorn(app_env(database_url, tmp_path), workers=1)
    [pid] = server.worker_pids()
    with socket.create_connection(("127.0.0.1", server.port), timeout=SECONDS) as client:
        # Half a request: the one worker sits in its request handling, waiting for the rest.
        client.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n")
        time.sleep(0.5)  # for the worker to accept it; the lines below are what is checked
        os.kill(pid, signal.SIGABRT)
        expected = [f"worker-abort pid={pid}", f"worker-death pid={pid} exit=1"]
        wait_for(lambda: all(line in _log(server) for line in expected), SECONDS, expected, server)
    assert f"worker-exit pid={pid}" not in _log(server)
    wait_for(lambda: _replaced(server, pid), SECONDS, "the master to start another worker", server)
    wait_for(lambda: get_status(f"{server.url}/healthz") == 200, SECONDS, "/healthz", server)


@pytest.mark.slow
@pytest.mark.committed
def test_a_worker_recycled_after_max_requests_is_an_exit_not_a_death(
    servers, database_url, tmp_path
):
    env = app_env(database_url, tmp_path, GUNICORN_MAX_REQUESTS=1, GUNICORN_MAX_REQUESTS_JITTER=0)
    # Starting it asks /healthz: the worker that answers has served its one request.
    server = servers.gunicorn(env, workers=1)
    exited = wait_for(
        lambda: re.search(r"worker-exit pid=(\d+) exit=0", _log(server)),
        SECONDS,
        "a worker-exit line",
        server,
    )
    assert '"GET /healthz HTTP/1.1" 200' in _log(server)  # the access log's format
    assert f"<{exited.group(1)}>" in _log(server)  # ...names the worker that served it
    assert "worker-death" not in _log(server)
