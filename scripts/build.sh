#!/usr/bin/env bash
# Builds the wasm module and its JS glue into pkg/:
#   cargo build (release, wasm32) -> wasm-bindgen --target web -> wasm-opt -O3 (npm binaryen).
# Incremental: cargo only relinks when the sources changed, and the bindgen/opt steps are
# skipped when pkg/ was made from the very same .wasm with the same tool versions.
# Fails loudly: any failing step stops the build with a message saying which one.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PWD/node_modules/.bin:$PATH"

log()  { printf '[build] %s\n' "$*"; }
die()  { printf '[build] ERROR: %s\n' "$*" >&2; exit 1; }
trap 'rc=$?; [ $rc -eq 0 ] || printf "[build] FAILED (exit %s) — see the output above\n" "$rc" >&2' EXIT

# The demo page's address-list parser (npm addressparser, CommonJS) as an ES module it can
# import under its CSP: www/vendor/ is generated (git-ignored).
if [ -f node_modules/addressparser/lib/addressparser.js ]; then
  mkdir -p www/vendor
  esbuild node_modules/addressparser/lib/addressparser.js --bundle --format=esm \
    --log-level=warning --outfile=www/vendor/addressparser.js \
    || die "esbuild could not bundle addressparser for the demo"
fi

command -v cargo >/dev/null || die "cargo not found: install Rust (rustup), then run scripts/setup.sh"
rustup target list --installed 2>/dev/null | grep -qx wasm32-unknown-unknown \
  || die "the wasm32-unknown-unknown target is missing: run scripts/setup.sh"

# wasm-bindgen's CLI must be exactly the version the crate links against (Cargo.lock).
want_bg=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock 2>/dev/null || true)
have_bg=$(wasm-bindgen --version 2>/dev/null | awk '{print $2}' || true)
[ -n "$have_bg" ] || die "wasm-bindgen CLI not found: run scripts/setup.sh"
if [ -n "$want_bg" ] && [ "$want_bg" != "$have_bg" ]; then
  die "wasm-bindgen CLI is $have_bg but Cargo.lock pins $want_bg: run scripts/setup.sh"
fi

log "cargo build --release --target wasm32-unknown-unknown --lib"
cargo build --release --target wasm32-unknown-unknown --lib

target_dir=${CARGO_TARGET_DIR:-target}
raw="$target_dir/wasm32-unknown-unknown/release/mapi_outbox.wasm"
[ -f "$raw" ] || die "cargo did not produce $raw"

# The browser entry as one ES module (pkg/browser.js): js/index.js with everything it imports
# (js/*.js and the wasm-bindgen glue pkg/mapi_outbox.js) bundled by esbuild, so that a page
# makes one module request before the .wasm instead of three levels of them (start-up:
# BENCHMARKS.md section 7). It lives in pkg/ so that both URLs it carries resolve to the .wasm
# beside it: js/index.js's `new URL("../pkg/mapi_outbox_bg.wasm", import.meta.url)` and the
# glue's own default `new URL("mapi_outbox_bg.wasm", import.meta.url)` (which bundlers such as
# webpack resolve at build time). Not minified: users read it in their devtools.
bundle_browser_entry() {
  log "esbuild js/index.js -> pkg/browser.js (the package's browser entry, one module)"
  esbuild js/index.js --bundle --format=esm --platform=browser --target=es2022 \
    --legal-comments=none --log-level=warning --outfile=pkg/browser.js \
    || die "esbuild could not bundle the browser entry (js/index.js -> pkg/browser.js)"
}

have_opt=$(wasm-opt --version 2>/dev/null || true)
stamp=pkg/.build-stamp
want_stamp="$(sha256sum "$raw" | awk '{print $1}') wasm-bindgen=$have_bg wasm-opt=${have_opt:-none}"
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want_stamp" ] \
   && [ -f pkg/mapi_outbox.js ] && [ -f pkg/mapi_outbox_bg.wasm ]; then
  log "pkg/ is up to date"
  bundle_browser_entry
  exit 0
fi

log "wasm-bindgen --target web --out-dir pkg --out-name mapi_outbox"
rm -f "$stamp"
wasm-bindgen --target web --out-dir pkg --out-name mapi_outbox "$raw"

wasm=pkg/mapi_outbox_bg.wasm
if [ -z "$have_opt" ]; then
  log "WARNING: wasm-opt (npm binaryen) not found, keeping the unoptimized module; run scripts/setup.sh"
else
  # Debian's binaryen 108 miscompiles (TOOLCHAIN trap 3): only the npm one is on PATH here.
  log "wasm-opt -O3 ($have_opt)"
  tmp=$(mktemp "pkg/.opt.XXXXXX.wasm")
  # The features rustc enables by default for wasm32-unknown-unknown, and simd128, which
  # src/mime/base64.rs enables for its line encoder (#[target_feature]).
  if wasm-opt -O3 \
       --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext \
       --enable-mutable-globals --enable-multivalue --enable-reference-types --enable-simd \
       "$wasm" -o "$tmp" \
     && node -e 'new WebAssembly.Module(require("fs").readFileSync(process.argv[1]))' "$tmp"; then
    log "optimized: $(stat -c %s "$wasm") -> $(stat -c %s "$tmp") bytes"
    mv "$tmp" "$wasm"
    chmod 644 "$wasm"
  else
    rm -f "$tmp"
    printf '[build] WARNING: wasm-opt FAILED (output above); keeping the unoptimized %s\n' "$wasm" >&2
    opt_failed=1
  fi
fi

# No stamp after a failed wasm-opt: the next build tries (and warns) again.
[ -n "${opt_failed:-}" ] || echo "$want_stamp" > "$stamp"
bundle_browser_entry
log "done: $(ls -l pkg | awk 'NR>1 {print $9" ("$5" B)"}' | paste -sd' ' -)"
