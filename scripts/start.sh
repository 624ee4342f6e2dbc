#!/usr/bin/env bash
# `npm start`: install missing tools, build the package, serve the demo page (www/) on
# 127.0.0.1 and print its URL. PORT=... picks another port (default 8080). JMAP=1 also starts
# the project's Cyrus JMAP server and an SMTP relay, and the page sends through them.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/build.sh
if [ "${JMAP:-}" = 1 ]; then
  # The demo against a real JMAP server: the project's Cyrus (scripts/cyrus.sh), stopped on exit.
  export CYRUS_STATE=${CYRUS_STATE:-${TMPDIR:-/tmp}/mapi-outbox-demo-cyrus}
  bash scripts/cyrus.sh start
  trap 'bash scripts/cyrus.sh stop' EXIT
  node scripts/serve.mjs
else
  exec node scripts/serve.mjs
fi
