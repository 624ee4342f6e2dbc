// SPEC §9 in real headless Chromium on IndexedDB (Chromium only: Background Sync): mail submitted while the mail
// server is down, in a page that is then closed, is delivered exactly once by the demo's
// service worker (www/sw.js) when the browser's Background Sync retries, starting from the
// precached .wasm while the host refuses the file.
// Chromium's sync retry schedule (5 minutes, 3 attempts) is shortened with its own
// field-trial switches; the worker is stopped over CDP so the retry meets a cold worker.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { startStaticServer, contentSecurityPolicy } from "../../scripts/static-server.mjs";
import { collectPageErrors, launchChromium } from "../support/browser.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const repo = join(here, "..", "..");

// Background Sync's parameters (Chromium's BackgroundSync field trial): retry after 1 s,
// no growth, up to 20 attempts.
const SYNC_FLAGS = [
  "--force-fieldtrials=BackgroundSync/Tests",
  "--force-fieldtrial-params=BackgroundSync.Tests:initial_retry_delay_sec/1/retry_delay_factor/1/max_sync_attempts/20/min_recovery_time_sec/1",
];

let server;
let browser;
const state = { offline: false, refuseWasm: false, wasmRefused: 0, received: [] };
let dbNo = 0;

before(async () => {
  if (!existsSync(join(repo, "pkg", "mapi_outbox_bg.wasm"))) {
    throw new Error("pkg/mapi_outbox_bg.wasm is missing: run `npm run build` first");
  }
  server = await startStaticServer({
    mounts: { "/": join(here, "page"), "/js/": join(repo, "js"), "/pkg/": join(repo, "pkg") },
    handle: async (req, res, path) => {
      if (path === "/sw.js") {
        res.writeHead(200, {
          "content-type": "text/javascript; charset=utf-8",
          "cache-control": "no-store",
          "content-security-policy": contentSecurityPolicy(),
        });
        res.end(readFileSync(join(repo, "www", "sw.js")));
        return true;
      }
      if (path === "/pkg/mapi_outbox_bg.wasm" && state.refuseWasm) {
        state.wasmRefused++;
        res.writeHead(503, { "content-type": "text/plain" }).end("refused by the test");
        return true;
      }
      if (path === "/sink") {
        const chunks = [];
        for await (const c of req) chunks.push(c);
        if (state.offline) {
          res.writeHead(503, { "retry-after": "600", "content-type": "text/plain" }).end("offline");
          return true;
        }
        state.received.push({
          key: req.headers["idempotency-key"],
          possibleDuplicate: req.headers["x-possible-duplicate"],
          at: Date.now(),
        });
        res.writeHead(200, { "content-type": "text/plain" }).end("ok");
        return true;
      }
      return false;
    },
  });
  browser = await launchChromium({ args: SYNC_FLAGS });
});

after(async () => {
  await browser?.close();
  await server?.close();
});

function reset() {
  Object.assign(state, { offline: false, refuseWasm: false, wasmRefused: 0, received: [] });
}

async function newTab() {
  const page = await browser.context.newPage();
  page.setDefaultTimeout(30_000);
  page.errors = collectPageErrors(page);
  await page.goto(server.url);
  await page.locator("body[data-ready=true]").waitFor({ state: "attached" });
  return page;
}

async function until(what, fn, ms = 30_000) {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Opens a spooling store in the page; the long back-off keeps the page itself from retrying. */
function openStore(page, db, extra = {}) {
  return page.evaluate(
    async ({ db, extra }) => {
      window.store = await mox.open(db, {
        spooler: true,
        transports: [mox.httpTransport({ url: "/sink" })],
        retry: { initialMs: 600_000, maxMs: 600_000 },
        ...extra,
      });
    },
    { db, extra },
  );
}

function submit(page, n) {
  return page.evaluate(async (n) => {
    const ids = [];
    for (let i = 0; i < n; i++) {
      const m = mox.draft(window.store, `kept going ${i}`);
      ids.push(m.entryId);
      await m.submit();
      m.free();
    }
    return ids;
  }, n);
}

const attempted = (page, n) =>
  page.evaluate(async (n) => {
    const rows = await window.store.outgoingQueue();
    return rows.length === n && rows.every((r) => r.attempts >= 1);
  }, n);

test("submitted offline in a page that then closes: the worker delivers each message once from the precached .wasm", async () => {
  reset();
  const db = `sw-${process.pid}-${++dbNo}`;
  const page = await newTab();
  await page.evaluate(async (db) => {
    await navigator.serviceWorker.register(`/sw.js?db=${db}&sink=/sink&budget=2000`, { type: "module" });
    await navigator.serviceWorker.ready;
  }, db);
  state.offline = true;
  await openStore(page, db, { backgroundSync: true });
  const ids = await submit(page, 3);
  await until("the page's first attempts to fail", () => attempted(page, 3));
  const tags = await page.evaluate(async () => (await navigator.serviceWorker.ready).sync.getTags());
  assert.ok(Array.isArray(tags));

  // A cold worker, a host that refuses the .wasm, no page.
  state.refuseWasm = true;
  // Stopped from a blank tab the worker does not control, after the page is gone: with the
  // page still open Chromium may keep (or at once restart) the same worker instance, and the
  // cold start below would not be one (seen once in CI).
  const anchor = await browser.context.newPage();
  await page.close();
  const cdp = await browser.context.newCDPSession(anchor);
  await cdp.send("ServiceWorker.enable");
  await cdp.send("ServiceWorker.stopAllWorkers");
  const stoppedAt = Date.now();

  const back = Date.now();
  state.offline = false;
  await until("3 deliveries by the worker", () => state.received.length >= 3, 60_000);
  const took = Math.max(...state.received.map((r) => r.at)) - back;
  console.log(`# server back -> all 3 delivered by the worker's sync: ${took} ms`);
  await new Promise((r) => setTimeout(r, 3000)); // any duplicate would arrive by now
  assert.equal(state.received.length, 3, "each message exactly once");
  assert.equal(new Set(state.received.map((r) => r.key)).size, 3);
  assert.equal(state.wasmRefused, 0, "the cold worker never fetched the .wasm: it came from the cache");
  const worker = browser.context.serviceWorkers().find((w) => new URL(w.url()).pathname === "/sw.js");
  assert.ok(worker, "the worker that sent is running");
  const stats = await worker.evaluate(() => self.outboxStats);
  assert.ok(stats.evaluatedAt >= stoppedAt, "the worker that sent started after the stop: a cold start");
  assert.equal(stats.wasmFrom, "cache");
  assert.ok(stats.drains.some((d) => d.ok), `a drain resolved: ${JSON.stringify(stats.drains)}`);
  console.log(`# cold worker: .wasm ready from Cache Storage in ${stats.wasmReadyMs.toFixed(1)} ms`);

  // Nothing is left in the queue, as a new page sees it.
  state.refuseWasm = false;
  const check = await newTab();
  const left = await check.evaluate(async (db) => {
    const s = await mox.open(db, {});
    const q = (await s.outgoingQueue()).length;
    const sent = (await s.contents("sent")).length;
    await s.close();
    return { q, sent };
  }, db);
  assert.deepEqual(left, { q: 0, sent: ids.length });
  await check.close();
  await anchor.close();
});
