#!/usr/bin/env bash
# Refresh the browser libraries vendored under frontend/vendor from the npm
# registry. Usage: scripts/vendor-refresh.sh [ical.js version]
# The app has no build step: we keep each library's released, minified ES
# module with its licence and a VERSION note, and review the diff before committing.
set -euo pipefail
cd "$(dirname "$0")/.."
version=${1:-2.2.1}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
(cd "$work" && npm pack --silent "ical.js@$version" >/dev/null && tar xzf ical.js-*.tgz)
dest=frontend/vendor/ical.js
mkdir -p "$dest"
cp "$work/package/dist/ical.min.js" "$dest/ical.min.js"
cp "$work/package/LICENSE" "$dest/LICENSE"
echo "ical.js $version (npm package ical.js, dist/ical.min.js), MPL-2.0; refresh with scripts/vendor-refresh.sh" > "$dest/VERSION"
echo "frontend/vendor/ical.js now holds ical.js $version"
