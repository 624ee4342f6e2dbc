#!/usr/bin/env bash
# Coverage-guided fuzzing of the core with libFuzzer, on the stable toolchain.
#
#   bash scripts/fuzz.sh              every target for FUZZ_SECONDS (default 20) each
#   bash scripts/fuzz.sh mime 600     one target for 10 minutes
#
# cargo-fuzz needs a nightly toolchain, which cannot be fetched here; this builds the fuzz/
# crate with the flags cargo-fuzz passes (`-C passes=sancov-module` and the
# sanitizer-coverage options; libfuzzer-sys brings libFuzzer itself, built with the C++
# compiler) for the host target only, so build scripts are not instrumented. Each target
# starts from its committed corpus (fuzz/corpus/<target>/, read only here: new inputs go to
# a scratch folder; `FUZZ_KEEP_CORPUS=1` merges them back, minimized). A crash or a failed
# assertion stops the run with the input saved and printed, and this exits non-zero.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"

TARGETS=(record props mime)
if [ $# -ge 1 ]; then TARGETS=("$1"); fi
SECONDS_EACH=${2:-${FUZZ_SECONDS:-20}}
HOST=$(rustc -vV | sed -n 's/^host: //p')
export RUSTFLAGS="--cfg fuzzing -C passes=sancov-module -C llvm-args=-sanitizer-coverage-level=4 \
-C llvm-args=-sanitizer-coverage-inline-8bit-counters -C llvm-args=-sanitizer-coverage-pc-table \
-C llvm-args=-sanitizer-coverage-trace-compares -C debug-assertions -C overflow-checks"

echo "[fuzz] building fuzz/ (libFuzzer, sancov) for $HOST"
(cd fuzz && cargo build --release --bins --target "$HOST" --quiet)

scratch=$(mktemp -d "${TMPDIR:-/tmp}/mapi-outbox-fuzz.XXXXXX")
trap 'rm -rf "$scratch"' EXIT
status=0
for t in "${TARGETS[@]}"; do
  bin="fuzz/target/$HOST/release/$t"
  mkdir -p "$scratch/$t" "fuzz/corpus/$t"
  cp -r "fuzz/corpus/$t/." "$scratch/$t/"
  before=$(find "$scratch/$t" -type f | wc -l)
  log="$scratch/$t.log"
  if "$bin" -max_total_time="$SECONDS_EACH" -rss_limit_mb=2048 -timeout=10 -print_final_stats=1 \
      -artifact_prefix="$scratch/$t-" "$scratch/$t" >"$log" 2>&1; then
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
    cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1)
    after=$(find "$scratch/$t" -type f | wc -l)
    echo "[fuzz] $t: ok, ${runs:-?} runs in ${SECONDS_EACH}s, $cov, corpus $before -> $after inputs"
    if [ "${FUZZ_KEEP_CORPUS:-}" = 1 ]; then
      merged=$(mktemp -d "$scratch/merge.XXXX")
      "$bin" -merge=1 "$merged" "fuzz/corpus/$t" "$scratch/$t" >/dev/null 2>&1
      rm -rf "fuzz/corpus/$t" && mv "$merged" "fuzz/corpus/$t"
      echo "[fuzz] $t: corpus merged into fuzz/corpus/$t ($(find "fuzz/corpus/$t" -type f | wc -l) inputs)"
    fi
  else
    status=1
    echo "[fuzz] $t: FAILED"
    grep -E "panicked|ERROR|SUMMARY|Test unit written|assert" "$log" | head -20
    for a in "$scratch/$t"-*; do
      [ -f "$a" ] || continue
      mkdir -p fuzz/artifacts
      cp "$a" "fuzz/artifacts/"
      echo "[fuzz] reproduce: fuzz/target/$HOST/release/$t fuzz/artifacts/$(basename "$a")"
    done
  fi
done
exit $status
