#!/usr/bin/env bash
# Lighthouse (mobile) on the report form and the tracking page. Prints the scores and fails
# when accessibility is below 100 or best practices below 95 (the README's targets);
# performance is printed, and fails below 90 (its target is 95, and a loaded CI machine can
# cost a few points). Needs a running server at TILLBUD_URL and /usr/bin/chromium.
set -euo pipefail
cd "$(dirname "$0")"
export TILLBUD_URL="${TILLBUD_URL:-http://127.0.0.1:18080}"
npm ci --no-audit --no-fund --loglevel=error
mkdir -p reports
for page in form:/ accessibility:/tillganglighet; do
  name=${page%%:*}
  CHROME_PATH=/usr/bin/chromium npx lighthouse "$TILLBUD_URL${page#*:}" --quiet \
    --form-factor=mobile --screenEmulation.mobile \
    --only-categories=performance,accessibility,best-practices \
    --chrome-flags="--headless=new --no-sandbox --disable-gpu --disable-background-networking --disable-component-update --no-first-run --disable-sync" \
    --output=json --output-path="reports/$name.json"
done
node check.mjs reports/form.json reports/accessibility.json
