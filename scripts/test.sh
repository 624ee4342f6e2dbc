#!/usr/bin/env bash
# `npm test`: every test of the project, in order, failing fast.
#
#   1 setup      scripts/setup.sh (installs whatever tool is missing; quick when all are there)
#     lint       the generated JS tables up to date (scripts/gen-tables.mjs --check); cargo fmt
#                --check; cargo clippy --all-targets -D warnings, natively and for
#                wasm32-unknown-unknown (the binding layer only builds there)
#   2 native     cargo test (unit, integration, property and doc tests, natively: trap 4)
#     fuzz       scripts/fuzz.sh: libFuzzer on the record decoder, the property rules and the
#                MIME writer, FUZZ_SECONDS (default 20) each from the committed corpus
#   3 build      scripts/build.sh (pkg/: wasm + JS glue, wasm-opt'd)
#   4 wasm-node  wasm-pack test --node -- --all-targets
#   5 wasm-chrome wasm-pack test --headless --chrome -- --all-targets (Debian chromedriver: traps 5-7, 9)
#   6 node       node --test tests/js/      (the built package, imported by name)
#   7 types      tsc --strict --noEmit on tests/types/consumer.ts
#   8 pack       tests/pack/: npm pack -> install the tarball in a throwaway project -> Node + Chromium
#   9 browser    tests/browser/: the IndexedDB backend in real pages (reloads, closed pages, two
#                tabs, corrupt data, quota, versionchange) in headless Chromium via playwright-core
#  10 e2e        tests/e2e/: the demo page (www/) in headless Chromium via playwright-core
#     wasm-firefox / wasm-webkit: the same wasm tests in Firefox ESR (geckodriver) and WebKitGTK
#                (scripts/wasm-webkit.sh: WebKitWebDriver + MiniBrowser under Xvfb)
#     browser-firefox / browser-webkit: tests/browser/jsuite.test.mjs (the whole tests/js
#                suite on IndexedDB) in Firefox ESR and WebKitGTK, over WebDriver
#  11 jmap       tests/jmap/: jmapTransport against a real Cyrus 3.6 (scripts/cyrus.sh, started
#                and stopped here, state under the run's TMPDIR) and a real SMTP relay
#
# `scripts/test.sh native node` runs only the named stages, in the order given (name
# `setup` first on a machine that may lack tools). Every run gets its own TMPDIR, deleted at
# the end (Chromium leaves ~13 MB per run there: trap 7); KEEP_TEST_TMP=1 keeps it.
# At the end one line sums the pass/fail counts the runners printed.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PWD/node_modules/.bin:$PATH"

ALL_STAGES=(setup lint native fuzz build wasm-node wasm-chrome wasm-firefox wasm-webkit node types pack browser browser-firefox browser-webkit e2e jmap)
if [ $# -gt 0 ]; then STAGES=("$@"); else STAGES=("${ALL_STAGES[@]}"); fi
for s in "${STAGES[@]}"; do
  case " ${ALL_STAGES[*]} " in *" $s "*) ;; *) echo "unknown stage '$s' (stages: ${ALL_STAGES[*]})" >&2; exit 2;; esac
done

# --- scratch space -------------------------------------------------------------------
TEST_TMP=$(mktemp -d "${TMPDIR:-/tmp}/mapi-outbox-test.XXXXXX")
cleanup() {
  if [ "${KEEP_TEST_TMP:-}" = 1 ]; then echo "[test] kept $TEST_TMP"; else rm -rf "$TEST_TMP"; fi
}
trap cleanup EXIT
export TMPDIR="$TEST_TMP"

# --- bookkeeping ---------------------------------------------------------------------
TOTAL_PASS=0
TOTAL_FAIL=0
SUMMARY=()
stage_no=0
bold=$'\033[1m'; red=$'\033[31m'; green=$'\033[32m'; off=$'\033[0m'
[ -t 1 ] || { bold=; red=; green=; off=; }

banner() { printf '\n%s==== [%s] %s ====%s\n' "$bold" "$1" "$2" "$off"; }

