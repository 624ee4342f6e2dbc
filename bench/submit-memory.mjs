// Submit on the memory backend in Node: latency and throughput, and the JS↔wasm boundary.
//
//   node bench/submit-memory.mjs            (N=2000 submits of each message kind)
//
// - submit(): a fresh message each time (3 recipients, 2 KB body, with and without one
//   100 KB attachment), composed outside the timed region; only `await msg.submit()` is
//   timed. The two kinds are interleaved. No spooler (no transport), so nothing drains.
// - The boundary: a no-op call into wasm. The crate exports no public no-op, so this uses
//   the glue's `start()` export (pkg/mapi_outbox.js, imported directly by this script; not
//   part of the public API): the #[wasm_bindgen(start)] function, which after the first
//   call is only console_error_panic_hook::set_once()'s already-done check. Next to it: an
//   empty JS function (the floor) and `message.entryId` (the cheapest public call: the
//   freed-object guard of js/common.js, a borrow in Rust, 72 hex digits back as a string).
// - Crossings per submit: the same script in a child process (`--count`) wraps every wasm
//   export and import to count the calls one submit makes each way, so the boundary's share
//   is estimated as crossings × the no-op cost.
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { attach, emit, fmt, pairedRatio, stats } from "./lib.mjs";

const COUNT = process.argv.includes("--count");
const counts = { jsToWasm: 0, wasmToJs: 0, on: false };
if (COUNT) {
  // Wrap the instance's exports and imports before the package instantiates the module.
  const orig = WebAssembly.instantiate;
  WebAssembly.instantiate = async function (src, imports) {
    const wrapped = {};
    for (const [ns, fns] of Object.entries(imports)) {
      wrapped[ns] = {};
      for (const [k, f] of Object.entries(fns)) {
        wrapped[ns][k] = typeof f === "function" ? function (...a) { if (counts.on) counts.wasmToJs++; return f.apply(this, a); } : f;
      }
    }
    const res = await orig.call(this, src, wrapped);
    const inst = res.instance ?? res;
    const exports = {};
    for (const [k, v] of Object.entries(inst.exports)) {
      exports[k] = typeof v === "function" ? (...a) => { if (counts.on) counts.jsToWasm++; return v(...a); } : v;
    }
    return { instance: { exports }, module: res.module };
  };
}

const { Store } = await import("mapi-outbox");
const glue = await import("../pkg/mapi_outbox.js"); // the same module instance the package uses
const N = Number(process.env.N ?? 2000);
const body = "x".repeat(2048);
const attachment = Uint8Array.from({ length: 100 * 1024 }, (_, i) => (i * 31) & 255);

const store = await Store.open({ identity: { email: "me@example.org" }, spooler: false });
function compose(i, withAttachment) {
  const m = store.createMessage();
  m.setProps({ PidTagSubject: `message ${i}`, PidTagBody: body });
  m.modifyRecipients("add", [
    { PidTagEmailAddress: "a@example.org" },
    { PidTagEmailAddress: "b@example.org", PidTagRecipientType: 2 },
    { PidTagEmailAddress: "c@example.org", PidTagRecipientType: 3 },
  ]);
  if (withAttachment) attach(m, "report.pdf", "application/pdf", attachment);
  return m;
}

if (COUNT) {
  const out = {};
  for (const [kind, att] of [["small", false], ["typical", true]]) {
    const m = compose(0, att);
    counts.jsToWasm = counts.wasmToJs = 0;
    counts.on = true;
    await m.submit();
    counts.on = false;
    m.free();
    out[kind] = { jsToWasm: counts.jsToWasm, wasmToJs: counts.wasmToJs };
  }
  const m = compose(0, false);
  counts.jsToWasm = counts.wasmToJs = 0;
  counts.on = true;
  void m.entryId;
  counts.on = false;
  out.entryId = { jsToWasm: counts.jsToWasm, wasmToJs: counts.wasmToJs };
  m.free();
  console.log(JSON.stringify(out));
  process.exit(0);
}

