// Size of what the package ships, and what the release settings and wasm-opt give.
//
//   node bench/size.mjs              (SIZE_VARIANTS=0 to measure only the built pkg/)
//
// 1. The built package (scripts/build.sh): the .wasm, the wasm-bindgen JS glue and the
//    package's own JS that a browser loads, raw / gzip -9 / brotli q11, and the npm tarball.
// 2. Variants: the crate built with other [profile.release] settings (through Cargo's
//    CARGO_PROFILE_RELEASE_* variables, so Cargo.toml is not touched) into target dirs under
//    /tmp (never the repo's target/), run through the same wasm-bindgen, then wasm-opt
//    (npm binaryen, TOOLCHAIN trap 3) at -O3 / -Os / -Oz or not at all. Builds are cached
//    in $BENCH_TARGET_ROOT (default /tmp/mapi-outbox-bench-target), so a second run only
//    re-measures.
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { brotliCompressSync, constants, gzipSync } from "node:zlib";
import { emit, fmt } from "./lib.mjs";

const repo = join(dirname(fileURLToPath(import.meta.url)), "..");
const ROOT = process.env.BENCH_TARGET_ROOT ?? "/tmp/mapi-outbox-bench-target";
const PATH = `${process.env.HOME}/.cargo/bin:${repo}/node_modules/.bin:${process.env.PATH}`;
const FEATURES = [
  "--enable-bulk-memory", "--enable-nontrapping-float-to-int", "--enable-sign-ext",
  "--enable-mutable-globals", "--enable-multivalue", "--enable-reference-types", "--enable-simd",
];

function sizes(buf) {
  return {
    raw: buf.length,
    gzip: gzipSync(buf, { level: 9 }).length,
    brotli: brotliCompressSync(buf, {
      params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: buf.length },
    }).length,
  };
}
const kb = (n) => (n / 1024).toFixed(1);

// --- 1. the built package ---------------------------------------------------------------
if (!existsSync(join(repo, "pkg/mapi_outbox_bg.wasm"))) {
  console.error("pkg/ is missing: run `npm run build` first");
  process.exit(1);
}
// What a browser fetches for `import ... from "mapi-outbox"`: the package's "browser"/"module"
// export is one bundled module (scripts/build.sh), which fetches the .wasm.
const browserFiles = ["pkg/mapi_outbox_bg.wasm", "pkg/browser.js"];
const files = browserFiles.map((f) => ({ file: f, ...sizes(readFileSync(join(repo, f))) }));
const browserTotal = files.reduce(
  (t, f) => ({ raw: t.raw + f.raw, gzip: t.gzip + f.gzip, brotli: t.brotli + f.brotli }),
  { raw: 0, gzip: 0, brotli: 0 },
);
let tarball = null;
try {
  const [p] = JSON.parse(execFileSync("npm", ["pack", "--dry-run", "--json", "--ignore-scripts"], { cwd: repo, encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }));
  tarball = { size: p.size, unpackedSize: p.unpackedSize, entryCount: p.entryCount };
} catch (e) {
  console.error(`npm pack --dry-run failed: ${e.message}`);
}

console.log("Size of the built package (scripts/build.sh: release profile from Cargo.toml, wasm-opt -O3)");
console.log("file                              raw KiB   gzip KiB  brotli KiB");
for (const f of [...files, { file: "total a browser loads", ...browserTotal }]) {
  console.log(`${f.file.padEnd(32)} ${kb(f.raw).padStart(8)} ${kb(f.gzip).padStart(10)} ${kb(f.brotli).padStart(11)}`);
}
if (tarball) console.log(`npm tarball (npm pack): ${kb(tarball.size)} KiB packed, ${kb(tarball.unpackedSize)} KiB unpacked, ${tarball.entryCount} files`);

