// The test page of tests/browser/: exposes the package (imported by name through the import
// map) as `window.mox` for page.evaluate, plus small helpers the tests share.
import * as mox from "mapi-outbox";

const ME = { email: "me@example.org" };

/** A store on IndexedDB database `name`, recording every event it sees in `store.seen`. */
async function open(name, extra = {}) {
  const store = await mox.Store.open({ backend: "indexeddb", name, identity: ME, spooler: false, ...extra });
  store.seen = [];
  for (const t of ["queuechange", "submitted", "aborted", "versionchange"]) {
    store.addEventListener(t, (e) => store.seen.push({ type: e.type, detail: e.detail }));
  }
  return store;
}

/** A draft with a subject, `n` recipients and a body of `bodyBytes` ASCII bytes. */
function draft(store, subject, { recipients = 1, bodyBytes = 10 } = {}) {
  const m = store.createMessage();
  m.setProps({ PidTagSubject: subject, PidTagBody: "x".repeat(bodyBytes) });
  const rows = [];
  for (let i = 0; i < recipients; i++) rows.push({ PidTagRecipientType: 1, PidTagEmailAddress: `r${i}@example.org` });
  m.modifyRecipients("add", rows);
  return m;
}

/** Settles a promise into { ok, code, message } for returning out of page.evaluate. */
async function outcome(p) {
  try {
    await p;
    return { ok: true };
  } catch (e) {
    return { ok: false, code: e?.codeName ?? e?.name, message: String(e?.message ?? e) };
  }
}

const ids = (rows) => rows.map((r) => r.entryId);

/**
 * SPEC §9 where Background Sync is missing (tests/browser/no-background-sync.test.mjs, run
 * over WebDriver, whose scripts build their objects in another realm: so the scenario lives
 * here): backgroundSync warns once and the store sends as usual through /sink.
 */
async function backgroundSyncCheck() {
  const warnings = [];
  const orig = console.warn;
  console.warn = (...a) => warnings.push(a.join(" "));
  try {
    const name = `nbs-${Math.random().toString(36).slice(2)}`;
    const s1 = await open(name, { spooler: true, backgroundSync: true, transports: [mox.httpTransport({ url: "/sink" })] });
    const s2 = await open(name, { backgroundSync: { tag: "x" } });
    const m = draft(s1, "no sync here");
    await m.submit();
    const r = await s1.flush();
    await s1.close();
    await s2.close();
    return { warnings, r: { remaining: r.remaining, next: r.nextDueAt }, locks: typeof navigator.locks, sync: typeof self.SyncManager };
  } finally {
    console.warn = orig;
  }
}

window.mox = { ...mox, open, draft, outcome, ids, backgroundSyncCheck };
document.body.dataset.ready = "true";
