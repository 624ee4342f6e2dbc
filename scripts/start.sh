#!/usr/bin/env bash
# `npm start`: install missing tools, build the package, serve the demo page (www/) on
# 127.0.0.1 and print its URL. PORT=... picks another port (default 8080).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/build.sh
exec node scripts/serve.mjs