// --- 2. variants -------------------------------------------------------------------------
const PROFILES = [
  { name: "s, lto, cgu 1, abort (Cargo.toml)", opt: "s", lto: "true", cgu: "1", panic: "abort" },
  { name: "z, lto, cgu 1, abort", opt: "z", lto: "true", cgu: "1", panic: "abort" },
  { name: "3, lto, cgu 1, abort", opt: "3", lto: "true", cgu: "1", panic: "abort" },
  { name: "s, no lto, cgu 16, abort", opt: "s", lto: "false", cgu: "16", panic: "abort" },
  { name: "s, lto, cgu 1, unwind", opt: "s", lto: "true", cgu: "1", panic: "unwind" },
];
const OPTS = ["none", "-O3", "-Os", "-Oz"];
const variants = [];
if (process.env.SIZE_VARIANTS !== "0") {
  mkdirSync(ROOT, { recursive: true });
  for (const p of PROFILES) {
    const dir = join(ROOT, `opt-${p.opt}_lto-${p.lto}_cgu-${p.cgu}_panic-${p.panic}`);
    const env = {
      ...process.env,
      PATH,
      CARGO_TARGET_DIR: dir,
      CARGO_PROFILE_RELEASE_OPT_LEVEL: p.opt,
      CARGO_PROFILE_RELEASE_LTO: p.lto,
      CARGO_PROFILE_RELEASE_CODEGEN_UNITS: p.cgu,
      CARGO_PROFILE_RELEASE_PANIC: p.panic,
    };
    const t0 = Date.now();
    try {
      execFileSync("cargo", ["build", "--release", "--target", "wasm32-unknown-unknown", "--lib", "--quiet"], { cwd: repo, env, stdio: ["ignore", "ignore", "pipe"] });
    } catch (e) {
      const why = String(e.stderr ?? e.message).split("\n").find((l) => l.startsWith("error")) ?? "build failed";
      console.log(`${p.name}: does not build (${why.trim()})`);
      variants.push({ profile: p, error: why.trim() });
      continue;
    }
    const raw = join(dir, "wasm32-unknown-unknown/release/mapi_outbox.wasm");
    const rawHash = createHash("sha256").update(readFileSync(raw)).digest("hex").slice(0, 16);
    const out = join(dir, "bench-pkg", rawHash);
    if (!existsSync(join(out, "mapi_outbox_bg.wasm"))) {
      execFileSync("wasm-bindgen", ["--target", "web", "--out-dir", out, "--out-name", "mapi_outbox", raw], { env, stdio: "ignore" });
    }
    const bg = join(out, "mapi_outbox_bg.wasm");
    const row = { profile: p, buildSeconds: Math.round((Date.now() - t0) / 1000), rustcWasm: statSync(raw).size, opt: {} };
    for (const o of OPTS) {
      let file = bg;
      if (o !== "none") {
        file = join(out, `opt${o}.wasm`);
        if (!existsSync(file)) execFileSync("wasm-opt", [o, ...FEATURES, bg, "-o", file], { env, stdio: "ignore" });
      }
      row.opt[o] = sizes(readFileSync(file));
    }
    row.glue = sizes(readFileSync(join(out, "mapi_outbox.js")));
    variants.push(row);
  }
  console.log("");
  console.log("Variants: .wasm gzip KiB after wasm-bindgen, by wasm-opt level (raw KiB in brackets)");
  console.log(`profile (opt-level, lto, codegen-units, panic)  ${OPTS.map((o) => o.padStart(16)).join("")}`);
  for (const v of variants) {
    if (v.error) continue;
    console.log(`${v.profile.name.padEnd(46)} ${OPTS.map((o) => `${kb(v.opt[o].gzip)} (${kb(v.opt[o].raw)})`.padStart(16)).join("")}`);
  }
}

const best = variants.filter((v) => !v.error).flatMap((v) => OPTS.map((o) => ({ v, o, gzip: v.opt[o].gzip }))).sort((a, b) => a.gzip - b.gzip)[0];
const nonWasm = browserTotal.gzip - files[0].gzip;
emit({
  bench: "size",
  files,
  browserTotal,
  tarball,
  variants,
  best: best ? { profile: best.v.profile.name, wasmOpt: best.o, wasmGzip: best.gzip, packageGzip: best.gzip + nonWasm } : null,
  // What each size cut gave, measured when it was made (bench/size-steps.json), so that the
  // report's prose takes those figures from results.json too.
  steps: JSON.parse(readFileSync(join(repo, "bench/size-steps.json"), "utf8")),
  profile: JSON.parse(readFileSync(join(repo, "bench/profiles.json"), "utf8")).size,
  // Issue 15: the .wasm at most 150 KB gzip -9.
  target: { what: ".wasm at most 150 KB gzip -9", limit: 150 * 1000, value: files[0].gzip, met: files[0].gzip <= 150 * 1000 },
});
if (best) console.log(`\nsmallest: ${best.v.profile.name} + wasm-opt ${best.o}: .wasm ${kb(best.gzip)} KiB gzip, package ${kb(best.gzip + nonWasm)} KiB gzip`);
console.log(`target: .wasm ≤ 150 KB gzip: ${(files[0].gzip / 1000).toFixed(1)} KB → ${files[0].gzip <= 150e3 ? "met" : "MISSED"}`);
void fmt; void readdirSync; void writeFileSync;
