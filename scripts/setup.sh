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
GECKODRIVER_VERSION=0.37.1
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
for component in rustfmt clippy; do
  if ! rustup component list --installed | grep -q "^$component"; then
    log "adding the $component component (the lint stage)"
    rustup component add "$component"
  fi
done

if [ "$(wasm-bindgen --version 2>/dev/null | awk '{print $2}')" != "$WASM_BINDGEN_VERSION" ]; then
  log "installing wasm-bindgen-cli $WASM_BINDGEN_VERSION (no --locked: trap 1)"
  install_crate wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION" --force
fi

if [ "$(wasm-pack --version 2>/dev/null | awk '{print $2}')" != "$WASM_PACK_VERSION" ]; then
  log "installing wasm-pack $WASM_PACK_VERSION"
  install_crate wasm-pack --version "$WASM_PACK_VERSION" --force
fi

# Debian packages: installed when a file they bring is missing (root, or passwordless sudo).
apt_updated=
apt_install() { # apt_install <what for> <package...>
  local why=$1; shift
  if [ "$(id -u)" = 0 ] || sudo -n true 2>/dev/null; then
    local as_root=(); [ "$(id -u)" = 0 ] || as_root=(sudo -n)
    log "installing Debian's $* ($why)"
    [ -n "$apt_updated" ] || { "${as_root[@]}" apt-get update -qq; apt_updated=1; }
    # policy-rc.d 101: packages (cyrus-imapd) must not start system-wide services.
    local policy=/usr/sbin/policy-rc.d made_policy=
    if [ ! -e "$policy" ]; then
      printf '#!/bin/sh\nexit 101\n' | "${as_root[@]}" tee "$policy" >/dev/null
      "${as_root[@]}" chmod +x "$policy"; made_policy=1
    fi
    "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null
    [ -z "$made_policy" ] || "${as_root[@]}" rm -f "$policy"
  else
    log "missing Debian packages and not root: run 'sudo apt-get install $*' ($why)"
    exit 1
  fi
}

# libfuzzer-sys builds libFuzzer from its C++ sources (the fuzz stage).
if ! command -v g++ >/dev/null 2>&1; then
  apt_install "the fuzz stage (libFuzzer is C++)" g++
fi

if [ ! -x /usr/bin/chromium ] || [ ! -x /usr/bin/chromedriver ]; then
  apt_install "browser tests" chromium chromium-driver
fi

# Firefox ESR and WebKitGTK for the wasm-firefox/wasm-webkit/browser-firefox/browser-webkit
# stages (WebKit's MiniBrowser needs a display: Xvfb).
if [ ! -x /usr/bin/firefox-esr ] || [ ! -x /usr/bin/WebKitWebDriver ] || ! command -v Xvfb >/dev/null; then
  apt_install "Firefox and WebKit tests" firefox-esr webkit2gtk-driver xvfb
fi
if [ "$(geckodriver --version 2>/dev/null | head -1 | awk '{print $2}')" != "$GECKODRIVER_VERSION" ]; then
  log "installing geckodriver $GECKODRIVER_VERSION (crates.io; ~4 min once)"
  install_crate geckodriver --version "$GECKODRIVER_VERSION" --force
fi

# The JMAP server of the `jmap` stage (scripts/cyrus.sh): JMAP is served by cyrus-caldav's httpd.
if [ ! -x /usr/lib/cyrus/bin/master ] || [ ! -x /usr/lib/cyrus/bin/httpd ] || ! command -v saslpasswd2 >/dev/null \
   || ! command -v curl >/dev/null; then
  apt_install "the jmap stage's Cyrus server" cyrus-imapd cyrus-caldav cyrus-admin sasl2-bin curl
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
