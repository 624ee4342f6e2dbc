// tests/js/*.test.mjs — the node:test suite of the package, written against the memory
// backend — run again in real headless Chromium against the IndexedDB backend (issue 3: "the
// same tests pass against both").
//
// Each test file is loaded, unchanged, in its own page of one shared browser
// (tests/browser/jsuite/index.html): an import map points "node:assert/strict" at the npm
// package `assert` (Node's assert for the browser), bundled into one ES module by esbuild in
// before() below (tests/support/assert-bundle.mjs: its strict variant, into a temporary
// folder served as /bundle/), "node:test" at a small browser shim (jsuite/shim-test.mjs;
// jsuite-shims.test.mjs checks both against Node's) and "mapi-outbox" at js/index.js.
// jsuite/runner.mjs makes every Store.open without a `backend` open a fresh IndexedDB
// database, runs the file's tests in order and reports each one back; here each becomes its
// own node:test subtest named "[indexeddb] <test name>", under one test per file. Pages run
// a few at a time; each page deletes its databases when its file is done.
//
// Files and tests that cannot run here are listed below, each with its reason.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { startStaticServer } from "../../scripts/static-server.mjs";
import { buildAssertBundle } from "../support/assert-bundle.mjs";
import { launchChromium } from "../support/browser.mjs";
import { launchWebDriver } from "../support/webdriver.mjs";

// BROWSER=firefox or BROWSER=webkit runs the suite in that engine (over WebDriver, one file
// at a time, reporting over HTTP); default Chromium (Playwright, CONCURRENCY pages at once).
const ENGINE = process.env.BROWSER ?? "chromium";
const ENGINE_NAME = { chromium: "Chromium", firefox: "Firefox", webkit: "WebKit" }[ENGINE];
if (!ENGINE_NAME) throw new Error(`BROWSER must be chromium, firefox or webkit, got ${ENGINE}`);

const here = dirname(fileURLToPath(import.meta.url));
const repo = join(here, "..", "..");
const suiteDir = join(repo, "tests", "js");

/** Files that need Node itself: they stay in the Node run only. */
const NODE_ONLY = {
  "http-transport.test.mjs": "its HTTP server is node:http (helpers.startHttpServer), and it checks Node's fetch",
  "spooler-http.test.mjs": "its HTTP server is node:http (helpers.startHttpServer)",
  "init-and-worker.test.mjs":
    "it starts fresh Node processes and checks Node without IndexedDB; the browser side is tests/browser/keepgoing.test.mjs",
  "mime.test.mjs": "it reads the MIME back with mailparser, a Node package (streams, Buffer)",
  "dropped-store.test.mjs": "it starts a Node process with --expose-gc to collect a dropped store",
  "fuzz.test.mjs": "it checks every toMime() with mailparser, a Node package (streams, Buffer)",
};

/**
 * Tests kept out of the browser run, by file and exact test name, each with its reason.
 * Every name must match a test the file declares (a stale entry fails the run).
 * Only two kinds of reasons belong here: the test is about the memory backend or Node by
 * design, or it fails because the LIBRARY is wrong on IndexedDB (then say what the spec
 * wants and what it does, and it is a bug to fix, not a test to change).
 */
const EXCLUDED = {
  "hostile.test.mjs": {
    "a 2 GiB Uint8Array in setProps is MAPI_E_TOO_BIG naming the property, no capacity-overflow panic":
      "Node-only by design: it allocates a 2 GiB buffer, which a browser tab under WebDriver may refuse or be killed for",
    "attachments adding up past the draft limit are refused at attachment saveChanges; the store is not left busy":
      "Node-only by design: it holds 300-400 MB of attachments in one tab",
  },
  "bad-input.test.mjs": {
    // Node-specific by design: in Chromium the indexeddb backend exists, so this opens.
    'Store.open({ backend: "indexeddb" } in Node) rejects MAPI_E_NO_SUPPORT and other stores keep working':
      "Node-only: in a browser IndexedDB exists, so the backend opens instead of MAPI_E_NO_SUPPORT",
  },
  "spooler.test.mjs": {
    // Memory-backend by design: on a shared database another tab may spool, so flush waits.
    "spooler: false keeps registered transports but sends nothing; flush rejects MAPI_E_NO_SUPPORT (memory backend)":
      "memory backend by design: on IndexedDB another tab's spooler may send, so flush() waits for it (docs/DECISIONS.md, spooler across tabs)",
  },
  "store.test.mjs": {
    "two memory stores with the same name do not share data or events":
      "memory backend by design: two IndexedDB stores with the same name are one database (tests/browser/idb.test.mjs checks that sharing)",
  },
};

