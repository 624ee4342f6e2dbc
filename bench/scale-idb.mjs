// Scale on IndexedDB, in headless Chromium: outgoingQueue(), contents("outbox") and the
// spooler's per-message drain cost with 1,000, 10,000 and 100,000 messages queued.
//
//   node bench/scale-idb.mjs [N ...]      (default: 1000 10000; add 100000 by hand, see below)
//
// For each N, a fresh Chromium (fresh profile, so an empty disk cache and database):
// 1. fill: N messages (3 recipients, 2 KB body) submitted into a store with no spooler, 16
//    submits in flight at a time (each is still its own strict readwrite transaction);
// 2. outgoingQueue() and contents("outbox"), REPS calls each, median, divided by N;
// 3. drain: the store is closed and opened again with a spooler and a transport that
//    resolves at once; the per-message drain cost at that queue length is the time from the
//    first delivery to the K-th, divided by K - 1 (K = 200; the rest of the queue is left:
//    the page is thrown away). The time from Store.open to the first delivery (opening,
//    the spooler's leadership, its first look at the queue) is reported beside it.
import { launchChromium } from "../tests/support/browser.mjs";
import { benchServerOnly } from "./server.mjs";
import { chromiumVersion, emit, fmt } from "./lib.mjs";

const args = process.argv.slice(2).map(Number).filter((n) => n > 0);
// 100,000 is not in the default run: filling it (100,000 strict transactions) takes 5 to 10
// minutes here, which alone would exceed the quarter of an hour `npm run bench` is meant to
// take. BENCH_IDB_100K=1 adds it.
const Ns = args.length ? args : process.env.BENCH_IDB_100K ? [1000, 10000, 100000] : [1000, 10000];
const reps = (n) => (n >= 100000 ? 1 : 3);
const drainK = (n) => Math.min(n, 200);

