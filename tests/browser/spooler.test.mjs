// The spooler across tabs on one IndexedDB database, in real headless Chromium: exactly one
// spooler per database, every submit from any tab delivered exactly once, and a send whose
// tab died mid-call delivered again (same submissionId, possibleDuplicate) after its lease.
// The mail sink is a real HTTP server on 127.0.0.1; the pages reach it through a same-origin
// path (the page's CSP allows no other origin), forwarded by Playwright's request routing.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "node:http";
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { startStaticServer } from "../../scripts/static-server.mjs";
import { collectPageErrors, launchChromium } from "../support/browser.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const repo = join(here, "..", "..");

let server;
let browser;
let sink;
let dbNo = 0;

/** The sink: records every POST; `hold(key)` makes requests for that key wait forever. */
function startSink() {
  const received = [];
  const held = new Set();
  const http = createServer((req, res) => {
    const chunks = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", () => {
      const key = req.headers["idempotency-key"];
      received.push({
        key,
        tab: req.headers["x-tab"],
        possibleDuplicate: req.headers["x-possible-duplicate"],
        messageId: req.headers["x-message-id"],
        bytes: Buffer.concat(chunks).length,
      });
      if (held.has(key)) return; // never answers: the sending tab will be closed meanwhile
      res.writeHead(200, { "content-type": "text/plain" }).end("ok");
    });
  });
  return new Promise((resolve) => {
    http.listen(0, "127.0.0.1", () => {
      resolve({
        url: `http://127.0.0.1:${http.address().port}/`,
        received,
        hold: (key) => held.add(key),
        reset: () => {
          received.length = 0;
          held.clear();
        },
        close: () => new Promise((r) => { http.closeAllConnections(); http.close(r); }),
      });
    });
  });
}

before(async () => {
  if (!existsSync(join(repo, "pkg", "mapi_outbox_bg.wasm"))) {
    throw new Error("pkg/mapi_outbox_bg.wasm is missing: run `npm run build` first");
  }
  server = await startStaticServer({
    mounts: { "/": join(here, "page"), "/js/": join(repo, "js"), "/pkg/": join(repo, "pkg") },
  });
  sink = await startSink();
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await server?.close();
  await sink?.close();
});

const freshDb = () => `spooler-test-${process.pid}-${++dbNo}`;

/** A tab on the test page whose store posts to the sink as tab `name`. */
async function newTab(name) {
  const page = await browser.context.newPage();
  page.setDefaultTimeout(30_000);
  page.errors = collectPageErrors(page);
  await page.route("**/sink", async (route) => {
    try {
      const response = await route.fetch({ url: sink.url, timeout: 0 });
      await route.fulfill({ response });
    } catch (e) {
      // the page went away while its request was held
      if (process.env.DEBUG_SINK) console.error("route:", e.message);
    }
  });
  await page.goto(server.url);
  await page.locator("body[data-ready=true]").waitFor({ state: "attached" });
  page.tab = name;
  return page;
}

/** Opens the store in the tab, with an httpTransport to the sink, spooler on. */
function openSpooling(page, db, extra = {}) {
  return page.evaluate(
    async ({ db, tab, extra }) => {
      const transport = mox.httpTransport({ url: "/sink", headers: { "X-Tab": tab } });
      window.store = await mox.open(db, { spooler: true, transports: [transport], ...extra });
      return true;
    },
    { db, tab: page.tab, extra },
  );
}