/** Per-test limit inside the page (node:test has none; a hang must not stall the run). */
const TEST_TIMEOUT_MS = 60_000;
/** Pages running at once. */
const CONCURRENCY = ENGINE === "chromium" ? Number(process.env.JSUITE_CONCURRENCY ?? 4) : 1;

// JSUITE_FILES="store,submit" narrows the run to those files (for working on one).
const only = process.env.JSUITE_FILES?.split(",").map((f) => (f.endsWith(".test.mjs") ? f : `${f}.test.mjs`));
const allFiles = readdirSync(suiteDir)
  .filter((f) => f.endsWith(".test.mjs"))
  .sort();
const files = allFiles.filter((f) => !only || only.includes(f));

let server;
let browser;
let assertBundle;
const runs = new Map(); // file -> { results: AsyncQueue, done: Promise<summary> }

/** An async-iterable queue: push() from the page, iterate in the node:test test. */
class AsyncQueue {
  #items = [];
  #waiting = null;
  #ended = false;
  push(item) {
    this.#items.push(item);
    this.#wake();
  }
  end() {
    this.#ended = true;
    this.#wake();
  }
  #wake() {
    const w = this.#waiting;
    this.#waiting = null;
    w?.();
  }
  async *[Symbol.asyncIterator]() {
    for (;;) {
      if (this.#items.length) yield this.#items.shift();
      else if (this.#ended) return;
      else await new Promise((r) => (this.#waiting = r));
    }
  }
}

/** Per file, while it runs over the HTTP bridge: { results, done(summary) }. */
const bridged = new Map();

function configOf(file) {
  return {
    file,
    exclude: EXCLUDED[file] ?? {},
    timeoutMs: TEST_TIMEOUT_MS,
    prefix: `jsuite-${file.replace(/\.test\.mjs$/, "")}-${process.pid}`,
  };
}

/** The HTTP side of runner.mjs's ?bridge=http. */
async function bridge(req, res, path) {
  if (!path.startsWith("/__jsuite/")) return false;
  const file = new URL(req.url, "http://x").searchParams.get("file");
  const run = bridged.get(file);
  const chunks = [];
  for await (const c of req) chunks.push(c);
  if (!run) {
    res.writeHead(404).end();
    return true;
  }
  const body = chunks.length ? JSON.parse(Buffer.concat(chunks).toString("utf8")) : null;
  if (path === "/__jsuite/config") {
    res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(configOf(file)));
    return true;
  }
  if (path === "/__jsuite/report") run.results.push(body);
  else if (path === "/__jsuite/done") run.done(body);
  res.writeHead(204).end();
  return true;
}

/** One file in Firefox or WebKit: navigate, then wait for the page's report of the end. */
async function runFileOverWebDriver(file, results) {
  let resolveDone;
  const done = new Promise((r) => (resolveDone = r));
  bridged.set(file, { results, done: resolveDone });
  const timer = setTimeout(() => resolveDone({ error: new Error(`no end reported within 15 minutes`) }), 15 * 60_000);
  try {
    await browser.goto(`${server.url}?file=${encodeURIComponent(file)}&bridge=http`);
    const summary = await done;
    return { ...summary, pageErrors: [] };
  } finally {
    clearTimeout(timer);
    results.end();
    bridged.delete(file);
    await browser.goto("about:blank").catch(() => {});
  }
}

async function runFile(file, results) {
  if (ENGINE !== "chromium") return runFileOverWebDriver(file, results);
  const page = await browser.context.newPage();
  // Failed loads fail the file. console.error does not (the suite provokes some on purpose,
  // e.g. a throwing event listener, and Node prints them too); uncaught errors and CSP
  // violations are caught in the page (runner.mjs).
  const pageErrors = [];
  page.on("requestfailed", (req) => pageErrors.push(`request failed: ${req.url()} ${req.failure()?.errorText ?? ""}`));
  page.on("response", (res) => {
    if (res.status() >= 400) pageErrors.push(`HTTP ${res.status()}: ${res.url()}`);
  });
  // JSUITE_CONSOLE=1 prints the page's console (for working on a failure).
  if (process.env.JSUITE_CONSOLE) page.on("console", (m) => process.stderr.write(`[${file}] ${m.type()}: ${m.text()}\n`));
  let resolveDone;
  const done = new Promise((r) => (resolveDone = r));
  page.on("crash", () => resolveDone({ crashed: true }));
  page.on("close", () => resolveDone({ closed: true }));
  try {
    await page.exposeFunction("__jsuiteConfig", () => configOf(file));
    await page.exposeFunction("__jsuiteReport", (r) => results.push(r));
    await page.exposeFunction("__jsuiteDone", (summary) => resolveDone(summary));
    await page.goto(`${server.url}?file=${encodeURIComponent(file)}`);
    const summary = await done;
    return { ...summary, pageErrors };
  } finally {
    results.end();
    await page.close().catch(() => {});
  }
}

before(async () => {
  if (!existsSync(join(repo, "pkg", "mapi_outbox_bg.wasm"))) {
    throw new Error("pkg/mapi_outbox_bg.wasm is missing: run `npm run build` first");
  }
  assertBundle = await buildAssertBundle();
  server = await startStaticServer({
    mounts: {
      "/": join(here, "jsuite"),
      "/bundle/": assertBundle.dir,
      "/tests/js/": suiteDir,
      "/js/": join(repo, "js"),
      "/pkg/": join(repo, "pkg"),
    },
    handle: bridge,
  });
  browser = ENGINE === "chromium" ? await launchChromium() : await launchWebDriver(ENGINE);
  // Start every file now, CONCURRENCY pages at a time; the tests below read the results in order.
  const pending = files.filter((f) => !NODE_ONLY[f]);
  for (const f of pending) {
    let resolve;
    runs.set(f, { results: new AsyncQueue(), done: new Promise((r) => (resolve = r)), resolve });
  }
  const worker = async () => {
    for (let f = pending.shift(); f !== undefined; f = pending.shift()) {
      const run = runs.get(f);
      run.resolve(await runFile(f, run.results).catch((err) => ({ error: err })));
    }
  };
  for (let i = 0; i < CONCURRENCY; i++) worker();
});

after(async () => {
  await browser?.close();
  await server?.close();
  await assertBundle?.close();
});

test("every file named in NODE_ONLY and EXCLUDED exists in tests/js", () => {
  for (const f of [...Object.keys(NODE_ONLY), ...Object.keys(EXCLUDED)]) {
    assert.ok(allFiles.includes(f), `tests/js/${f} does not exist: update the lists in ${import.meta.url}`);
  }
});

for (const file of files) {
  if (NODE_ONLY[file]) {
    test(`tests/js/${file} on IndexedDB`, { skip: `Node-only: ${NODE_ONLY[file]}` }, () => {});
    continue;
  }
  test(`tests/js/${file} on IndexedDB`, async (t) => {
    const run = runs.get(file);
    for await (const r of run.results) {
      const options = r.status === "skip" ? { skip: r.reason ?? true } : r.status === "todo" ? { todo: true } : {};
      await t.test(`[indexeddb] ${r.name}`, options, () => {
        if (r.status === "fail") {
          const err = new Error(`in ${ENGINE_NAME} on IndexedDB:\n${r.error}`);
          err.stack = err.message;
          throw err;
        }
      });
    }
    const summary = await run.done;
    const problems = [];
    if (summary.error) problems.push(`runner: ${summary.error.stack ?? summary.error}`);
    if (summary.crashed) problems.push("the page crashed");
    if (summary.closed) problems.push("the page closed before the file finished");
    if (summary.afterError) problems.push(`the file's after hook failed: ${summary.afterError}`);
    for (const u of summary.uncaught ?? []) problems.push(`outside any test: ${u}`);
    for (const c of summary.cleanup ?? []) problems.push(`cleanup: ${c}`);
    for (const e of summary.pageErrors ?? []) problems.push(`page: ${e}`);
    const declared = new Set(summary.declared ?? []);
    for (const name of Object.keys(EXCLUDED[file] ?? {})) {
      if (!declared.has(name)) problems.push(`EXCLUDED names a test this file does not declare: ${JSON.stringify(name)}`);
    }
    if (declared.size === 0) problems.push("the file declared no tests");
    assert.deepEqual(problems, [], `tests/js/${file} in ${ENGINE_NAME}`);
  });
}
