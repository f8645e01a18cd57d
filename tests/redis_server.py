"""A throwaway redis-server for the tests that share rate limits between app processes."""

import shutil
import subprocess
import threading
from pathlib import Path

import pytest

from tests.ports import unused_port

ATTEMPTS = 5
START_TIMEOUT_SECONDS = 30
INSTALL_HINT = (
    "redis-server is not installed; the shared rate-limit tests need it. "
    "Install it with `sudo apt-get install redis-server` (`make browser-deps` does it)."
)


def start(folder: Path) -> tuple[subprocess.Popen, int]:
    """Start redis-server on 127.0.0.1 with nothing written to disk; return it and its port."""
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.fail(INSTALL_HINT, pytrace=False)
    output: list[str] = []
    for _ in range(ATTEMPTS):
        port = unused_port()
        server = subprocess.Popen(
            [
                binary,
                "--bind",
                "127.0.0.1",
                "--port",
                str(port),
                "--save",
                "",
                "--appendonly",
                "no",
                "--daemonize",
                "no",
                "--dir",
                str(folder),
            ],
            cwd=folder,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        # A server that neither gets ready nor exits is killed, which ends its output.
        watchdog = threading.Timer(START_TIMEOUT_SECONDS, server.kill)
        watchdog.start()
        output = []
        try:
            for line in server.stdout:
                output.append(line)
                if "Ready to accept connections" in line:
                    # Keep reading what it logs, so a full pipe never blocks it.
                    threading.Thread(target=server.stdout.read, daemon=True).start()
                    return server, port
        finally:
            watchdog.cancel()
        server.wait()
        if "Address already in use" not in "".join(output):
            break
    pytest.fail("redis-server did not start:\n" + "".join(output), pytrace=False)


def stop(server: subprocess.Popen) -> None:
    """Stop the server started by start(), by its PID."""
    server.terminate()
    try:
        server.wait(timeout=10)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()