function submitMany(page, n, prefix) {
  return page.evaluate(
    async ({ n, prefix }) => {
      const ids = [];
      for (let i = 0; i < n; i++) {
        const m = mox.draft(window.store, `${prefix} ${i}`, { recipients: 2 });
        ids.push(m.entryId);
        await m.submit();
        m.free();
      }
      return ids;
    },
    { n, prefix },
  );
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

test("three tabs submitting 50 messages each on one database: one spooler sends each exactly once", async () => {
  sink.reset();
  const db = freshDb();
  const tabs = [await newTab("A"), await newTab("B"), await newTab("C")];
  for (const t of tabs) await openSpooling(t, db);
  const submitted = (await Promise.all(tabs.map((t, i) => submitMany(t, 50, `tab${i}`)))).flat();
  assert.equal(new Set(submitted).size, 150);

  await until("150 deliveries", () => sink.received.length >= 150);
  // Let any duplicate that was going to happen arrive.
  await tabs[0].evaluate(() => window.store.flush());
  const keys = sink.received.map((r) => r.key);
  assert.equal(keys.length, 150, "no message was posted twice");
  assert.equal(new Set(keys).size, 150, "150 distinct submissionIds");
  assert.equal(new Set(sink.received.map((r) => r.tab)).size, 1, "exactly one tab's spooler sent");

  const state = await tabs[1].evaluate(async () => ({
    queued: (await window.store.outgoingQueue()).length,
    sent: (await window.store.contents("sent")).length,
  }));
  assert.deepEqual(state, { queued: 0, sent: 150 });
  for (const t of tabs) {
    assert.deepEqual(t.errors, []);
    await t.close();
  }
});

test("the sending tab closed mid-send: another tab sends it again after the lease, flagged possibleDuplicate, never lost", async () => {
  sink.reset();
  const db = freshDb();
  const a = await newTab("A");
  const b = await newTab("B");
  const lease = { retry: { initialMs: 100, maxMs: 1000, leaseMs: 1500 } };
  await openSpooling(a, db, lease);
  await openSpooling(b, db, lease);
  // Whoever leads sends; hold its request so that the send is in flight when its tab dies.
  const submissionId = await a.evaluate(async () => {
    const m = mox.draft(window.store, "in flight when the tab dies");
    const got = new Promise((r) => window.store.addEventListener("submitted", (e) => r(e.detail.submissionId)));
    await m.submit();
    return got;
  });
  sink.hold(submissionId);
  await until("the first attempt to reach the sink", () => sink.received.length >= 1);
  const first = sink.received[0];
  assert.equal(first.key, submissionId);
  assert.equal(first.possibleDuplicate, "false");
  const [sender, survivor] = first.tab === "A" ? [a, b] : [b, a];

  await sender.close(); // the tab dies with the request unanswered
  sink.reset(); // and the survivor's request will be answered

  await until("the second attempt", () => sink.received.length >= 1, 20_000);
  const second = sink.received[0];
  assert.equal(second.key, submissionId, "the same submission");
  assert.equal(second.messageId, first.messageId, "the same Message-ID");
  assert.match(first.messageId, /^%3C.+%3E$|^<.+>$/);
  assert.equal(second.possibleDuplicate, "true");
  assert.equal(second.tab, survivor.tab);
  const state = await until("the message to be finished", async () => {
    const s = await survivor.evaluate(async () => ({
      queued: (await window.store.outgoingQueue()).length,
      sent: (await window.store.contents("sent")).map((r) => r.PidTagSubject),
    }));
    return s.queued === 0 && s.sent.length === 1 ? s : null;
  });
  assert.deepEqual(state.sent, ["in flight when the tab dies"]);
  assert.equal(sink.received.length, 1, "sent once more, not more");
  assert.deepEqual(survivor.errors, []);
  await survivor.close();
});

test("the sending tab closed mid-send with a 30 s lease: another tab takes it again at once (its sender Web Lock is free), possibleDuplicate", async () => {
  sink.reset();
  const db = freshDb();
  const a = await newTab("A");
  const b = await newTab("B");
  // The default lease (30 s): only the dead holder's Web Lock can make the resend quick.
  const opts = { retry: { initialMs: 100, maxMs: 1000 } };
  await openSpooling(a, db, opts);
  await openSpooling(b, db, opts);
  const submissionId = await a.evaluate(async () => {
    const m = mox.draft(window.store, "taken over at once");
    const got = new Promise((r) => window.store.addEventListener("submitted", (e) => r(e.detail.submissionId)));
    await m.submit();
    return got;
  });
  sink.hold(submissionId);
  await until("the first attempt to reach the sink", () => sink.received.length >= 1);
  const first = sink.received[0];
  const [sender, survivor] = first.tab === "A" ? [a, b] : [b, a];
  const closedAt = Date.now();
  await sender.close();
  sink.reset();
  await until("the resend", () => sink.received.length >= 1, 20_000);
  const took = Date.now() - closedAt;
  console.log(`# tab closed mid-send -> resent by the other tab: ${took} ms (lease 30 s)`);
  assert.ok(took < 8000, `resent within a few seconds, not after the lease (${took} ms)`);
  const second = sink.received[0];
  assert.equal(second.key, submissionId);
  assert.equal(second.possibleDuplicate, "true");
  assert.equal(second.tab, survivor.tab);
  await until("the message to be finished", () =>
    survivor.evaluate(async () => (await window.store.outgoingQueue()).length === 0),
  );
  assert.equal(sink.received.length, 1);
  assert.deepEqual(survivor.errors, []);
  await survivor.close();
});