const server = await benchServerOnly();
const rows = [];
try {
  // A discarded warm-up (300 messages) first: the first Chromium of a run is slower.
  for (const n of [-300, ...Ns]) {
    const warmUp = n < 0;
    const browser = await launchChromium();
    try {
      const page = browser.page;
      await page.goto(server.url);
      await page.locator("body[data-ready=true]").waitFor({ state: "attached", timeout: 30_000 });
      page.setDefaultTimeout(0);
      if (process.env.BENCH_DEBUG) page.on("console", (m) => console.error(`[page] ${m.text()}`));
      const r = await page.evaluate(
        async ({ n, k, REPS }) => {
          const { mox } = window.bench;
          const identity = { email: "me@example.org" };
          const body = "x".repeat(2048);
          const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
          let store = await mox.Store.open({ backend: "indexeddb", name: "scale", identity, spooler: false });
          const submit = async (i) => {
            const m = store.createMessage();
            m.setProps({ PidTagSubject: `message ${i}`, PidTagBody: body });
            m.modifyRecipients("add", [
              { PidTagEmailAddress: "a@example.org" },
              { PidTagEmailAddress: "b@example.org", PidTagRecipientType: 2 },
              { PidTagEmailAddress: "c@example.org", PidTagRecipientType: 3 },
            ]);
            await m.submit();
            m.free();
          };
          let t0 = performance.now();
          const IN_FLIGHT = 16;
          for (let i = 0; i < n; i += IN_FLIGHT) {
            await Promise.all(Array.from({ length: Math.min(IN_FLIGHT, n - i) }, (_, j) => submit(i + j)));
          }
          const fillMs = performance.now() - t0;
          console.log(`filled ${n} in ${fillMs.toFixed(0)} ms`);
          const timed = async (fn) => {
            const xs = [];
            let rows = 0;
            for (let r = 0; r < REPS; r++) {
              const t = performance.now();
              rows = (await fn()).length;
              xs.push(performance.now() - t);
            }
            return { ms: median(xs), rows };
          };
          const oq = await timed(() => store.outgoingQueue());
          const ct = await timed(() => store.contents("outbox"));
          await store.close();
          console.log(`listed: ${oq.ms.toFixed(0)} / ${ct.ms.toFixed(0)} ms`);

          let delivered = 0;
          let first = 0;
          let done;
          const reached = new Promise((ok) => (done = ok));
          const transport = {
            name: "instant",
            addressTypes: ["SMTP"],
            send() {
              if (++delivered === 1) first = performance.now();
              if (delivered === k) done(performance.now());
            },
          };
          t0 = performance.now();
          store = await mox.Store.open({ backend: "indexeddb", name: "scale", identity, transports: [transport] });
          const progress = setInterval(() => console.log(`delivered ${delivered} after ${(performance.now() - t0).toFixed(0)} ms`), 2000);
          const t1 = await reached;
          clearInterval(progress);
          // The page (and its spooler) is thrown away with the browser: no need to wait for
          // the rest of the queue.
          return { fillMs, outgoingQueueMs: oq.ms, oqRows: oq.rows, contentsMs: ct.ms, ctRows: ct.rows, firstMs: first - t0, drainMs: t1 - first, drained: k };
        },
        { n: Math.abs(n), k: drainK(Math.abs(n)), REPS: reps(n) },
      );
      if (warmUp) continue;
      if (r.oqRows !== n || r.ctRows !== n) throw new Error(`expected ${n} rows, got ${r.oqRows} / ${r.ctRows}`);
      const row = {
        n,
        fillUsPerMsg: (r.fillMs * 1000) / n,
        outgoingQueueMs: r.outgoingQueueMs,
        outgoingQueueUsPerRow: (r.outgoingQueueMs * 1000) / n,
        contentsMs: r.contentsMs,
        contentsUsPerRow: (r.contentsMs * 1000) / n,
        drained: r.drained,
        openToFirstSendMs: r.firstMs,
        drainMs: r.drainMs,
        drainUsPerMsg: (r.drainMs * 1000) / Math.max(1, r.drained - 1),
      };
      rows.push(row);
      console.error(`[scale-idb] ${n}: ${JSON.stringify(row)}`);
    } finally {
      await browser.close();
    }
  }
} finally {
  await server.close();
}

console.log(`Scale on IndexedDB, ${chromiumVersion()} headless`);
console.log("queued   fill µs/msg   outgoingQueue() ms (µs/row)   contents() ms (µs/row)   drain µs/msg (K)   open → 1st send ms");
for (const r of rows) {
  console.log(`${String(r.n).padEnd(8)} ${fmt(r.fillUsPerMsg, 0).padStart(11)}   ${fmt(r.outgoingQueueMs, 1).padStart(10)} (${fmt(r.outgoingQueueUsPerRow, 2)})          ${fmt(r.contentsMs, 1).padStart(10)} (${fmt(r.contentsUsPerRow, 2)})      ${fmt(r.drainUsPerMsg, 0).padStart(9)} (${r.drained})   ${fmt(r.openToFirstSendMs, 0).padStart(8)}`);
}
const flat = {};
for (const k of ["outgoingQueueUsPerRow", "contentsUsPerRow", "drainUsPerMsg"]) {
  const xs = rows.map((r) => r[k]);
  const spread = Math.max(...xs) / Math.min(...xs);
  flat[k] = { spread, largestOverSmallest: xs[xs.length - 1] / xs[0], met: spread <= 1.3 };
}
console.log(`per-message spread (max/min across N): ${Object.entries(flat).map(([k, v]) => `${k} ${fmt(v.spread)}x`).join(", ")}  (target ≤ 1.30x)`);
emit({
  bench: "scale-idb",
  Ns,
  chromium: chromiumVersion(),
  rows,
  flat,
  // Met over the sizes run (100,000 only with BENCH_IDB_100K=1 or as an argument).
  target: { what: "per-message cost flat within 30% (outgoingQueue, contents, drain), IndexedDB", upTo: Math.max(...Ns), met: Object.values(flat).every((v) => v.met) },
});
