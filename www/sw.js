// The demo's service worker: mail submitted in the page keeps going after the tab closes
// (SPEC §9). The page opens its IndexedDB store with `backgroundSync: true`; every submit
// and every transient failure registers the one-off sync "mapi-outbox", and this worker
// drains the same store when it fires. The .wasm is precached at install, so a cold worker
// starts with no network (init(source), SPEC §2).
//
// Query parameters (set by the page that registers it): db (database name), sink (the
// mail endpoint httpTransport posts to), budget (drainOutbox's timeBudgetMs).
import { init, drainOutbox, httpTransport } from "/js/index.js";

const params = new URL(self.location.href).searchParams;
const DB = params.get("db") || "mapi-outbox-demo";
const SINK = params.get("sink") || "/sink/messages";
const BUDGET = Number(params.get("budget")) > 0 ? Number(params.get("budget")) : undefined;
const WASM = new URL("/pkg/mapi_outbox_bg.wasm", self.location.href).href;
const CACHE = "mapi-outbox-wasm-v1";
const TAG = "mapi-outbox";

self.addEventListener("install", (event) => {
  event.waitUntil(
    caches
      .open(CACHE)
      .then((cache) => cache.add(WASM))
      .then(() => self.skipWaiting()),
  );
});

self.addEventListener("activate", (event) => event.waitUntil(self.clients.claim()));

self.addEventListener("sync", (event) => {
  if (event.tag !== TAG) return;
  event.waitUntil(
    (async () => {
      const cached = await caches.match(WASM);
      await init(cached ?? fetch(WASM));
      // Rejects when due mail could not be sent: the browser retries the sync later.
      await drainOutbox({
        name: DB,
        transports: [httpTransport({ url: SINK })],
        timeBudgetMs: BUDGET,
      });
    })(),
  );
});
