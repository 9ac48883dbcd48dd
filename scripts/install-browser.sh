#!/usr/bin/env bash
# Installs the browser the end-to-end tests drive: Debian's own `chromium`
# package (Playwright's `playwright install` downloads a browser build from
# outside the package registries, which is not possible here or in CI), and a
# font that renders Arabic and Persian script.
#
# fonts-dejavu-core is small (about 3 MB) and DejaVu Sans covers the Arabic
# block including the Persian letters (fc-list :lang=fa lists it), so
# screenshots of Arabic and Persian text show glyphs rather than boxes.
#
# Idempotent and quiet when everything is already there.
set -euo pipefail

packages=(chromium fonts-dejavu-core)

missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" \
    || missing+=("$package")
done
if [[ -x /usr/bin/chromium && ${#missing[@]} -eq 0 ]]; then
  exit 0
fi

sudo=()
if [[ $(id -u) -ne 0 ]]; then
  sudo=(sudo)
fi

echo "install-browser: installing ${missing[*]:-chromium}" >&2
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -qq
"${sudo[@]}" apt-get install -y -qq --no-install-recommends "${packages[@]}" >/dev/null
/usr/bin/chromium --version >&2
