// The demo's service worker: mail submitted in the page keeps going after the tab closes
// (SPEC §9). The page opens its IndexedDB store with `backgroundSync: true`; every submit
// and every transient failure registers the one-off sync "mapi-outbox", and this worker
// drains the same store when it fires. The .wasm is precached at install, so a cold worker
// starts with no network (init(source), SPEC §2).
//
// Query parameters (set by the page that registers it): db (database name), sink (the
// mail endpoint httpTransport posts to), budget (drainOutbox's timeBudgetMs), jmap=1 (send
// through the JMAP server described by /jmap-demo.json instead, as the page does).
import { init, drainOutbox, httpTransport, jmapTransport } from "/pkg/browser.js";

const params = new URL(self.location.href).searchParams;
const DB = params.get("db") || "mapi-outbox-demo";
const SINK = params.get("sink") || "/sink/messages";
const BUDGET = Number(params.get("budget")) > 0 ? Number(params.get("budget")) : undefined;
const WASM = new URL("/pkg/mapi_outbox_bg.wasm", self.location.href).href;
const CACHE = "mapi-outbox-wasm-v1";
const TAG = "mapi-outbox";

async function transport() {
  if (params.get("jmap") !== "1") return httpTransport({ url: SINK });
  const c = await (await fetch("/jmap-demo.json", { cache: "no-store" })).json();
  return jmapTransport({ sessionUrl: c.sessionUrl, headers: { Authorization: c.authorization }, name: "cyrus-jmap" });
}

self.addEventListener("install", (event) => {
  event.waitUntil(
    (async () => {
      // Each new worker version caches the .wasm again, from the server, not the HTTP cache:
      // it must match the package's JS that this version imports.
      const res = await fetch(WASM, { cache: "no-store" });
      if (!res.ok) throw new Error(`precaching ${WASM}: HTTP ${res.status}`);
      await (await caches.open(CACHE)).put(WASM, res);
      await self.skipWaiting();
    })(),
  );
});

self.addEventListener("activate", (event) => event.waitUntil(self.clients.claim()));

/** How this start of the worker went: read by tests/browser/service-worker.chromium.test.mjs. */
self.outboxStats = { evaluatedAt: Date.now(), wasmFrom: null, wasmReadyMs: null, drains: [] };

let starting = null;
/** Starts the wasm module once per worker start: from the precache, else the network. */
function start() {
  starting ??= (async () => {
    const t0 = performance.now();
    const cached = await caches.match(WASM);
    let from = "network";
    if (cached) {
      try {
        await init(cached);
        from = "cache";
      } catch (e) {
        console.warn(`mapi-outbox worker: the precached .wasm did not start (${e.message}); fetching it`);
      }
    }
    if (from === "network") await init(fetch(WASM));
    self.outboxStats.wasmFrom = from;
    self.outboxStats.wasmReadyMs = performance.now() - t0;
  })().catch((e) => {
    starting = null; // the next sync tries again
    throw e;
  });
  return starting;
}

self.addEventListener("sync", (event) => {
  if (event.tag !== TAG) return;
  event.waitUntil(
    (async () => {
      await start();
      try {
        // Rejects when due mail could not be sent: the browser retries the sync later.
        const result = await drainOutbox({
          name: DB,
          transports: [await transport()],
          timeBudgetMs: BUDGET,
        });
        self.outboxStats.drains.push({ ok: true, ...result });
      } catch (e) {
        self.outboxStats.drains.push({ ok: false, error: String(e?.message ?? e) });
        throw e;
      }
    })(),
  );
});
