// Opening the store: IndexedDB (else memory, said in a note), the transport of the chosen
// mail server (lib/server.js: the local mail sink, or Cyrus over JMAP), and the service
// worker that keeps mail going after the tab closes (Background Sync).
import { Store, httpTransport, jmapTransport } from "mapi-outbox";
import { $ } from "./dom.js";
import { technical as describe } from "./explain.js";
import { log } from "./feedback.js";
import { params, DB_NAME, UNDO_MS, MAX_MESSAGE, SINK_URL, IDENTITIES } from "./config.js";
import { app } from "./state.js";
import { pickServer } from "./server.js";

/** Registers www/sw.js (module worker): true when a worker will drain the outbox. */
async function registerWorker(jmap) {
  if (params.get("sw") === "0" || !("serviceWorker" in navigator)) return false;
  try {
    const q = new URLSearchParams({ db: DB_NAME, sink: SINK_URL });
    if (jmap) q.set("jmap", "1");
    await navigator.serviceWorker.register(`sw.js?${q}`, { type: "module" });
    return true;
  } catch (err) {
    log(`Service worker not registered: ${describe(err)}`);
    return false;
  }
}

export async function openStore() {
  app.server = await pickServer();
  const jmap = app.server.kind === "jmap" ? app.server.jmap : null;
  if (jmap) {
    // The Cyrus user is the only identity the server sends as.
    IDENTITIES.splice(0, IDENTITIES.length, { email: jmap.email, name: jmap.name ?? "Demo User" });
  }
  const transport = jmap
    ? jmapTransport({ sessionUrl: jmap.sessionUrl, headers: { Authorization: jmap.authorization }, name: "cyrus-jmap" })
    : httpTransport({ url: SINK_URL, name: "mail-sink" });
  const options = {
    name: DB_NAME,
    identity: IDENTITIES[0],
    transports: [transport],
    sendDelayMs: UNDO_MS,
    maxMessageSize: MAX_MESSAGE,
    retry: { initialMs: 1000, maxMs: 30_000 },
  };
  const note = $("backend-note");
  const worker = await registerWorker(!!jmap);
  try {
    app.store = await Store.open({ ...options, backend: "indexeddb", backgroundSync: worker });
    app.backend = "indexeddb";
    const keepsGoing =
      worker && "SyncManager" in window
        ? " Mail keeps going after you close this tab: a service worker sends it (Background Sync)."
        : " This browser sends only while a page of this site is open (no Background Sync).";
    const via = jmap ? ` Sending through the Cyrus JMAP server as ${jmap.email}.` : "";
    note.textContent = `Stored in IndexedDB ("${DB_NAME}"): the outbox survives a reload and is shared by this site's tabs.${keepsGoing}${via}`;
    note.dataset.kind = "info";
  } catch (err) {
    app.store = await Store.open({ ...options, backend: "memory" });
    app.backend = "memory";
    const lost = "so messages live in this page's memory and are lost on reload.";
    note.textContent = globalThis.indexedDB
      ? `Note: IndexedDB could not be opened (${describe(err)}), ${lost}`
      : `Note: this browser gives the page no IndexedDB (a private window?), ${lost}`;
    note.dataset.kind = "warning";
  }
  note.hidden = false;
  document.body.dataset.backend = app.backend;
}

