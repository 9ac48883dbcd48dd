#!/usr/bin/env bash
# Restore a backup into a NEW, empty database (never over a live one).
#   deploy/restore.sh backup.dump postgres://user@host:5432/harbour_restored
set -euo pipefail
file="${1:?backup file}"
target="${2:?target database URL (a database that does not exist yet)}"
name="${target##*/}"
server="${target%/*}/postgres"
if psql "$server" -tAc "SELECT 1 FROM pg_database WHERE datname = '$name'" | grep -q 1; then
  echo "refusing: database $name already exists" >&2
  exit 1
fi
psql "$server" -c "CREATE DATABASE \"$name\"" >/dev/null
pg_restore --no-owner --no-privileges --exit-on-error --dbname="$target" "$file"
echo "restored into $name"
