#!/usr/bin/env bash
# Back up Harbour's PostgreSQL database to one compressed, restorable file.
#   DATABASE_URL=postgres://… deploy/backup.sh [/var/backups/harbour]
# Keeps the newest $KEEP (default 14) backups in the folder.
set -euo pipefail
# The dump holds sessions and personal data: readable by its owner only, however
# the script is started (harbour-backup.service sets UMask=0077 as well).
umask 077
: "${DATABASE_URL:?set DATABASE_URL}"
dir="${1:-/var/backups/harbour}"
keep="${KEEP:-14}"
mkdir -p "$dir"
file="$dir/harbour-$(date -u +%Y%m%dT%H%M%SZ).dump"
pg_dump --format=custom --no-owner --no-privileges --file="$file.partial" "$DATABASE_URL"
mv "$file.partial" "$file"   # a file without .partial is always complete
ls -1t "$dir"/harbour-*.dump 2>/dev/null | tail -n +$((keep + 1)) | xargs -r rm --
echo "$file"
