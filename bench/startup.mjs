// Start-up in Chromium: from `import("mapi-outbox")` to the first Store.open resolving, cold:
// every sample is a fresh Chromium with a fresh profile (no HTTP cache, no V8 code cache; the
// server also answers Cache-Control: no-store), alternating the memory and IndexedDB backends.
//
//   node bench/startup.mjs          (SAMPLES=8 per backend by default)
import { readFileSync } from "node:fs";
import { launchChromium } from "../tests/support/browser.mjs";
import { benchServerOnly } from "./server.mjs";
import { chromiumVersion, emit, fmt, stats } from "./lib.mjs";

const SAMPLES = Number(process.env.SAMPLES ?? 8);
const server = await benchServerOnly();
const samples = { memory: [], indexeddb: [] };
try {
  for (let i = 0; i < SAMPLES; i++) {
    for (const backend of i % 2 ? ["indexeddb", "memory"] : ["memory", "indexeddb"]) {
      const browser = await launchChromium();
      try {
        await browser.page.goto(`${server.url}startup.html?backend=${backend}`);
        await browser.page.locator("body[data-ready=true]").waitFor({ state: "attached", timeout: 30_000 });
        samples[backend].push(await browser.page.evaluate(() => window.startup));
      } finally {
        await browser.close();
      }
    }
  }
} finally {
  await server.close();
}
const S = {};
console.log(`Start-up, cold (a fresh Chromium profile per sample), ${chromiumVersion()}: ${SAMPLES} samples per backend`);
console.log("backend     import ms (median)  Store.open ms (median)  import→open median ms   p90    .wasm fetch ms");
for (const [b, xs] of Object.entries(samples)) {
  S[b] = {
    import: stats(xs.map((x) => x.importMs)),
    open: stats(xs.map((x) => x.openMs)),
    total: stats(xs.map((x) => x.totalMs)),
    wasmFetch: stats(xs.map((x) => x.wasmFetchMs ?? NaN)),
    wasmBytes: xs[0]?.wasmBytes,
  };
  console.log(`${b.padEnd(11)} ${fmt(S[b].import.median, 1).padStart(17)} ${fmt(S[b].open.median, 1).padStart(23)} ${fmt(S[b].total.median, 1).padStart(23)} ${fmt(S[b].total.p90, 1).padStart(6)} ${fmt(S[b].wasmFetch.median, 1).padStart(12)}`);
}
// Issue 15: import → first Store.open resolved, median, at most 100 ms on both backends.
const target = { what: "import → first Store.open ≤ 100 ms (median), memory and IndexedDB", limitMs: 100, met: S.memory.total.median <= 100 && S.indexeddb.total.median <= 100 };
console.log(`target: ≤ 100 ms both → ${target.met ? "met" : "MISSED"}`);
// Profile figures taken by hand (bench/profiles.json), for the report's prose.
const profile = JSON.parse(readFileSync(new URL("./profiles.json", import.meta.url), "utf8")).startup;
emit({ bench: "startup", samples: SAMPLES, chromium: chromiumVersion(), stats: S, raw: samples, target, profile });
