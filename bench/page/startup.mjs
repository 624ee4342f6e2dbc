// Start-up: from the dynamic import of the package to the first Store.open resolving.
// The backend comes from the query string (?backend=memory|indexeddb).
const backend = new URLSearchParams(location.search).get("backend") ?? "memory";
const t0 = performance.now();
const { Store } = await import("mapi-outbox");
const t1 = performance.now();
const store = await Store.open({ backend, name: "startup", spooler: false });
const t2 = performance.now();
const wasm = performance.getEntriesByType("resource").find((e) => e.name.endsWith(".wasm"));
window.startup = {
  backend,
  importMs: t1 - t0,
  openMs: t2 - t1,
  totalMs: t2 - t0,
  sinceNavigationMs: t2,
  wasmFetchMs: wasm ? wasm.responseEnd - wasm.startTime : null,
  wasmBytes: wasm?.encodedBodySize ?? null,
};
await store.close();
document.body.dataset.ready = "true";
