// `npm run bench`: every benchmark in one run (not part of npm test), then a summary table,
// bench/results.json and BENCHMARKS.md (bench/report.mjs).
//
//   npm run bench                      all of them
//   npm run bench -- mime scale        only those (the others keep their last results)
//   BENCH_QUICK=1 npm run bench        scaled down (a few minutes): fewer rounds and samples,
//                                      no 100,000-message runs, no size variants
//
// Each benchmark runs as its own Node process (a fresh heap and wasm instance; memory.mjs
// needs --expose-gc) and hands its result over as JSON. Chromium's profiles go to a TMPDIR
// of this run, deleted at the end (TOOLCHAIN trap 7).
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { chromiumVersion, machine } from "./lib.mjs";

const repo = join(dirname(fileURLToPath(import.meta.url)), "..");
const BENCHES = [
  { id: "idb-submit", file: "idb-submit.mjs", item: 1 },
  { id: "submit-memory", file: "submit-memory.mjs", item: 2 },
  { id: "scale", file: "drain.mjs", item: 3 },
  { id: "scale-idb", file: "scale-idb.mjs", item: 3 },
  { id: "mime", file: "mime.mjs", item: 4 },
  { id: "size", file: "size.mjs", item: 5 },
  { id: "memory", file: "memory.mjs", item: 6, node: ["--expose-gc"] },
  { id: "startup", file: "startup.mjs", item: 7 },
  { id: "jmap", file: "jmap.mjs", item: 8 },
];
const only = process.argv.slice(2);
const unknown = only.filter((id) => !BENCHES.some((b) => b.id === id));
if (unknown.length) {
  console.error(`unknown benchmark(s): ${unknown.join(", ")}; known: ${BENCHES.map((b) => b.id).join(", ")}`);
  process.exit(2);
}
// BENCH_QUICK: smaller defaults for each script (a variable set by hand still wins).
const QUICK = process.env.BENCH_QUICK ? { N_IDB: "100", N_MEM: "500", ROUNDS_SCALE: "0.25", SIZE_VARIANTS: "0", CYCLES: "10000", SAMPLES: "3" } : null;
const quickEnv = (id) => {
  if (!QUICK) return {};
  const pick = { "idb-submit": { N: QUICK.N_IDB }, "submit-memory": { N: QUICK.N_MEM }, mime: { ROUNDS_SCALE: QUICK.ROUNDS_SCALE }, size: { SIZE_VARIANTS: QUICK.SIZE_VARIANTS }, memory: { CYCLES: QUICK.CYCLES }, startup: { SAMPLES: QUICK.SAMPLES }, jmap: { BENCH_JMAP_N: "20" } }[id] ?? {};
  return Object.fromEntries(Object.entries(pick).filter(([k]) => process.env[k] == null));
};
const resultsFile = join(repo, "bench/results.json");
const previous = existsSync(resultsFile) ? JSON.parse(readFileSync(resultsFile, "utf8")) : { benches: {} };

if (!existsSync(join(repo, "pkg/mapi_outbox_bg.wasm"))) {
  console.log("[bench] pkg/ is missing: building it (scripts/build.sh)");
  const b = spawnSync("bash", ["scripts/build.sh"], { cwd: repo, stdio: "inherit" });
  if (b.status !== 0) process.exit(1);
}

const tmp = mkdtempSync(join(process.env.TMPDIR ?? tmpdir(), "mapi-outbox-bench."));
const started = new Date();
const benches = { ...previous.benches };
let failed = 0;
try {
  for (const b of BENCHES) {
    if (only.length && !only.includes(b.id)) continue;
    const json = join(tmp, `${b.id}.json`);
    const args = [...(b.node ?? []), join("bench", b.file)];
    console.log(`\n[bench] (${b.item}) node ${args.join(" ")}`);
    const t0 = Date.now();
    const r = spawnSync(process.execPath, args, { cwd: repo, stdio: "inherit", env: { ...process.env, ...quickEnv(b.id), TMPDIR: tmp, BENCH_JSON: json } });
    if (r.status !== 0 || !existsSync(json)) {
      console.error(`[bench] ${b.file} FAILED (exit ${r.status})`);
      failed++;
      continue;
    }
    const env = Object.entries(quickEnv(b.id)).map(([k, v]) => `${k}=${v} `).join("");
    const out = JSON.parse(readFileSync(json, "utf8"));
    benches[b.id] = { item: b.item, seconds: Math.round((Date.now() - t0) / 1000), ranAt: new Date().toISOString(), quick: !!QUICK, ...out, command: env + out.command };
  }
} finally {
  rmSync(tmp, { recursive: true, force: true });
}

let commit = null;
try {
  commit = spawnSync("git", ["rev-parse", "--short", "HEAD"], { cwd: repo, encoding: "utf8" }).stdout.trim() || null;
} catch {}
// Whether the measured tree had changes not in `commit` (then the figures are not that commit's).
let uncommitted = null;
try {
  const st = spawnSync("git", ["status", "--porcelain", "--untracked-files=no"], { cwd: repo, encoding: "utf8" });
  if (st.status === 0) uncommitted = st.stdout.trim().length > 0;
} catch {}
const results = {
  generatedAt: new Date().toISOString(),
  startedAt: started.toISOString(),
  command: `${QUICK ? "BENCH_QUICK=1 " : ""}npm run bench${only.length ? ` -- ${only.join(" ")}` : ""}`,
  commit,
  uncommitted,
  machine: { ...machine(), chromium: chromiumVersion() },
  benches,
};
writeFileSync(resultsFile, JSON.stringify(results, null, 2) + "\n");
const { summaryRows, writeReport } = await import("./report.mjs");
console.log("\n==== summary (bench/results.json; BENCHMARKS.md regenerated) ====");
for (const row of summaryRows(results)) console.log(`${row[0].padEnd(58)} ${row[1].padEnd(46)} ${row[2]}`);
writeReport(results);
process.exit(failed ? 1 : 0);
