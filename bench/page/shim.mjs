// Evaluated before Workbox's modules (imported first by bench.mjs). Workbox's ES modules read
// `process.env.NODE_ENV`, which a bundler replaces; "production" is what a production bundle
// has (no logging, no assertions). Workbox's Queue is meant for a service worker and reads
// `self.registration`: in this page it gets one without `sync`, which is Workbox's own path
// for browsers without Background Sync (pushRequest = serialise the request + one IndexedDB
// write; no sync registration).
globalThis.process ??= { env: { NODE_ENV: "production" } };
if (!("registration" in self)) self.registration = {};
