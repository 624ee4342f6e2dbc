// Scale: outgoingQueue(), contents() and the spooler's drain, per message, at growing queue
// lengths, on the memory backend in Node. Per-message cost should stay flat (within 30%).
//
//   node bench/drain.mjs [N ...]        (default: 1000 10000 100000; BENCH_QUICK=1: 1000 10000)
//
// For each N: N messages (3 recipients, 2 KB body) are submitted into a store without a
// spooler (the submit cost per message is recorded too); then outgoingQueue() and
// contents("outbox") are each called REPS times (median taken) and divided by N; then a
// transport that resolves at once is registered and `flush()` is timed: the drain.
import { Store } from "mapi-outbox";
import { emit, fmt, quantile, queueScaleMessages as queue } from "./lib.mjs";

const sizes = process.argv.slice(2).map(Number).filter((n) => n > 0);
const Ns = sizes.length ? sizes : process.env.BENCH_QUICK ? [1000, 10000] : [1000, 10000, 100000];
const REPS = 3;

async function timed(fn, reps) {
  const xs = [];
  let rows = 0;
  for (let r = 0; r < reps; r++) {
    const t0 = performance.now();
    rows = (await fn()).length;
    xs.push(performance.now() - t0);
  }
  return { ms: quantile(xs, 0.5), rows };
}

async function runOnce(n) {
  const store = await Store.open({ identity: { email: "me@example.org" } });
  let t0 = performance.now();
  await queue(store, n);
  const submitMs = performance.now() - t0;
  const oq = await timed(() => store.outgoingQueue(), REPS);
  const ct = await timed(() => store.contents("outbox"), REPS);
  if (oq.rows !== n || ct.rows !== n) throw new Error(`expected ${n} rows, got ${oq.rows} / ${ct.rows}`);
  let delivered = 0;
  t0 = performance.now();
  store.registerTransport({ name: "instant", addressTypes: ["SMTP"], send() { delivered++; } });
  await store.flush();
  const drainMs = performance.now() - t0;
  const left = (await store.outgoingQueue()).length;
  if (delivered !== n || left !== 0) throw new Error(`drain incomplete: ${delivered} delivered, ${left} left`);
  await store.close();
  return { submitMs, outgoingQueueMs: oq.ms, contentsMs: ct.ms, drainMs };
}

// Warm-up (discarded), then runs in round-robin order so that the small queues, run several
// times (the median is kept), are spread over the whole run and see the same machine load.
await runOnce(Math.min(1000, Ns[0]));
const biggest = Math.max(...Ns);
const left = new Map(Ns.map((n) => [n, Math.max(1, Math.min(5, Math.round((3 * biggest) / n / 10)))]));
const runs = new Map(Ns.map((n) => [n, []]));
while ([...left.values()].some((k) => k > 0)) {
  for (const n of Ns) {
    if (left.get(n) > 0) {
      runs.get(n).push(await runOnce(n));
      left.set(n, left.get(n) - 1);
    }
  }
}

console.log(`Scale on the memory backend, node ${process.version}, ${process.platform} ${process.arch}`);
console.log("queued  runs  submit µs/msg   outgoingQueue() ms (µs/row)   contents() ms (µs/row)   drain ms (µs/msg)");
const rows = [];
for (const n of Ns) {
  const med = (k) => quantile(runs.get(n).map((x) => x[k]), 0.5);
  const r = {
    n,
    runs: runs.get(n).length,
    submitUsPerMsg: (med("submitMs") * 1000) / n,
    outgoingQueueMs: med("outgoingQueueMs"), outgoingQueueUsPerRow: (med("outgoingQueueMs") * 1000) / n,
    contentsMs: med("contentsMs"), contentsUsPerRow: (med("contentsMs") * 1000) / n,
    drainMs: med("drainMs"), drainUsPerMsg: (med("drainMs") * 1000) / n,
  };
  rows.push(r);
  console.log(`${String(n).padEnd(7)} ${String(r.runs).padStart(4)} ${fmt(r.submitUsPerMsg, 1).padStart(13)}   ${fmt(r.outgoingQueueMs, 1).padStart(10)} (${fmt(r.outgoingQueueUsPerRow, 2)})          ${fmt(r.contentsMs, 1).padStart(10)} (${fmt(r.contentsUsPerRow, 2)})      ${fmt(r.drainMs, 0).padStart(8)} (${fmt(r.drainUsPerMsg, 1)})`);
}
const flat = {};
for (const k of ["submitUsPerMsg", "outgoingQueueUsPerRow", "contentsUsPerRow", "drainUsPerMsg"]) {
  const xs = rows.map((r) => r[k]);
  const spread = Math.max(...xs) / Math.min(...xs);
  flat[k] = { spread, largestOverSmallest: xs[xs.length - 1] / xs[0], met: spread <= 1.3 };
}
console.log(`per-message spread (max/min across N): ${Object.entries(flat).map(([k, v]) => `${k} ${fmt(v.spread)}x`).join(", ")}  (target ≤ 1.30x)`);
emit({
  bench: "scale",
  Ns,
  rows,
  flat,
  target: { what: "per-message cost flat within 30% from 1,000 to 100,000 (outgoingQueue, contents, drain)", met: ["outgoingQueueUsPerRow", "contentsUsPerRow", "drainUsPerMsg"].every((k) => flat[k].met) },
});
