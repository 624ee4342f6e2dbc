#!/usr/bin/env bash
# A build of pkg/ that keeps its function names, for CPU profiles and twiggy:
#   bash bench/build-named.sh [dir]          (default: $TMPDIR/mapi-outbox-named)
#   BENCH_PKG_DIR=<dir> node bench/profile-idb.mjs
#   twiggy top <dir>/mapi_outbox_bg.wasm
# The same release .wasm as scripts/build.sh (run it first), through wasm-bindgen with
# --keep-debug and wasm-opt -O3 -g (names kept, otherwise the same optimisation). The JS
# glue wasm-bindgen writes is the same as pkg/'s, so pkg/browser.js is copied as it is.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PWD/node_modules/.bin:$PATH"
out=${1:-${TMPDIR:-/tmp}/mapi-outbox-named}
raw="${CARGO_TARGET_DIR:-target}/wasm32-unknown-unknown/release/mapi_outbox.wasm"
[ -f "$raw" ] && [ -f pkg/browser.js ] || { echo "run scripts/build.sh first" >&2; exit 1; }
rm -rf "$out" && mkdir -p "$out"
wasm-bindgen --target web --out-dir "$out" --out-name mapi_outbox --keep-debug "$raw"
wasm-opt -O3 -g --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext \
  --enable-mutable-globals --enable-multivalue --enable-reference-types --enable-simd \
  "$out/mapi_outbox_bg.wasm" -o "$out/opt.wasm"
mv "$out/opt.wasm" "$out/mapi_outbox_bg.wasm"
cmp -s "$out/mapi_outbox.js" pkg/mapi_outbox.js \
  || { echo "the glue differs from pkg/'s: run scripts/build.sh again" >&2; exit 1; }
cp pkg/browser.js "$out/"
echo "$out"
