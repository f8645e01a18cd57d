"""gunicorn's settings for Voice of Sales, read by `gunicorn app:app` started in this folder
(gunicorn loads ./gunicorn.conf.py by itself; `-c gunicorn.conf.py` says so explicitly).

Everything can still be overridden on the command line or in GUNICORN_CMD_ARGS. The hooks at
the bottom write one line per worker that ends, in the master's error log:

    worker-death pid=4242 signal=SIGSEGV (core dumped)   # a crash, a kill -9, the OOM killer
    worker-death pid=4242 exit=1                         # an exception escaped, or a timeout
    worker-exit pid=4242 exit=0                          # max_requests reached, a reload, a stop

so `grep worker-death` counts crashes (README "Watching for worker deaths").
"""

import faulthandler
import os
import signal
import sys

from config import Config

# The worker count is WEB_CONCURRENCY, as the app's own settings check reads it (config.py).
workers = Config.WEB_CONCURRENCY
worker_class = "sync"
# The app is imported in every worker after the fork, never in the master: no connection,
# pool, thread or native object is ever shared between processes.
preload_app = False

# A worker is replaced after max_requests (plus up to the jitter, so they do not all restart
# together): whatever it leaked or fragmented goes with it.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "1000"))
max_requests_jitter = int(os.environ.get("GUNICORN_MAX_REQUESTS_JITTER", "100"))

# A request still running after `timeout` seconds gets its worker aborted (SIGABRT: the
# worker_abort hook logs where it was), then killed; a stop waits graceful_timeout for
# requests in flight.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", "30"))
keepalive = 5

accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-")
errorlog = os.environ.get("GUNICORN_ERROR_LOG", "-")
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
# Client, time, the request line, status, bytes, duration in ms and the worker's pid (which
# worker served what, next to the worker-death lines). The query string is left out: reset,
# invitation and survey links carry tokens in the path, and filters are no one's business.
access_log_format = '%(h)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(B)s %(M)sms %(p)s'

# The exit status of every child the master reaps, for child_exit (gunicorn passes the hook
# the worker but not how it ended).
_statuses: dict[int, int] = {}


def _recording(waitpid):
    def waitpid_and_record(pid, options):
        reaped, status = waitpid(pid, options)
        if reaped:
            _statuses[reaped] = status
        return reaped, status

    waitpid_and_record.records_statuses = True
    return waitpid_and_record


def describe(status: int | None) -> tuple[bool, str]:
    """(died, how) for a wait status: a signal or a non-zero exit is a death."""
    if status is None:
        return True, "status=unknown"
    if os.WIFSIGNALED(status):
        number = os.WTERMSIG(status)
        try:
            name = signal.Signals(number).name
        except ValueError:
            name = f"signal {number}"
        return True, f"signal={name}" + (" (core dumped)" if os.WCOREDUMP(status) else "")
    code = os.waitstatus_to_exitcode(status)
    return code != 0, f"exit={code}"


def on_starting(server):
    """In the master, before any worker: remember how each child ends."""
    if not getattr(os.waitpid, "records_statuses", False):
        os.waitpid = _recording(os.waitpid)


def post_fork(server, worker):
    """In a new worker: a fatal signal (SIGSEGV, SIGBUS, SIGABRT, SIGFPE, SIGILL) writes the
    Python traceback of every thread to the error log before the worker dies."""
    faulthandler.enable(file=sys.stderr, all_threads=True)


def worker_int(worker):
    """SIGINT or SIGQUIT (a quick stop): where the worker was."""
    worker.log.warning("worker-int pid=%s: interrupted; its threads were at:", worker.pid)
    faulthandler.dump_traceback(file=sys.stderr, all_threads=True)


def worker_abort(worker):
    """SIGABRT, sent by the master to a worker past its timeout: where it was stuck."""
    worker.log.error(
        "worker-abort pid=%s: no answer within %ss; its threads were at:",
        worker.pid,
        worker.timeout,
    )
    faulthandler.dump_traceback(file=sys.stderr, all_threads=True)
    # gunicorn follows this hook with sys.exit(1), and the SystemExit it raises wherever the
    # worker was can be caught there (a request's error handling), so the worker went on to a
    # clean exit=0 and its death was not counted. An abort always ends the worker with exit 1.
    for handler in worker.log.error_log.handlers:
        handler.flush()
    sys.stderr.flush()
    os._exit(1)


def child_exit(server, worker):
    """In the master, after a worker ended: one line saying how."""
    died, how = describe(_statuses.pop(worker.pid, None))
    if died:
        server.log.error("worker-death pid=%s %s", worker.pid, how)
    else:
        server.log.info("worker-exit pid=%s %s", worker.pid, how)
    if len(_statuses) > 1000:  # children that were not workers (a re-exec)
        _statuses.clear()