# counts <kind> <logfile> -> "pass fail" (empty when the runner printed no summary)
counts() {
  local kind=$1 log=$2
  case $kind in
    cargo) # cargo test and wasm-bindgen-test-runner: "test result: ok. 3 passed; 0 failed; ..."
      grep -aE 'test result: (ok|FAILED)\. [0-9]+ passed; [0-9]+ failed' "$log" \
        | sed -E 's/.* ([0-9]+) passed; ([0-9]+) failed.*/\1 \2/' \
        | awk '{p+=$1; f+=$2; n++} END { if (n) print p, f }' ;;
    node) # node --test --test-reporter=spec: "ℹ pass 3" / "ℹ fail 0"
      awk '/^ℹ pass [0-9]+$/ {p+=$3; n++} /^ℹ fail [0-9]+$/ {f+=$3} END { if (n) print p, f }' "$log" ;;
    check) echo "" ;;
  esac
}

finish() {
  local status=$1
  printf '\n%s==== summary ====%s\n' "$bold" "$off"
  local line
  for line in "${SUMMARY[@]}"; do printf '  %s\n' "$line"; done
  if [ "$status" = 0 ]; then
    printf '%s%s passed, %s failed%s\n' "$green" "$TOTAL_PASS" "$TOTAL_FAIL" "$off"
  else
    printf '%s%s passed, %s failed%s\n' "$red" "$TOTAL_PASS" "$TOTAL_FAIL" "$off"
  fi
  exit "$status"
}

# run_stage <name> <kind> <description> -- command...
run_stage() {
  local name=$1 kind=$2 desc=$3; shift 4
  stage_no=$((stage_no + 1))
  banner "$stage_no/${#STAGES[@]} $name" "$desc"
  local log="$TEST_TMP/stage-$name.log" rc=0 start=$SECONDS
  set +e
  "$@" 2>&1 | tee "$log"
  rc=${PIPESTATUS[0]}
  set -e
  local secs=$((SECONDS - start)) c p f
  c=$(counts "$kind" "$log")
  if [ -n "$c" ]; then
    read -r p f <<<"$c"
  elif [ "$kind" = check ]; then
    if [ $rc = 0 ]; then p=1; f=0; else p=0; f=1; fi
  else
    p=0; f=0
  fi
  if [ "$kind" != none ]; then
    # a runner that failed without reporting a failing test (compile error, crash) counts as one failure
    if [ $rc != 0 ] && [ "$f" = 0 ]; then f=1; fi
    TOTAL_PASS=$((TOTAL_PASS + p)); TOTAL_FAIL=$((TOTAL_FAIL + f))
  fi
  if [ $rc = 0 ]; then
    if [ "$kind" = none ]; then SUMMARY+=("ok    $name (${secs}s)")
    else SUMMARY+=("ok    $name: $p passed, $f failed (${secs}s)"); fi
    printf '%s---- %s: ok (%ss)%s\n' "$green" "$name" "$secs" "$off"
  else
    SUMMARY+=("FAIL  $name: exit $rc${c:+, $p passed, $f failed} (${secs}s)")
    printf '\n%s!!!! stage %s FAILED (exit %s): %s%s\n' "$red" "$name" "$rc" "$desc" "$off"
    finish 1
  fi
}

want() { local s; for s in "${STAGES[@]}"; do [ "$s" = "$1" ] && return 0; done; return 1; }

# A webdriver.json for wasm-bindgen-test-runner (trap 6: it adds headless/no-sandbox itself)
# with the flags that keep Chromium off the closed network (trap 9).
write_webdriver_json() {
  cat >"$TEST_TMP/webdriver.json" <<'JSON'
{
  "goog:chromeOptions": {
    "binary": "/usr/bin/chromium",
    "args": [
      "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
      "--disable-background-networking", "--disable-component-update", "--disable-sync",
      "--disable-dev-shm-usage"
    ]
  }
}
JSON
}

