#!/usr/bin/env bash
# The production-stack benchmark (`make bench-stack`): starts deploy/local-stack.sh
# (gunicorn app servers behind nginx, DEBUG off, PostgreSQL, Redis) on its own
# database, Redis db and port, seeds it, drives it, prints the table, and stops
# the stack however the run ends. Overrides (defaults in brackets):
#   BENCH_DATABASE_URL [postgres://postgres@127.0.0.1:5432/harbour_benchstack]
#   BENCH_REDIS_URL [redis://127.0.0.1:6379/12]  STACK_PORT [8300]
#   BENCH_APP_SERVERS [2]  STACK_WORKERS [2]  HARBOUR_THREADS [8, as deploy/gunicorn.conf.py]
#   BENCH_ARGS (passed to tests/bench/stack_bench.py, e.g. "--duration 10",
#     "--only timetable,feed304", "--scale 10 --no-second-size" for 10x the data)
# The database is EMPTIED and reseeded: seed_bench refuses a name without "bench".
set -euo pipefail
cd "$(dirname "$0")/.."
export DATABASE_URL=${BENCH_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/harbour_benchstack}
export REDIS_URL=${BENCH_REDIS_URL:-redis://127.0.0.1:6379/12}
export STACK_PORT=${STACK_PORT:-8300}
export STACK_WORKERS=${STACK_WORKERS:-2}
export HARBOUR_THREADS=${HARBOUR_THREADS:-8}
export SECRET_KEY=${SECRET_KEY:-bench-stack-$(printf '%064d' 0)-not-for-production}
# The in-process query counts use the stack's own settings.
export DEBUG=0 ALLOWED_HOSTS=127.0.0.1,localhost SECURE_SSL_REDIRECT=0 LOG_FORMAT=json

trap 'deploy/local-stack.sh stop' EXIT INT TERM
url=$(deploy/local-stack.sh start "${BENCH_APP_SERVERS:-2}" | tail -n 1)
echo "stack up at $url ($(nproc) cores; app servers ${BENCH_APP_SERVERS:-2} x" \
  "${STACK_WORKERS} workers x ${HARBOUR_THREADS} threads)"
# shellcheck disable=SC2086
.venv/bin/python tests/bench/stack_bench.py --url "$url" ${BENCH_ARGS:-}
