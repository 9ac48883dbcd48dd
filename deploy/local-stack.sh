#!/usr/bin/env bash
# A production-shaped stack on loopback, no Docker: the local PostgreSQL and
# Redis, N gunicorn app servers on their own ports, nginx in front.
#   deploy/local-stack.sh start [N]   # prints the URL (http://127.0.0.1:8100)
#   deploy/local-stack.sh stop
# Installs Debian's nginx if it is missing. State (pids, nginx config, every
# app server's log with Django's own lines) lives in $STACK_STATE [.stack], so
# two stacks (a test's and a benchmark's) never stop each other.
set -euo pipefail
cd "$(dirname "$0")/.."
STATE=${STACK_STATE:-.stack}
case "$STATE" in /*) ;; *) STATE="$PWD/$STATE" ;; esac
PORT=${STACK_PORT:-8100}
export DATABASE_URL=${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/harbour_stack}
export REDIS_URL=${REDIS_URL:-redis://127.0.0.1:6379/14}
export DEBUG=0 ALLOWED_HOSTS=127.0.0.1,localhost SECURE_SSL_REDIRECT=0 LOG_FORMAT=json
export SECRET_KEY=${SECRET_KEY:-local-stack-$(printf '%064d' 0)-not-for-production}
export CSRF_TRUSTED_ORIGINS="http://127.0.0.1:$PORT"

stop() {
  if [ -d "$STATE" ]; then
    for pid in "$STATE"/*.pid; do [ -f "$pid" ] && kill "$(cat "$pid")" 2>/dev/null || true; done
    [ -f "$STATE/nginx.conf" ] && nginx -c "$STATE/nginx.conf" -p "$STATE" -s stop 2>/dev/null || true
    # Logs are kept (for a failed test or a fault run to be read); the rest goes.
    find "$STATE" -mindepth 1 -maxdepth 1 ! -name logs -exec rm -rf {} +
  fi
}

start() {
  local n=${1:-2}
  stop
  command -v nginx >/dev/null || { apt-get update -qq && apt-get install -y -qq nginx >/dev/null; }
  make venv >/dev/null
  mkdir -p "$STATE/logs"
  db=${DATABASE_URL##*/}
  psql "${DATABASE_URL%/*}/postgres" -tAc "SELECT 1 FROM pg_database WHERE datname='$db'" | grep -q 1 \
    || psql "${DATABASE_URL%/*}/postgres" -qc "CREATE DATABASE \"$db\""
  .venv/bin/python manage.py migrate --noinput >/dev/null
  .venv/bin/python manage.py collectstatic --noinput >/dev/null
  upstream=""
  for i in $(seq 1 "$n"); do
    port=$((PORT + i))
    HARBOUR_BIND=127.0.0.1:$port HARBOUR_WORKERS=${STACK_WORKERS:-2} \
      .venv/bin/gunicorn -c deploy/gunicorn.conf.py backend.config.wsgi \
      --pid "$STATE/app$i.pid" --daemon --error-logfile "$STATE/logs/app$i.log" \
      --capture-output --control-socket "$STATE/app$i.ctl"
    upstream="$upstream    server 127.0.0.1:$port;\n"
  done
  sed -e "s#@UPSTREAM@#$upstream#" -e "s#@PORT@#$PORT#" -e "s#@STATIC@#$PWD/staticfiles#" \
    deploy/nginx/local-stack.conf.in > "$STATE/nginx.conf"
  nginx -c "$STATE/nginx.conf" -p "$STATE"
  for _ in $(seq 1 50); do
    curl -fs "http://127.0.0.1:$PORT/readyz" >/dev/null 2>&1 && { echo "http://127.0.0.1:$PORT"; return 0; }
    sleep 0.2
  done
  echo "stack did not become ready; see $STATE/logs" >&2
  return 1
}

case "${1:-}" in
  start) start "${2:-2}" ;;
  stop) stop ;;
  *) echo "usage: $0 start [app servers] | stop" >&2; exit 2 ;;
esac
