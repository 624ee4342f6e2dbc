// The page side of tests/browser/jsuite.test.mjs: runs one tests/js/*.test.mjs file in
// this page against the IndexedDB backend and reports each test to Node.
//
// Node exposes three functions before the page loads (Chromium, through Playwright), or, with
// ?bridge=http (Firefox and WebKit, driven over plain WebDriver), the same three calls are
// HTTP requests to the test server: GET /__jsuite/config, POST /__jsuite/report and
// POST /__jsuite/done, each with ?file=<the file>:
//   __jsuiteConfig()        -> { file, exclude: { testName: reason }, timeoutMs, prefix }
//   __jsuiteReport(result)  one call per test, in order ({ name, status, error?, reason?, ms })
//   __jsuiteDone(summary)   once at the end ({ declared, afterError, uncaught, cleanup })
//
// Store.open is wrapped: a call whose options carry no `backend` (helpers.openStore,
// openSpoolStore, Store.open() ...) opens { backend: "indexeddb", name: <fresh name> }
// instead, keeping every other option as given, so each store gets its own database, as each
// memory store has its own memory. A call that names a backend, or whose options are not a
// plain object (the bad-input cases), goes through unchanged. A `name` the test gives is
// kept. After the file, every store still open is closed and its databases deleted.
import { Store } from "mapi-outbox";
import { defaultRunner, errorText } from "./shim-test.mjs";

const query = new URLSearchParams(location.search);
if (query.get("bridge") === "http") {
  const file = encodeURIComponent(query.get("file") ?? "");
  const post = (what) => async (body) => {
    await fetch(`/__jsuite/${what}?file=${file}`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
  };
  window.__jsuiteConfig = async () => (await fetch(`/__jsuite/config?file=${file}`)).json();
  window.__jsuiteReport = post("report");
  window.__jsuiteDone = post("done");
}
const config = await window.__jsuiteConfig();
const opened = [];
const databases = new Set(); // every IndexedDB database name a store of this file was opened on
let seq = 0;

const rawOpen = Store.open;
const isPlainObject = (v) =>
  typeof v === "object" && v !== null && !Array.isArray(v) && [Object.prototype, null].includes(Object.getPrototypeOf(v));

Object.defineProperty(Store, "open", {
  value: async function open(...args) {
    let options = args[0];
    if (args.length === 0 || options === undefined) options = {};
    try {
      if (isPlainObject(options) && options.backend === undefined) {
        const name = options.name === undefined ? `${config.prefix}-${++seq}` : options.name;
        options = { ...options, backend: "indexeddb", name };
        args = [options, ...args.slice(1)];
      }
      if (isPlainObject(options) && options.backend === "indexeddb") {
        databases.add(typeof options.name === "string" ? options.name : "mapi-outbox");
      }
    } catch {
      // Hostile options (a revoked Proxy, a throwing trap: hostile.test.mjs) go to the
      // library untouched: answering them is what is under test.
    }
    const store = await rawOpen.apply(this, args);
    opened.push(store);
    return store;
  },
  writable: true,
  configurable: true,
});

// Uncaught errors and unhandled rejections fail the running test (as in node:test); outside
// a test they fail the file.
const uncaught = [];
function onUncaught(err) {
  if (!defaultRunner.reportUncaught(err)) uncaught.push(errorText(err));
}
window.addEventListener("error", (ev) => onUncaught(ev.error ?? new Error(ev.message)));
window.addEventListener("unhandledrejection", (ev) => {
  ev.preventDefault();
  onUncaught(ev.reason);
});
document.addEventListener("securitypolicyviolation", (ev) =>
  uncaught.push(`CSP violation: ${ev.violatedDirective} blocked ${ev.blockedURI}`),
);

let summary = { declared: [], afterError: null };
try {
  await import(`/tests/js/${config.file}`);
  summary = await defaultRunner.run({
    report: (r) => window.__jsuiteReport(r),
    exclude: config.exclude,
    timeoutMs: config.timeoutMs,
  });
} catch (e) {
  uncaught.push(`could not load or run tests/js/${config.file}: ${errorText(e)}`);
}

// Clean up: close what is still open, then delete this file's databases (other pages of the
// same origin run other files at the same time).
const cleanup = [];
for (const store of opened) {
  try {
    await store.close();
  } catch {
    /* closed by the test already */
  }
}
const deleteDb = (name) =>
  new Promise((resolve) => {
    const req = indexedDB.deleteDatabase(name);
    const timer = setTimeout(() => {
      cleanup.push(`deleting database ${name} did not finish within 10 s`);
      resolve();
    }, 10_000);
    req.onsuccess = () => {
      clearTimeout(timer);
      resolve();
    };
    req.onerror = () => {
      clearTimeout(timer);
      cleanup.push(`deleting database ${name} failed: ${req.error}`);
      resolve();
    };
  });
for (const name of databases) await deleteDb(name);

await window.__jsuiteDone({ ...summary, uncaught, cleanup, databases: databases.size });
