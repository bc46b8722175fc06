#!/usr/bin/env bash
# Browser tests for the public pages: Playwright (core only) driving Debian's Chromium, axe-core.
# Needs a running server; its base URL comes from TILLBUD_URL (default http://127.0.0.1:18080).
# Never downloads a browser.
set -euo pipefail
cd "$(dirname "$0")"

export TILLBUD_URL="${TILLBUD_URL:-http://127.0.0.1:18080}"

if [ ! -x /usr/bin/chromium ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "installing Debian's chromium" >&2
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  else
    echo "/usr/bin/chromium is missing: apt-get install -y chromium" >&2
    exit 1
  fi
fi

if ! curl -fsS "$TILLBUD_URL/health/live" >/dev/null; then
  echo "no server answering at $TILLBUD_URL/health/live" >&2
  exit 1
fi

npm ci --no-audit --no-fund --loglevel=error
[ -n "${TILLBUD_BROWSER_TESTS:-}" ] || rm -rf screenshots
# One file at a time: a 2-core machine, and each file starts its own browser.
# TILLBUD_BROWSER_TESTS picks another folder (sso/ needs a server configured for single sign-on).
node --test --test-concurrency=1 "${TILLBUD_BROWSER_TESTS:-tests/}"
