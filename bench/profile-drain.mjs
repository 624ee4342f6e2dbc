// Diagnostic (not a benchmark): V8's CPU profile of the spooler draining N queued messages
// on the memory backend in Node, through a transport that resolves at once; prints the
// per-message time and the functions with the most self time, and writes the profile
// (open it in Chrome DevTools).
//
//   node bench/profile-drain.mjs [N=3000] [out=$TMPDIR/drain.cpuprofile]
//
// For names of the wasm functions, profile an unoptimized build: `wasm-bindgen --target web
// --out-dir pkg --out-name mapi_outbox target/wasm32-unknown-unknown/release/mapi_outbox.wasm`
// after `cargo build --release --target wasm32-unknown-unknown --lib` (scripts/build.sh puts
// the optimized one back).
import { Store } from "mapi-outbox";
import { queueScaleMessages } from "./lib.mjs";
import { Session } from "node:inspector/promises";
import fs from "node:fs";
const N = Number(process.argv[2] || 3000);
const store = await Store.open({ backend: "memory", identity: { email: "me@example.org" } });
await queueScaleMessages(store, N);
const s = new Session(); s.connect();
await s.post("Profiler.enable"); await s.post("Profiler.setSamplingInterval", { interval: 100 });
await s.post("Profiler.start");
let sent = 0;
const t0 = performance.now();
store.registerTransport({ name: "t", addressTypes: ["SMTP"], send: async () => { sent++; } });
await store.flush();
const ms = performance.now() - t0;
const { profile } = await s.post("Profiler.stop");
const out = process.argv[3] ?? `${process.env.TMPDIR ?? "/tmp"}/drain.cpuprofile`;
fs.writeFileSync(out, JSON.stringify(profile));
console.log(`drain ${N}: ${ms.toFixed(0)} ms, ${((ms * 1000) / N).toFixed(1)} µs/msg, sent ${sent}; profile: ${out}`);
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const self = new Map();
let total = 0;
profile.samples.forEach((id, i) => {
  const f = byId.get(id).callFrame;
  const k = `${f.functionName || "(anonymous)"} ${f.url.split("/").pop()}:${f.lineNumber}`;
  self.set(k, (self.get(k) ?? 0) + profile.timeDeltas[i]);
  total += profile.timeDeltas[i];
});
for (const [k, us] of [...self].sort((a, b) => b[1] - a[1]).slice(0, 25)) {
  console.log(`${(us / 1000).toFixed(1).padStart(8)} ms ${((100 * us) / total).toFixed(1).padStart(5)}%  ${k}`);
}
await store.close();
