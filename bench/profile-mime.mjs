// Diagnostic (not a benchmark): the cost of each step of bench/mime.mjs's "create + toMime"
// for the short-text message, in µs per call (N cycles), and optionally V8's CPU profile
// with the functions of most self time.
//
//   node bench/profile-mime.mjs [N=20000] [profile-out]
//
// For names of the wasm functions, profile a build made like scripts/build.sh's but with
// `wasm-opt -O3 -g` (names kept), or one without wasm-opt (see profile-drain.mjs).
import { Store } from "mapi-outbox";
import { Session } from "node:inspector/promises";
import fs from "node:fs";
const N = Number(process.argv[2] || 20000);
const out = process.argv[3];
const store = await Store.open({ spooler: false });
const props = {
  PidTagSubject: "Hello",
  PidTagSenderName: "Отправитель",
  PidTagSenderEmailAddress: "me@example.org",
  PidTagClientSubmitTime: new Date("2024-05-06T07:08:09Z"),
  PidTagInternetMessageId: "<bench.1@example.org>",
  PidTagBody: "Short note.\nSee you tomorrow.\n",
};
const rows = [
  { PidTagRecipientType: 1, PidTagEmailAddress: "ivan@example.ru", PidTagDisplayName: "Иванов, Иван" },
  { PidTagRecipientType: 1, PidTagEmailAddress: "b@example.org" },
  { PidTagRecipientType: 2, PidTagEmailAddress: "c@example.org", PidTagDisplayName: "C Person" },
];
const steps = ["createMessage", "setProps", "modifyRecipients", "toMime", "free"];
const t = Object.fromEntries(steps.map((s) => [s, 0]));
function cycle(timed) {
  let a = performance.now();
  const m = store.createMessage();
  let b = performance.now(); if (timed) t.createMessage += b - a; a = b;
  m.setProps(props);
  b = performance.now(); if (timed) t.setProps += b - a; a = b;
  m.modifyRecipients("add", rows);
  b = performance.now(); if (timed) t.modifyRecipients += b - a; a = b;
  m.toMime();
  b = performance.now(); if (timed) t.toMime += b - a; a = b;
  m.free();
  b = performance.now(); if (timed) t.free += b - a;
}
for (let i = 0; i < 2000; i++) cycle(false);
let s;
if (out) {
  s = new Session(); s.connect();
  await s.post("Profiler.enable"); await s.post("Profiler.setSamplingInterval", { interval: 100 });
  await s.post("Profiler.start");
}
const t0 = performance.now();
for (let i = 0; i < N; i++) cycle(true);
const total = performance.now() - t0;
console.log(`${N} cycles: ${((total * 1000) / N).toFixed(1)} µs/cycle; ` + steps.map((k) => `${k} ${((t[k] * 1000) / N).toFixed(1)}`).join(", ") + " µs");
if (out) {
  const { profile } = await s.post("Profiler.stop");
  fs.writeFileSync(out, JSON.stringify(profile));
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map();
  let sum = 0;
  profile.samples.forEach((id, i) => {
    const f = byId.get(id).callFrame;
    const k = `${f.functionName || "(anonymous)"} ${f.url.split("/").pop()}:${f.lineNumber}`;
    self.set(k, (self.get(k) ?? 0) + profile.timeDeltas[i]);
    sum += profile.timeDeltas[i];
  });
  for (const [k, us] of [...self].sort((a, b) => b[1] - a[1]).slice(0, 40)) {
    console.log(`${(us / 1000).toFixed(1).padStart(8)} ms ${((100 * us) / sum).toFixed(1).padStart(5)}%  ${k}`);
  }
}
await store.close();
