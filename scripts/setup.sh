#!/usr/bin/env bash
# Installs every tool the build and the tests need, idempotently: each step checks first.
# Facts behind each step: ../shared/TOOLCHAIN.md (pinned versions, traps 1-3, 8).
set -euo pipefail
cd "$(dirname "$0")/.."

# The CLI must be exactly the wasm-bindgen the crate links: Cargo.lock when there is one,
# else the `=X` pin in Cargo.toml.
WASM_BINDGEN_VERSION=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock 2>/dev/null || true)
if [ -z "$WASM_BINDGEN_VERSION" ]; then
  WASM_BINDGEN_VERSION=$(sed -n 's/^wasm-bindgen = { version = "=\([0-9.]*\)".*/\1/p; s/^wasm-bindgen = "=\([0-9.]*\)".*/\1/p' Cargo.toml | head -n1)
fi
WASM_PACK_VERSION=0.15.1
: "${WASM_BINDGEN_VERSION:?could not read the pinned wasm-bindgen version from Cargo.lock or Cargo.toml}"

log() { printf '[setup] %s\n' "$*"; }
die() { printf '[setup] ERROR: %s\n' "$*" >&2; exit 1; }
export PATH="$HOME/.cargo/bin:$PATH"

# Preinstalled on every machine: Node >= 20 with npm, and a Rust toolchain through rustup.
command -v node >/dev/null || die "node (>= 20) is required"
[ "$(node -p 'process.versions.node.split(".")[0]')" -ge 20 ] || die "Node >= 20 is required, have $(node --version)"
command -v npm >/dev/null || die "npm is required"
command -v cargo >/dev/null && command -v rustup >/dev/null || die "cargo and rustup are required (Rust toolchain)"
# cargo install honours CARGO_TARGET_DIR (trap 8): never let it leak into installs.
install_crate() { env -u CARGO_TARGET_DIR cargo install "$@"; }

if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  log "adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi

if [ "$(wasm-bindgen --version 2>/dev/null | awk '{print $2}')" != "$WASM_BINDGEN_VERSION" ]; then
  log "installing wasm-bindgen-cli $WASM_BINDGEN_VERSION (no --locked: trap 1)"
  install_crate wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION" --force
fi

if [ "$(wasm-pack --version 2>/dev/null | awk '{print $2}')" != "$WASM_PACK_VERSION" ]; then
  log "installing wasm-pack $WASM_PACK_VERSION"
  install_crate wasm-pack --version "$WASM_PACK_VERSION" --force
fi

if [ ! -x /usr/bin/chromium ] || [ ! -x /usr/bin/chromedriver ]; then
  if [ "$(id -u)" = 0 ] || sudo -n true 2>/dev/null; then
    as_root=(); [ "$(id -u)" = 0 ] || as_root=(sudo -n)
    log "installing Debian's chromium and chromium-driver"
    "${as_root[@]}" apt-get update -qq
    "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null
  else
    log "chromium/chromedriver missing and not root: run 'sudo apt-get install chromium chromium-driver'"
    exit 1
  fi
fi

# node_modules: reinstall only when package-lock.json changed since the last install.
stamp=node_modules/.setup-stamp
want=$(sha256sum package-lock.json | awk '{print $1}')
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  log "installing node packages (npm ci)"
  npm ci --no-audit --no-fund --loglevel=error
  echo "$want" > "$stamp"
fi
log "tools ready: $(wasm-bindgen --version), $(wasm-pack --version), $(chromium --version 2>/dev/null | head -c 40)"
