#!/usr/bin/env bash
# The wasm-bindgen tests in WebKitGTK (Safari's engine): wasm-bindgen-test-runner's Firefox
# path speaks plain WebDriver, so it is pointed (GECKODRIVER_REMOTE) at a WebKitWebDriver
# that drives MiniBrowser on an Xvfb display (MiniBrowser has no headless mode). Used by
# `scripts/test.sh wasm-webkit`; extra arguments go to `cargo test` (e.g. --all-targets).
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PWD/node_modules/.bin:$PATH"
work=$(mktemp -d "${TMPDIR:-/tmp}/wasm-webkit.XXXXXX")
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT
orig_home=$HOME
export CARGO_HOME="${CARGO_HOME:-$orig_home/.cargo}" RUSTUP_HOME="${RUSTUP_HOME:-$orig_home/.rustup}"
export HOME="$work" XDG_CACHE_HOME="$work/cache" XDG_CONFIG_HOME="$work/config" XDG_DATA_HOME="$work/data"

Xvfb -displayfd 1 -screen 0 1280x800x24 -nolisten tcp > "$work/display" 2>/dev/null &
pids+=($!)
for _ in $(seq 1 100); do [ -s "$work/display" ] && break; sleep 0.05; done
[ -s "$work/display" ] || { echo "wasm-webkit: Xvfb did not start" >&2; exit 1; }
export DISPLAY=":$(head -1 "$work/display")"

port=$(node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')
/usr/bin/WebKitWebDriver --port="$port" --host=127.0.0.1 >/dev/null 2>&1 &
pids+=($!)
for _ in $(seq 1 100); do curl -s -o /dev/null "http://127.0.0.1:$port/status" && break; sleep 0.05; done

cat > "$work/webdriver.json" <<JSON
{ "webkitgtk:browserOptions": { "binary": "/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/MiniBrowser", "args": ["--automation"] } }
JSON
env -u GECKODRIVER -u CHROMEDRIVER -u SAFARIDRIVER \
  GECKODRIVER_REMOTE="http://127.0.0.1:$port" \
  WASM_BINDGEN_TEST_WEBDRIVER_JSON="$work/webdriver.json" \
  WASM_BINDGEN_TEST_TIMEOUT="${WASM_BINDGEN_TEST_TIMEOUT:-60}" \
  wasm-pack test --headless --firefox -- "$@"
