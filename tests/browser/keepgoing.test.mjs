// SPEC §5 in a real browser on IndexedDB: going back online sends at once; retryNow and
// sendNow deliver within a couple of seconds. Nothing here needs Background Sync (that is
// tests/browser/service-worker.chromium.test.mjs).
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { startStaticServer } from "../../scripts/static-server.mjs";
import { collectPageErrors, launchChromium } from "../support/browser.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const repo = join(here, "..", "..");

let server;
let browser;
const state = { offline: false, received: [] };
let dbNo = 0;

before(async () => {
  if (!existsSync(join(repo, "pkg", "mapi_outbox_bg.wasm"))) {
    throw new Error("pkg/mapi_outbox_bg.wasm is missing: run `npm run build` first");
  }
  server = await startStaticServer({
    mounts: { "/": join(here, "page"), "/js/": join(repo, "js"), "/pkg/": join(repo, "pkg") },
    handle: async (req, res, path) => {
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
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await server?.close();
});

function reset() {
  Object.assign(state, { offline: false, received: [] });
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

test("back online: messages backing off for 10 minutes go at once (no retryNow call)", async () => {
  reset();
  const db = `online-${process.pid}-${++dbNo}`;
  const page = await newTab();
  await openStore(page, db);
  await browser.context.setOffline(true);
  try {
    await submit(page, 2);
    await until("both attempts to fail offline", () => attempted(page, 2));
  } finally {
    await browser.context.setOffline(false);
  }
  const t0 = Date.now();
  await until("2 deliveries after online", () => state.received.length >= 2, 10_000);
  const took = Date.now() - t0;
  console.log(`# online -> 2 delivered: ${took} ms`);
  assert.ok(took < 5000, `delivered within seconds of going online, took ${took} ms`);
  const left = await page.evaluate(async () => (await window.store.flush()).remaining);
  assert.equal(left, 0);
  assert.deepEqual(page.errors.filter((e) => !/ERR_INTERNET_DISCONNECTED|Failed to fetch|\/sink/.test(e)), []);
  await page.close();
});

test("retryNow and sendNow in a page deliver within a couple of seconds", async () => {
  reset();
  const db = `now-${process.pid}-${++dbNo}`;
  const page = await newTab();
  await openStore(page, db, { sendDelayMs: 600_000 });
  const [later] = await submit(page, 1);
  state.offline = true;
  await page.evaluate(() => window.store.retryNow()); // nothing waits for a retry yet
  const t0 = Date.now();
  await page.evaluate((id) => window.store.sendNow(id), later);
  await until("the send-now attempt", () => attempted(page, 1));
  state.offline = false;
  const t1 = Date.now();
  const n = await page.evaluate(() => window.store.retryNow());
  assert.equal(n, 1);
  await until("the delivery", () => state.received.length >= 1, 10_000);
  console.log(`# sendNow -> attempt: ${t1 - t0} ms; retryNow -> delivered: ${Date.now() - t1} ms`);
  assert.ok(Date.now() - t1 < 3000);
  assert.deepEqual(await page.evaluate(() => window.store.flush()), { remaining: 0, nextDueAt: null });
  await page.close();
});