// --- submit latency and throughput --------------------------------------------------------
for (let i = 0; i < 200; i++) { const m = compose(i, i % 2 === 0); await m.submit(); m.free(); } // warm-up
const sub = { typical: [], small: [] };
const composeMs = { typical: [], small: [] };
let wall = { typical: 0, small: 0 };
for (let i = 0; i < N; i++) {
  for (const kind of i % 2 ? ["typical", "small"] : ["small", "typical"]) {
    let t0 = performance.now();
    const m = compose(i, kind === "typical");
    const t1 = performance.now();
    await m.submit();
    const t2 = performance.now();
    m.free();
    composeMs[kind].push(t1 - t0);
    sub[kind].push(t2 - t1);
    wall[kind] += t2 - t0;
  }
}

// --- the boundary ------------------------------------------------------------------------
const probe = compose(0, false);
const CALLS = 100_000;
let sink = 0;
function jsNoop(x) { return x; }
const kinds = {
  "empty JS function": () => { for (let i = 0; i < CALLS; i++) sink += jsNoop(i) & 1; },
  "wasm no-op (glue start())": () => { for (let i = 0; i < CALLS; i++) glue.start(); },
  "message.entryId read": () => { for (let i = 0; i < CALLS; i++) sink += probe.entryId.length; },
};
const perCall = Object.fromEntries(Object.keys(kinds).map((k) => [k, []]));
for (let r = 0; r < 40; r++) {
  for (const [k, fn] of Object.entries(kinds)) {
    const t0 = performance.now();
    fn();
    const ns = ((performance.now() - t0) * 1e6) / CALLS;
    if (r >= 5) perCall[k].push(ns);
  }
}
probe.free();
await store.close();

const child = spawnSync(process.execPath, [fileURLToPath(import.meta.url), "--count"], { encoding: "utf8" });
let crossings = null;
try { crossings = JSON.parse(child.stdout.trim().split("\n").pop()); } catch { console.error(child.stderr); }

const S = { typical: stats(sub.typical), small: stats(sub.small) };
const C = { typical: stats(composeMs.typical), small: stats(composeMs.small) };
const B = Object.fromEntries(Object.entries(perCall).map(([k, v]) => [k, stats(v)]));
const noop = B["wasm no-op (glue start())"].median;
console.log(`Submit on the memory backend, Node ${process.version}: ${N} submits of each kind, interleaved`);
console.log("                                      median ms   p90 ms   p99 ms   submits/s   compose median ms");
for (const [kind, label] of [["small", "3 rcpt, 2 KB body"], ["typical", "3 rcpt, 2 KB body, 100 KB attachment"]]) {
  const s = S[kind];
  console.log(`${label.padEnd(37)} ${fmt(s.median, 3).padStart(9)} ${fmt(s.p90, 3).padStart(8)} ${fmt(s.p99, 3).padStart(8)} ${fmt(1000 / s.mean, 0).padStart(11)}   ${fmt(C[kind].median, 3).padStart(8)}`);
}
console.log(`ratio typical / small (median of per-submit ratios): ${fmt(pairedRatio(sub.typical, sub.small).median)}x`);
console.log("");
console.log("call (100,000 per sample, 35 samples)   median ns/call   p90");
for (const [k, s] of Object.entries(B)) console.log(`${k.padEnd(38)} ${fmt(s.median, 1).padStart(12)} ${fmt(s.p90, 1).padStart(9)}`);
const share = {};
if (crossings) {
  for (const kind of ["small", "typical"]) {
    const n = crossings[kind].jsToWasm + crossings[kind].wasmToJs;
    share[kind] = { crossings: crossings[kind], estimatedMs: (n * noop) / 1e6, fraction: (n * noop) / 1e6 / S[kind].median };
    console.log(`${kind} submit: ${crossings[kind].jsToWasm} JS→wasm + ${crossings[kind].wasmToJs} wasm→JS calls ≈ ${fmt(share[kind].estimatedMs * 1000, 1)} µs at the no-op cost = ${fmt(share[kind].fraction * 100, 1)}% of its median`);
  }
}
emit({
  bench: "submit-memory",
  N,
  submit: S,
  compose: C,
  typicalOverSmall: pairedRatio(sub.typical, sub.small),
  boundaryNsPerCall: B,
  crossings,
  boundaryShare: share,
  sink,
});
