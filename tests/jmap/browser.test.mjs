// jmapTransport in real headless Chromium: a page whose origin also serves the JMAP endpoint
// (scripts/jmap-proxy.mjs in front of the real Cyrus: it answers no CORS preflight) sends
// from an IndexedDB store through Cyrus to the SMTP relay; a page closed while its send is
// in flight (Cyrus accepted it, the answer never reached the page) is delivered once.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { startStaticServer } from "../../scripts/static-server.mjs";
import { jmapProxy } from "../../scripts/jmap-proxy.mjs";
import { startSmtpRelay } from "../../scripts/smtp-relay.mjs";
import { collectPageErrors, launchChromium } from "../support/browser.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const repo = join(here, "..", "..");
const AUTH = "Basic " + Buffer.from("alice@example.test:alice-pw").toString("base64");

let server;
let browser;
let relay;
let dropNextSubmissionAnswer = false;
let dropped = 0;

before(async () => {
  if (!existsSync(join(repo, "pkg", "mapi_outbox_bg.wasm"))) throw new Error("run `npm run build` first");
  relay = await startSmtpRelay({ port: Number(process.env.CYRUS_SMTP_PORT) || 18025 });
  server = await startStaticServer({
    mounts: { "/": join(repo, "tests", "browser", "page"), "/js/": join(repo, "js"), "/pkg/": join(repo, "pkg") },
    handle: jmapProxy({
      onAnswer: ({ body }) => {
        if (dropNextSubmissionAnswer && body.includes("EmailSubmission/set")) {
          dropNextSubmissionAnswer = false;
          dropped++;
          return "drop";
        }
        return "pass";
      },
    }),
  });
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await server?.close();
  await relay?.close();
});

async function newTab() {
  const page = await browser.context.newPage();
  page.setDefaultTimeout(30_000);
  page.errors = collectPageErrors(page);
  await page.goto(server.url);
  await page.locator("body[data-ready=true]").waitFor({ state: "attached" });
  return page;
}

function openJmapStore(page, db) {
  return page.evaluate(
    async ({ db, auth }) => {
      const transport = mox.jmapTransport({ sessionUrl: "/jmap", headers: { Authorization: auth } });
      window.store = await mox.open(db, {
        spooler: true,
        identity: { email: "alice@example.test" },
        transports: [transport],
        retry: { initialMs: 100, maxMs: 500 },
      });
    },
    { db, auth: AUTH },
  );
}

async function until(what, fn, ms = 20_000) {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const bySubject = (s) => relay.received.filter((r) => r.data.toString("latin1").includes(`Subject: ${s}`));

test("a page on IndexedDB sends through Cyrus (same-origin proxy): each message relayed once", async () => {
  const page = await newTab();
  const db = `jmap-${process.pid}-1`;
  await openJmapStore(page, db);
  const subject = `from chromium ${Date.now()}`;
  await page.evaluate(async (subject) => {
    for (let i = 0; i < 3; i++) {
      const m = mox.draft(window.store, `${subject} ${i}`, { recipients: 2 });
      await m.submit();
    }
  }, subject);
  const result = await page.evaluate(() => window.store.flush());
  const errors = await page.evaluate(async () => (await window.store.outgoingQueue()).map((r) => r.lastError));
  assert.deepEqual(result, { remaining: 0, nextDueAt: null }, `queue errors: ${JSON.stringify(errors)}`);
  for (let i = 0; i < 3; i++) assert.equal(bySubject(`${subject} ${i}`).length, 1);
  const sent = await page.evaluate(async () => (await window.store.contents("sent")).length);
  assert.equal(sent, 3);
  assert.deepEqual(page.errors, []);
  await page.close();
});

test("the page closed while Cyrus had accepted its send: the next page takes it over and it is delivered once", async () => {
  const db = `jmap-${process.pid}-2`;
  const a = await newTab();
  await openJmapStore(a, db);
  const subject = `closed mid-send ${Date.now()}`;
  dropNextSubmissionAnswer = true;
  await a.evaluate(async (subject) => {
    const m = mox.draft(window.store, subject);
    await m.submit();
  }, subject);
  await until("Cyrus to relay it and its answer to be kept from the page", () => bySubject(subject).length === 1 && dropped === 1);
  await a.close();

  const b = await newTab();
  await openJmapStore(b, db);
  await until("the message to be finished by the new page", () =>
    b.evaluate(async () => (await window.store.outgoingQueue()).length === 0 && (await window.store.contents("sent")).length === 1),
  );
  await new Promise((r) => setTimeout(r, 500));
  assert.equal(bySubject(subject).length, 1, "relayed exactly once");
  assert.deepEqual(b.errors, []);
  await b.close();
});