node_tests() { # node_tests <dir>: node --test on the *.test.mjs files there; none is an error
  local dir=$1 files
  shopt -s nullglob; files=("$dir"/*.test.mjs); shopt -u nullglob
  if [ ${#files[@]} = 0 ]; then echo "no test files in $dir/" >&2; return 1; fi
  node --test --test-reporter=spec "${files[@]}"
}

# --- stages --------------------------------------------------------------------------
want setup && run_stage setup none "install missing tools (scripts/setup.sh)" -- bash scripts/setup.sh

want lint && run_stage lint none "cargo fmt --check; cargo clippy -D warnings (native and wasm32)" -- \
  bash -c 'node scripts/gen-tables.mjs --check && cargo fmt --check && cargo clippy --all-targets -q -- -D warnings && cargo clippy --all-targets -q --target wasm32-unknown-unknown -- -D warnings'

want native && run_stage native cargo "cargo test (native: unit, property and doc tests)" -- \
  cargo test

want fuzz && run_stage fuzz none "libFuzzer: record, props, mime, ${FUZZ_SECONDS:-20}s each (scripts/fuzz.sh)" -- \
  bash scripts/fuzz.sh

want build && run_stage build none "build pkg/ (scripts/build.sh)" -- bash scripts/build.sh

# Doctests compiled for wasm32 report "ok" even when they fail (trap 4), so the wasm runs
# must select test targets only. wasm-pack 0.15.1 itself runs `cargo build --tests <extra>`
# and then `cargo test <extra>`: passing `-- --tests` makes the build fail ("the argument
# '--tests' cannot be used multiple times"), while `--all-targets` (lib, bins, tests,
# benches, examples; never doctests) is accepted by both commands.
WASM_TEST_SELECTION=(--all-targets)
want wasm-node && run_stage wasm-node cargo "wasm-pack test --node -- ${WASM_TEST_SELECTION[*]}" -- \
  env -u GECKODRIVER -u CHROMEDRIVER -u SAFARIDRIVER wasm-pack test --node -- "${WASM_TEST_SELECTION[@]}"

if want wasm-chrome; then
  write_webdriver_json
  # Always name the driver (trap 5); never let wasm-pack download one (trap 2).
  run_stage wasm-chrome cargo "wasm-pack test --headless --chrome -- ${WASM_TEST_SELECTION[*]} (chromedriver $(chromedriver --version 2>/dev/null | awk '{print $2}'))" -- \
    env -u GECKODRIVER -u SAFARIDRIVER CHROMEDRIVER=/usr/bin/chromedriver \
      WASM_BINDGEN_TEST_WEBDRIVER_JSON="$TEST_TMP/webdriver.json" \
      WASM_BINDGEN_TEST_TIMEOUT="${WASM_BINDGEN_TEST_TIMEOUT:-60}" \
      wasm-pack test --headless --chrome --chromedriver /usr/bin/chromedriver -- "${WASM_TEST_SELECTION[@]}"
fi

want wasm-firefox && run_stage wasm-firefox cargo "wasm-pack test --headless --firefox -- ${WASM_TEST_SELECTION[*]} (geckodriver)" -- \
  env -u CHROMEDRIVER -u SAFARIDRIVER GECKODRIVER="$(command -v geckodriver)" \
    WASM_BINDGEN_TEST_TIMEOUT="${WASM_BINDGEN_TEST_TIMEOUT:-60}" \
    wasm-pack test --headless --firefox --geckodriver "$(command -v geckodriver)" -- "${WASM_TEST_SELECTION[@]}"

want wasm-webkit && run_stage wasm-webkit cargo "wasm tests in WebKitGTK (scripts/wasm-webkit.sh)" -- \
  bash scripts/wasm-webkit.sh "${WASM_TEST_SELECTION[@]}"

want node && run_stage node node "node --test tests/js/ (the built package by name)" -- node_tests tests/js

want types && run_stage types check "tsc --strict --noEmit (tests/types/consumer.ts against js/index.d.ts)" -- \
  tsc -p tests/types/tsconfig.json --strict --noEmit

want pack && run_stage pack node "packed tarball smoke tests (tests/pack/)" -- node_tests tests/pack

want browser && run_stage browser node "IndexedDB backend in real Chromium pages (tests/browser/)" -- node_tests tests/browser

want browser-firefox && run_stage browser-firefox node "tests/js on IndexedDB in Firefox ESR (jsuite over WebDriver)" -- \
  env BROWSER=firefox node --test --test-reporter=spec tests/browser/jsuite.test.mjs
want browser-webkit && run_stage browser-webkit node "tests/js on IndexedDB in WebKitGTK (jsuite over WebDriver)" -- \
  env BROWSER=webkit node --test --test-reporter=spec tests/browser/jsuite.test.mjs

want e2e && run_stage e2e node "browser e2e of the demo page (tests/e2e/)" -- node_tests tests/e2e

jmap_stage() {
  export CYRUS_STATE="$TEST_TMP/cyrus"
  bash scripts/cyrus.sh start || return 1
  local rc=0
  # One file at a time: they share the relay's port.
  node --test --test-reporter=spec --test-concurrency=1 tests/jmap/*.test.mjs || rc=$?
  bash scripts/cyrus.sh stop || true
  return $rc
}
want jmap && run_stage jmap node "jmapTransport against a real Cyrus JMAP server (tests/jmap/)" -- jmap_stage

finish 0
