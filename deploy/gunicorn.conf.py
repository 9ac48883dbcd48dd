"""gunicorn settings for Harbour: `gunicorn -c deploy/gunicorn.conf.py backend.config.wsgi`."""

import multiprocessing
import os
import sys

bind = os.environ.get("HARBOUR_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("HARBOUR_WORKERS", multiprocessing.cpu_count() * 2 + 1))
# 8 threads per worker, not 2: a thread that waits on the database (a row lock,
# a query) costs a little memory, not CPU, while a worker with every thread
# busy queues the next request behind them, first come first served, even a
# health check or /api/v1/ping/ that needs 1 ms. `make faults` measured it:
# with 2 threads, the opening wave of a 48-client booking burst on a held row
# queued the ping for up to 2.8 s (load 13-15); with 8 the ping shares the CPU
# with the requests in flight instead of waiting behind them. Each thread
# holds its own PostgreSQL connection while busy, so max_connections must
# cover app servers x workers x threads (+ margin), or put PgBouncer between.
# HARBOUR_SESSION_LOCK_WAITERS (settings.py) stays at most half of this, so a
# session row held by something stuck never takes more than half a worker's
# threads (tests/reliability/test_lock_timeouts.py). docs/reliability.md 2.
threads = int(os.environ.get("HARBOUR_THREADS", "8"))
# gthread is what threads > 1 selects anyway; named so that keep-alive below
# applies even when HARBOUR_THREADS=1 (the sync worker ignores keep-alive).
worker_class = "gthread"
# A request that waits on a row lock holds one of these threads. PostgreSQL's
# lock_timeout (5 s inside booking services, 10 s elsewhere) and
# statement_timeout (20 s) end such waits before this worker timeout: see
# docs/reliability.md, "Lock and statement timeouts".
timeout = 30
graceful_timeout = 30
# Keep-alive must outlive nginx's idle upstream connections (keepalive_timeout
# in the `upstream` blocks of deploy/nginx/, 30 s). If gunicorn closed an idle
# connection first, nginx could send the next request down it in the same
# instant and read a reset: a 502 for a request the app never saw (issue 17,
# "recv() failed (104: Connection reset by peer)"). With the longer keep-alive
# here it is always nginx that closes an idle connection, never gunicorn.
# tests/deploy/test_keepalive_config.py checks the relationship in the files.
keepalive = int(os.environ.get("HARBOUR_KEEPALIVE", "75"))
max_requests = 2000
max_requests_jitter = 200
# No gunicorn access log: its request line would carry personal feed secrets.
# Harbour's own middleware writes one redacted access line per request.
accesslog = None
forwarded_allow_ips = os.environ.get("HARBOUR_FORWARDED_ALLOW_IPS", "127.0.0.1")


def post_fork(server, worker):
    # A thread that gets an answer from PostgreSQL must take the GIL back
    # before it can go on; with other threads of the worker running Python,
    # that waits up to the switch interval (5 ms by default) after every
    # query. A booking holding a session's row lock makes ~8 queries, so the
    # wait multiplies into the time everyone else queues on that row.
    # HARBOUR_SWITCH_INTERVAL_MS (1 ms): docs/reliability.md 2.
    sys.setswitchinterval(float(os.environ.get("HARBOUR_SWITCH_INTERVAL_MS", "1")) / 1000)
