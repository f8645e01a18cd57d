"""Ports on 127.0.0.1 for the servers the tests start."""

import socket


def reserve_port(port: int = 0) -> socket.socket:
    """A TCP socket bound on 127.0.0.1 and not listening: connections to its port are refused,
    and no other process (another test worker) can take the port while the socket is held."""
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", port))
    return sock


def unused_port() -> int:
    """A port that was free a moment ago, for a server that takes a port number rather than a
    socket (the HTML checker, redis-server). Another process may take it before the server
    binds it: callers start the server again on a new port when that happens."""
    with reserve_port() as sock:
        return sock.getsockname()[1]
