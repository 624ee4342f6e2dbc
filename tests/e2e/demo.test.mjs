// End-to-end tests of the demo page (www/) in headless Chromium, used as a person would:
// scripts/serve.mjs serves the page and its mail sink (scripts/mail-sink.mjs) on a free
// port, with the sink writing into a temporary folder. Any console error, uncaught
// exception, failed request or CSP violation fails a test; the only exception is the
// sink's 503 answers while a test has switched it offline (Chromium logs every non-2xx
// fetch as a console error, and refusing is exactly what the offline switch is for; it also,
// now and then, reports such a POST as aborted after the page has read the whole answer).
// A GET aborted by a reload or a closing tab (the page polls the sink) is not counted
// either (tests/support/browser.mjs).
//
// Each test opens the page on a database of its own (?db=...) so tests do not see each
// other's messages, and a short undo window (?undo=...) where the test does not need 5 s.
// Waits are on DOM states and on the sink's files, never fixed sleeps.
//
// docs/outbox.png comes from scripts/screenshot.mjs (npm run demo:screenshot); the last
// test runs the same scenario.
import { after, afterEach, before, test } from "node:test";
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { simpleParser } from "mailparser";
import { serveDemo } from "../../scripts/serve.mjs";
import { collectPageErrors, launchChromium } from "../support/browser.mjs";
import { stageOutbox, watchRefusals } from "../../scripts/screenshot.mjs";

const repo = join(dirname(fileURLToPath(import.meta.url)), "..", "..");

let server;
let browser;
let page;
let errors;
let sinkDir;
let dbSeq = 0;
let allowOffline503 = false;
let isRefusal = () => false;
const inflight = new Set(); // requests the page has started and not finished
let inflightChanged = () => {};

before(async () => {
  if (!existsSync(join(repo, "pkg", "mapi_outbox_bg.wasm"))) {
    throw new Error("pkg/mapi_outbox_bg.wasm is missing: run `npm run build` first");
  }
  sinkDir = await mkdtemp(join(tmpdir(), "mapi-outbox-e2e-sink-"));
  server = await serveDemo({ port: 0, sinkDir, retryAfterSeconds: 1, log: !!process.env.DEBUG_E2E });
  browser = await launchChromium();
  page = browser.page;
  page.setDefaultTimeout(20_000);
  errors = collectPageErrors(page);
  isRefusal = watchRefusals(page);
  if (process.env.DEBUG_E2E) page.on("requestfailed", (r) => console.log("FAILED", r.method(), r.url(), r.failure()?.errorText, Date.now(), JSON.stringify(r.headers())));
  if (process.env.DEBUG_E2E) page.on("request", (r) => r.method() === "POST" && console.log("REQ", Date.now(), r.headers()["x-message-id"], r.headers()["x-attempt"]));
  if (process.env.DEBUG_E2E) page.on("response", (r) => r.request().method() === "POST" && console.log("RES", Date.now(), r.status(), r.request().headers()["x-message-id"]));
  if (process.env.DEBUG_E2E) page.on("console", (m) => console.log("CONSOLE", m.type(), m.text()));
  page.on("request", (r) => inflight.add(r));
  for (const ev of ["requestfinished", "requestfailed"]) {
    page.on(ev, (r) => {
      inflight.delete(r);
      inflightChanged();
    });
  }
});

after(async () => {
  await browser?.close();
  await server?.close();
  if (sinkDir) await rm(sinkDir, { recursive: true, force: true });
});

afterEach(() => {
  server.sink.setState({ offline: false, delayMs: 0, retryAfterSeconds: 1 });
  allowOffline503 = false;
  errors.length = 0;
});

/** The errors collected so far, less the sink's 503s while the test allows them. */
function pageErrors() {
  return errors.filter((e) => !(allowOffline503 && isRefusal(e)));
}

/**
 * Resolves once the current page has no request in flight: navigating away would abort
 * one (a listing of the sink after a `sent` event, say), which counts as a failed request.
 */
async function quiet() {
  while ([...inflight].some((r) => !r.url().startsWith("data:"))) {
    await new Promise((ok) => (inflightChanged = ok));
  }
}

/** Opens the page on a fresh database; resolves once it is ready. `sw: 0`: no service worker. */
async function openPage({ undo, db, maxsize, autosave, sw } = {}) {
  await quiet();
  const q = new URLSearchParams({ db: db ?? `e2e-${process.pid}-${++dbSeq}` });
  if (sw !== undefined) q.set("sw", String(sw));
  if (undo !== undefined) q.set("undo", String(undo));
  if (maxsize !== undefined) q.set("maxsize", String(maxsize));
  if (autosave !== undefined) q.set("autosave", String(autosave));
  const res = await page.goto(`${server.url}?${q}`);
  assert.equal(res.status(), 200);
  await page.locator("body[data-ready=true]").waitFor();
  return { res, db: q.get("db") };
}

const outboxRow = (subject) => page.locator("#outbox li", { hasText: subject });
const folderRow = (folder, subject) => page.locator(`#${folder} li`, { hasText: subject });
const sinkRecords = (subject) => server.sink.list().filter((r) => r.subject === subject);

async function compose({ to = "", cc = "", bcc = "", subject, body = "", html = "", from, importance, files } = {}) {
  if (from !== undefined) await page.selectOption("#from", { index: from });
  await page.fill("#to", to);
  await page.fill("#cc", cc);
  await page.fill("#bcc", bcc);
  await page.fill("#subject", subject);
  await page.fill("#body", body);
  await page.fill("#html", html);
  if (importance !== undefined) await page.selectOption("#importance", String(importance));
  if (files) await page.setInputFiles("#attach", files);
}

const VIEWPORTS = [
  { name: "1280×900", width: 1280, height: 900 },
  { name: "360 px", width: 360, height: 740 },
];

/** Asserts that the element is shown and its box lies inside the viewport. */
async function assertInView(locator, what) {
  const box = await locator.boundingBox();
  const vp = page.viewportSize();
  assert.ok(box, `${what} is shown`);
  const inside = box.x >= -0.5 && box.y >= -0.5 && box.x + box.width <= vp.width + 0.5 && box.y + box.height <= vp.height + 0.5;
  assert.ok(inside, `${what} is inside the ${vp.width}×${vp.height} viewport: ${JSON.stringify(box)}`);
}

/** Asserts a message is in plain words: no MAPI codes, entry ids or API hints. */
async function assertPlain(locator) {
  const text = await locator.textContent();
  assert.doesNotMatch(text, /MAPI_[EW]_|[0-9a-f]{40,}|force: true|Failed to fetch|https?:\/\//, `plain words: ${text}`);
}

/** On narrow screens the mail server's settings wait behind their summary line: opens them. */
async function openServerPanel(p = page) {
  if (!(await p.locator("#server-panel").evaluate((d) => d.open))) await p.locator("#server-panel > summary").click();
}

/** Scrolls the page so that the Send button sits at the bottom edge of the window. */
async function scrollToSend() {
  await page.evaluate(() => {
    const r = document.getElementById("send").getBoundingClientRect();
    window.scrollBy(0, r.bottom - window.innerHeight + 2);
  });
}

/** Waits until `subject` is in Sent Items (the spooler finished it). */
async function waitSent(subject) {
  await folderRow("sent", subject).waitFor({ state: "attached" });
}

test("the page loads under a strict CSP, starts the package and reaches the mail sink", async () => {
  const { res } = await openPage();
  const csp = res.headers()["content-security-policy"];
  assert.match(csp, /script-src 'self' 'wasm-unsafe-eval'( 'sha256-[A-Za-z0-9+/=]+')*(;|$)/);
  assert.ok(!csp.includes("'unsafe-inline'") && !csp.includes("'unsafe-eval'"), csp);
  assert.equal(await page.locator("body").getAttribute("data-backend"), "indexeddb");
  assert.equal(await page.locator("#backend-note").getAttribute("data-kind"), "info");
  assert.match(await page.locator("#backend-note").textContent(), /Stored in IndexedDB .*survives a reload/, "the page says where messages are kept");
  // By default the demo registers its service worker (www/sw.js) and says that mail keeps
  // going after the tab closes (Chromium has Background Sync).
  assert.match(await page.locator("#backend-note").textContent(), /Mail keeps going after you close this tab/);
  const worker = await page.evaluate(async () => {
    const reg = await navigator.serviceWorker.getRegistration();
    return reg ? (reg.active ?? reg.waiting ?? reg.installing)?.scriptURL ?? "registered" : null;
  });
  assert.match(worker ?? "", /\/sw\.js\?/, "a service worker is registered");
  // The page is ES modules with one job each (www/lib/), all loaded under the CSP.
  const loaded = await page.evaluate(() => performance.getEntriesByType("resource").map((e) => new URL(e.name).pathname));
  const modules = (await readdir(join(repo, "www", "lib"))).filter((f) => f.endsWith(".js"));
  assert.ok(modules.length >= 8, `www/lib/ has the page's modules (${modules.join(", ")})`);
  for (const f of modules) assert.ok(loaded.includes(`/lib/${f}`), `/lib/${f} was loaded`);
  assert.ok(loaded.includes("/vendor/addressparser.js"), "the bundled address parser was loaded");
  assert.equal(await page.locator("#sink-folder").textContent(), sinkDir);
  assert.equal(await page.locator("#offline").isChecked(), false);
  assert.equal(await page.locator("#outbox li").count(), 0);
  assert.deepEqual(pageErrors(), []);
});

test("where IndexedDB is missing the page runs on memory and says so", async () => {
  // A page of its own, in which IndexedDB does not exist (as in some private modes).
  const other = await browser.context.newPage();
  const otherErrors = collectPageErrors(other);
  try {
    await other.addInitScript(() => {
      Object.defineProperty(globalThis, "indexedDB", { value: undefined, configurable: true });
    });
    await other.goto(`${server.url}?db=e2e-no-idb-${process.pid}&undo=0`);
    await other.locator("body[data-ready=true]").waitFor();
    assert.equal(await other.locator("body").getAttribute("data-backend"), "memory");
    const note = other.locator("#backend-note");
    assert.equal(await note.getAttribute("data-kind"), "warning");
    assert.match(await note.textContent(), /no IndexedDB .*memory and are lost on reload/);
    // ... and it still sends.
    const subject = `Sent from memory ${Date.now()}`;
    await other.fill("#to", "alice@example.org");
    await other.fill("#subject", subject);
    await other.click("#send");
    await other.locator("#sent li", { hasText: subject }).waitFor({ state: "attached" });
    assert.equal(sinkRecords(subject).length, 1);
    assert.deepEqual(otherErrors, []);
  } finally {
    await other.close();
  }
});

test("compose with an attachment and send: the sink stores an .eml with the right content and no Bcc header", async () => {
  await openPage({ undo: 500 });
  const subject = `Quarterly report ✓ ${Date.now()}`;
  const bytes = Buffer.from(Array.from({ length: 3000 }, (_, i) => (i * 7 + (i >> 8)) & 0xff));
  await compose({
    from: 1,
    to: "Alice Example <alice@example.org>, bob@example.org",
    cc: "carol@example.org",
    bcc: "Dave Hidden <dave@example.org>",
    subject,
    body: "Hello,\nthe numbers are attached.\n",
    html: "<p>Hello, the <b>numbers</b> are attached.</p>",
    importance: 2,
    files: [{ name: "numbers Q3.bin", mimeType: "application/octet-stream", buffer: bytes }],
  });
  const att = page.locator("#attachments li");
  await att.waitFor();
  assert.match(await att.textContent(), /numbers Q3\.bin\s+2\.9 KB/, "the attachment is listed with its size");

  await page.click("#send");
  await page.locator("#undo-bar:not([hidden])").waitFor();
  assert.equal(await page.locator("#subject").inputValue(), "", "the form is cleared for the next message");
  await waitSent(subject);
  assert.equal(await outboxRow(subject).count(), 0, "no longer in the Outbox");

  const [rec, ...more] = sinkRecords(subject);
  assert.ok(rec, "the sink received it");
  assert.equal(more.length, 0, "exactly once");
  assert.deepEqual(rec.rcptTo.sort(), ["alice@example.org", "bob@example.org", "carol@example.org", "dave@example.org"]);
  assert.equal(rec.mailFrom, "support@example.org");

  const raw = await readFile(join(sinkDir, rec.file));
  assert.doesNotMatch(raw.toString("latin1"), /^bcc:/im, "no Bcc header in the stored message");
  assert.doesNotMatch(raw.toString("latin1"), /dave@example\.org/i, "the Bcc address appears nowhere in it");
  const mail = await simpleParser(raw);
  assert.equal(mail.subject, subject);
  assert.deepEqual(mail.from.value.map((a) => a.address), ["support@example.org"]);
  assert.deepEqual(mail.to.value.map((a) => [a.name, a.address]), [["Alice Example", "alice@example.org"], ["", "bob@example.org"]]);
  assert.deepEqual(mail.cc.value.map((a) => a.address), ["carol@example.org"]);
  assert.equal(mail.bcc, undefined);
  assert.match(raw.toString("latin1"), /^Importance: high\r$/im);
  assert.equal(mail.text.replace(/\r\n/g, "\n"), "Hello,\nthe numbers are attached.\n");
  assert.match(mail.html, /the <b>numbers<\/b> are attached/);
  assert.equal(mail.attachments.length, 1);
  assert.equal(mail.attachments[0].filename, "numbers Q3.bin");
  assert.ok(Buffer.compare(mail.attachments[0].content, bytes) === 0, "the attachment's bytes survive");

  // The page lists what the sink received, and the sent copy opens read-only.
  await page.click("#tab-sink");
  const sinkRow = folderRow("sink", subject);
  await sinkRow.waitFor();
  assert.match(await sinkRow.textContent(), new RegExp(`${rec.file}`));
  await page.click("#tab-sent");
  await folderRow("sent", subject).locator("[data-action=open]").click();
  const viewer = page.locator("#viewer");
  await viewer.waitFor();
  assert.equal(await page.locator("#viewer-subject").textContent(), subject);
  const fields = await page.locator("#viewer-fields").textContent();
  assert.match(fields, /Bcc\s*Dave Hidden <dave@example\.org>/, "the sender still sees the Bcc recipient");
  assert.match(fields, /Importance\s*High/);
  assert.match(await page.locator("#viewer-attachments").textContent(), /numbers Q3\.bin\s*2\.9 KB/);
  await page.keyboard.press("Escape");
  await viewer.waitFor({ state: "hidden" });
  assert.deepEqual(pageErrors(), []);
});

for (const vp of VIEWPORTS) {
  test(`send then Undo: nothing reaches the sink and the message is back in the compose form (${vp.name})`, async () => {
    await page.setViewportSize(vp);
    try {
      await openPage(); // the real 5 s undo window
      const subject = `Undo me ${Date.now()}`;
      await compose({
        to: "Alice <alice@example.org>",
        cc: "carol@example.org",
        bcc: "dave@example.org",
        subject,
        body: "Second thoughts.",
        files: [{ name: "note.txt", mimeType: "text/plain", buffer: Buffer.from("keep me\n") }],
      });
      await page.click("#send");
      const bar = page.locator("#undo-bar");
      await bar.waitFor();
      assert.match(await page.locator("#undo-text").textContent(), /Sending ".*" in \d s/);
      await assertInView(bar, "the undo bar");
      const row = outboxRow(subject);
      await row.waitFor();
      assert.equal(await row.getAttribute("data-state"), "scheduled");
      assert.match(await row.locator(".state").textContent(), /Undo window: sends in \d s/);

      await page.click("#undo-button");
      await row.waitFor({ state: "detached" });
      await bar.waitFor({ state: "hidden" });
      assert.match(await page.locator("#status").textContent(), /Send undone/);
      await assertInView(page.locator("#status"), "the send-undone status");
      assert.equal(await page.locator("#subject").inputValue(), subject);
      assert.equal(await page.locator("#to").inputValue(), "Alice <alice@example.org>");
      assert.equal(await page.locator("#cc").inputValue(), "carol@example.org");
      assert.equal(await page.locator("#bcc").inputValue(), "dave@example.org");
      assert.equal(await page.locator("#body").inputValue(), "Second thoughts.");
      assert.match(await page.locator("#attachments").textContent(), /note\.txt\s+8 B/);
      assert.ok(await page.locator("#subject").evaluate((e) => e === document.activeElement), "focus is in the form");
      await folderRow("drafts", subject).waitFor({ state: "attached" });
      assert.equal(await page.locator("#outbox li").count(), 0, "the Outbox is empty: nothing is left to send");
      assert.deepEqual(sinkRecords(subject), []);

      // Edited and sent again from the form: it goes out once, with the edit.
      await page.fill("#subject", `${subject} (edited)`);
      await page.click("#send");
      await waitSent(`${subject} (edited)`);
      await page.locator("#undo-bar[data-phase=sent]").waitFor();
      assert.equal(sinkRecords(`${subject} (edited)`).length, 1);
      assert.deepEqual(sinkRecords(subject), [], "the undone version never reached the sink");
      assert.equal(await folderRow("drafts", subject).count(), 0, "no stale draft left behind");
      assert.deepEqual(pageErrors(), []);
    } finally {
      await page.setViewportSize({ width: 1280, height: 720 });
    }
  });
}

for (const vp of VIEWPORTS) {
  test(`Undo only while it can work: once a transport has the message the bar stops offering it (${vp.name})`, async () => {
    await page.setViewportSize(vp);
    try {
      await openPage({ undo: 300 });
      server.sink.setState({ delayMs: 600_000 }); // hold the POST until released
      const subject = `Held by the server ${Date.now()}`;
      await compose({ to: "alice@example.org", subject, body: "x" });
      await page.click("#send");
      await page.locator("#outbox li[data-state=sending]", { hasText: subject }).waitFor({ state: "attached" });
      assert.ok(await outboxRow(subject).locator("[data-action=undo]").isHidden(), "no Undo on a message being sent");
      // The store's "sending" event: the bar says it is too late and has no Undo button.
      await page.locator("#undo-bar[data-phase=sending]").waitFor();
      assert.match(await page.locator("#undo-text").textContent(), /Sending ".*" now: too late to undo\./);
      assert.ok(await page.locator("#undo-button").isHidden(), "no Undo button while it is being sent");
      await assertInView(page.locator("#undo-bar"), "the undo bar");
      assert.equal(await page.locator("#subject").inputValue(), "", "the form was not touched");

      server.sink.setState({ delayMs: 0 });
      await waitSent(subject);
      await page.locator("#undo-bar[data-phase=sent]").waitFor();
      assert.equal(sinkRecords(subject).length, 1);
      assert.deepEqual(pageErrors(), []);
    } finally {
      server.sink.setState({ delayMs: 0 });
      await page.setViewportSize({ width: 1280, height: 720 });
    }
  });
}

for (const vp of VIEWPORTS) {
  test(`offline: the Outbox shows the retries; back online the message is delivered once (${vp.name})`, async () => {
    await page.setViewportSize(vp);
    try {
      await openPage({ undo: 0 });
      allowOffline503 = true;
      await openServerPanel();
      await page.locator("#offline").check();
      await page.locator("body[data-offline=true]").waitFor();
      assert.equal(server.sink.state().offline, true, "the switch reached the sink");

      const subject = `Through the outage ${Date.now()}`;
      await compose({ to: "alice@example.org", subject, body: "Eventually." });
      await page.click("#send");
      const retrying = page.locator("#outbox li[data-state=retrying]", { hasText: subject });
      await retrying.waitFor();
      const text = await retrying.locator(".state").textContent();
      assert.match(text, /^Not sent yet: the mail server is busy or offline\. Next try in \d+ s$/, "plain words, no codes");
      assert.match(await retrying.getAttribute("title"), /^Last error: MAPI_E_WAIT: .*503.*offline/, "the whole error is one hover away");
      // The offline indicator: the mail server's switch counts as offline.
      await page.locator("#net[data-state=offline]").waitFor();
      assert.match(await page.locator("#net-banner").textContent(), /mail server is offline: messages wait in the Outbox/);
      await assertInView(page.locator("#net-banner"), "the offline banner");
      // Undo still works between attempts (each attempt locks the row for a moment).
      await retrying.locator("[data-action=undo]").waitFor({ state: "visible" });
      assert.match(await retrying.locator(".why").textContent(), /Attempt \d+ failed: MAPI_E_WAIT: .*503/, "the whole error is in the row's details");
      assert.deepEqual(sinkRecords(subject), [], "the sink refused it");

      await page.locator("#offline").uncheck();
      await page.locator("body[data-offline=false]").waitFor();
      await page.locator("#net[data-state=online]").waitFor();
      assert.ok(await page.locator("#net-banner").isHidden());
      await waitSent(subject);
      const recs = sinkRecords(subject);
      assert.equal(recs.length, 1, "delivered once");
      assert.ok(recs[0].attempt >= 2, `delivered by a retry (attempt ${recs[0].attempt})`);
      assert.equal(recs[0].duplicates, 0);
      await page.locator(".log-pane summary").click();
      assert.match(await page.locator("#log").textContent(), /attempt 1 of ".*" failed: MAPI_E_WAIT/);
      assert.deepEqual(pageErrors(), []);
    } finally {
      await page.setViewportSize({ width: 1280, height: 720 });
    }
  });
}

test("reload during the undo window: the Outbox survives, the message is still undoable, the other one goes out once", async () => {
  const { db } = await openPage({ undo: 8000 });
  assert.equal(await page.locator("body").getAttribute("data-backend"), "indexeddb");
  const stamp = Date.now();
  const goes = `Goes out after a reload ${stamp}`;
  const undone = `Undone after a reload ${stamp}`;
  const bytes = Buffer.from("still attached after a reload\n");
  await compose({ to: "bob@example.org", subject: goes, body: "Out we go." });
  await page.click("#send");
  await outboxRow(goes).waitFor();
  await compose({
    to: "Alice <alice@example.org>",
    bcc: "dave@example.org",
    subject: undone,
    body: "Still here?",
    files: [{ name: "kept.txt", mimeType: "text/plain", buffer: bytes }],
  });
  await page.click("#send");
  await outboxRow(undone).waitFor();

  await quiet();
  await page.reload();
  await page.locator("body[data-ready=true]").waitFor();
  assert.equal(new URL(page.url()).searchParams.get("db"), db);
  const row = outboxRow(undone);
  assert.equal(await row.getAttribute("data-state"), "scheduled", "still in the Outbox after the reload");
  assert.match(await row.locator(".state").textContent(), /Undo window: sends in \d s/);
  assert.equal(await outboxRow(goes).getAttribute("data-state"), "scheduled");
  // The undo bar is back for the newest message in its window.
  assert.ok(await page.locator("#undo-bar").isVisible(), "the undo bar is back");
  assert.match(await page.locator("#undo-text").textContent(), new RegExp(`Sending "${undone}" in \\d s`));
  assert.ok(await page.locator("#undo-button").isVisible());

  await row.locator("[data-action=undo]").click();
  await row.waitFor({ state: "detached" });
  await page.locator("#undo-bar").waitFor({ state: "hidden" });
  assert.match(await page.locator("#status").textContent(), /Send undone/);
  assert.equal(await page.locator("#subject").inputValue(), undone);
  assert.equal(await page.locator("#to").inputValue(), "Alice <alice@example.org>");
  assert.equal(await page.locator("#bcc").inputValue(), "dave@example.org");
  assert.equal(await page.locator("#body").inputValue(), "Still here?");
  assert.match(await page.locator("#attachments").textContent(), /kept\.txt\s+30 B/);

  // The other one is sent by the reloaded page's spooler, once.
  await waitSent(goes);
  assert.equal(sinkRecords(goes).length, 1, "delivered once");
  assert.equal(sinkRecords(goes)[0].attempt, 1);
  assert.deepEqual(sinkRecords(undone), [], "the undone message never reached the sink");

  // One more reload: Sent Items and the draft are still there, the Outbox is empty.
  await quiet();
  await page.reload();
  await page.locator("body[data-ready=true]").waitFor();
  await folderRow("sent", goes).waitFor({ state: "attached" });
  await folderRow("drafts", undone).waitFor({ state: "attached" });
  assert.equal(await page.locator("#outbox li").count(), 0);
  assert.ok(await page.locator("#undo-bar").isHidden(), "no undo bar when nothing is in its window");
  assert.equal(sinkRecords(goes).length, 1, "a reload does not send it again");
  assert.deepEqual(pageErrors(), []);
});

for (const vp of VIEWPORTS) {
  test(`damaged stored copy: submit meets MAPI_E_CORRUPT_DATA, the page rewrites and sends it without an error (${vp.name})`, async () => {
    await page.setViewportSize(vp);
    try {
      await openPage({ undo: 300 });
      const subject = `Rewritten after damage ${Date.now()}`;
      const bytes = Buffer.from("attachment that must survive the rewrite\n");
      await compose({
        to: "alice@example.org",
        subject,
        body: "Recovered.",
        files: [{ name: "kept.txt", mimeType: "text/plain", buffer: bytes }],
      });
      await page.locator(".demo-controls summary").click();
      await page.click("#damage");
      await page.locator("body[data-damaged]").waitFor();
      assert.match(await page.locator("#status").textContent(), /damaged/);
      await assertInView(page.locator("#status"), "the damaged-copy status");
      await assertPlain(page.locator("#status"));
      await folderRow("drafts", subject).waitFor({ state: "attached" });

      await page.click("#send");
      await waitSent(subject);
      assert.ok(await page.locator("#error").isHidden(), "the user was not bothered");
      await page.locator("#undo-bar[data-phase=sent]").waitFor();
      await assertInView(page.locator("#undo-bar"), "the sent message's bar");
      await page.locator(".log-pane summary").click();
      assert.match(await page.locator("#log").textContent(), /MAPI_E_CORRUPT_DATA.*rewrote it and submitted again/);
      const [rec, ...more] = sinkRecords(subject);
      assert.ok(rec && more.length === 0, "delivered once");
      const mail = await simpleParser(await readFile(join(sinkDir, rec.file)));
      assert.equal(mail.text.trim(), "Recovered.");
      assert.ok(Buffer.compare(mail.attachments[0].content, bytes) === 0);
      assert.equal(await folderRow("drafts", subject).count(), 0);
      assert.deepEqual(pageErrors(), []);
    } finally {
      await page.setViewportSize({ width: 1280, height: 720 });
    }
  });
}

for (const vp of VIEWPORTS) {
  test(`a refused recipient gets a readable non-delivery report in the Inbox (${vp.name})`, async () => {
    await page.setViewportSize(vp);
    try {
      await openPage({ undo: 0 });
      const subject = `Partly refused ${Date.now()}`;
      await compose({ to: "alice@example.org, nobody@nowhere.invalid", subject, body: "x" });
      await page.click("#send");
      await waitSent(subject);
      const bar = page.locator("#undo-bar[data-phase=failed]");
      await bar.waitFor();
      assert.match(await page.locator("#undo-text").textContent(), /could not be delivered to every recipient: see the Inbox\./);
      await assertInView(bar, "the undelivered notice");
      const report = folderRow("inbox", `Undeliverable: ${subject}`);
      await report.waitFor({ state: "attached" });
      assert.equal(await page.locator("#count-inbox").textContent(), "1");
      await page.click("#tab-inbox");
      await report.locator("[data-action=open]").click();
      await page.locator("#viewer").waitFor();
      assert.match(await page.locator("#viewer-kind").textContent(), /Non-delivery report/);
      assert.match(await page.locator("#viewer-fields").textContent(), /Failed\s*nobody@nowhere\.invalid/);
      assert.match(await page.locator("#viewer-body").textContent(), /nobody@nowhere\.invalid: 550 5\.1\.2/);
      await page.keyboard.press("Escape");
      assert.deepEqual(sinkRecords(subject)[0].rcptTo.sort(), ["alice@example.org", "nobody@nowhere.invalid"]);
      assert.deepEqual(pageErrors(), []);
    } finally {
      await page.setViewportSize({ width: 1280, height: 720 });
    }
  });
}

for (const vp of VIEWPORTS) {
  test(`bad input is said in view, under its field and in a toast, in plain words; nothing is queued (${vp.name})`, async () => {
    await page.setViewportSize(vp);
    try {
      await openPage({ maxsize: 20_000 });
      // A quoted name with a comma is one address; the second item is not an address.
      await compose({ to: '"Smith, Bob" <bob@example.org>, not an address', subject: "bad recipient" });
      await scrollToSend();
      await page.click("#send");
      const fieldError = page.locator("#to-error");
      await fieldError.waitFor();
      assert.equal(await fieldError.textContent(), '"not an address" is not an email address (name@example.org, or Name <name@example.org>).');
      assert.equal(await page.locator("#to").getAttribute("aria-invalid"), "true");
      await assertInView(fieldError, "the To field's error");
      const toast = page.locator("#error");
      await toast.waitFor();
      await assertInView(toast, "the error toast");
      await assertPlain(page.locator("#error-text"));
      assert.equal(await page.locator("#outbox li").count(), 0);
      assert.equal(await page.locator("#to").inputValue(), '"Smith, Bob" <bob@example.org>, not an address');
      // Fixed as it is typed: the error goes.
      await page.fill("#to", '"Smith, Bob" <bob@example.org>');
      await fieldError.waitFor({ state: "hidden" });

      await compose({ to: "", subject: "nobody" });
      await scrollToSend();
      await page.click("#send");
      await page.locator("#to-error", { hasText: "Add at least one recipient" }).waitFor();
      await assertInView(page.locator("#to-error"), "the empty-To error");
      await assertInView(page.locator("#error"), "the error toast");
      await assertPlain(page.locator("#error-text"));
      assert.equal(await page.locator("#outbox li").count(), 0);

      // A file over the size limit (?maxsize=20000) is refused when it is attached.
      await page.setInputFiles("#attach", [{ name: "big.bin", mimeType: "application/octet-stream", buffer: Buffer.alloc(30_000, 1) }]);
      const attachError = page.locator("#attach-error");
      await attachError.waitFor();
      assert.match(await attachError.textContent(), /^"big\.bin" \(29 KB\) is too big to attach: a message can be at most 20 KB/);
      await assertInView(attachError, "the attachment error");
      assert.equal(await page.locator("#attachments li").count(), 0, "not attached");
      await page.setInputFiles("#attach", [{ name: "small.txt", mimeType: "text/plain", buffer: Buffer.from("fits\n") }]);
      await attachError.waitFor({ state: "hidden" });
      assert.match(await page.locator("#attachments").textContent(), /small\.txt/);
      assert.deepEqual(pageErrors(), []);
    } finally {
      await page.setViewportSize({ width: 1280, height: 720 });
    }
  });
}

test('a quoted display name with a comma ("Smith, Bob" <bob@example.org>) is one recipient, and goes out as one', async () => {
  await openPage({ undo: 0 });
  const subject = `Quoted name ${Date.now()}`;
  await compose({ to: '"Smith, Bob" <bob@example.org>; alice@example.org', cc: "Team: carol@example.org, dave@example.org;", subject, body: "x" });
  await page.click("#send");
  await waitSent(subject);
  const [rec] = sinkRecords(subject);
  assert.deepEqual(rec.rcptTo.sort(), ["alice@example.org", "bob@example.org", "carol@example.org", "dave@example.org"]);
  const mail = await simpleParser(await readFile(join(sinkDir, rec.file)));
  assert.deepEqual(mail.to.value.map((a) => [a.name, a.address]), [["Smith, Bob", "bob@example.org"], ["", "alice@example.org"]]);
  // Sent Items shows Cc too.
  assert.match(await folderRow("sent", subject).locator(".meta").textContent(), /To .*Smith, Bob.* · Cc .*carol@example\.org/);
  assert.deepEqual(pageErrors(), []);
});

test("keyboard and a narrow window: tabs move with the arrow keys, Ctrl+Enter sends, nothing scrolls sideways", async () => {
  await page.setViewportSize({ width: 360, height: 740 });
  try {
    await openPage({ undo: 60_000 });
    await page.focus("#tab-outbox");
    await page.keyboard.press("ArrowRight");
    assert.equal(await page.evaluate(() => document.activeElement.id), "tab-drafts");
    assert.equal(await page.locator("#tab-drafts").getAttribute("aria-selected"), "true");
    assert.ok(await page.locator("#panel-drafts").isVisible());
    await page.keyboard.press("End");
    assert.equal(await page.evaluate(() => document.activeElement.id), "tab-sink");
    await page.keyboard.press("Home");
    assert.equal(await page.evaluate(() => document.activeElement.id), "tab-outbox");

    const subject = `Keyboard ${Date.now()}`;
    await page.focus("#to");
    await page.keyboard.type("alice@example.org");
    await page.keyboard.press("Tab"); // Cc
    await page.keyboard.press("Tab"); // Bcc
    await page.keyboard.press("Tab"); // Subject
    await page.keyboard.type(subject);
    await page.keyboard.press("Control+Enter");
    const row = outboxRow(subject);
    await row.waitFor();
    await row.locator("[data-action=undo]").focus();
    await page.keyboard.press("Enter");
    await row.waitFor({ state: "detached" });
    assert.equal(await page.locator("#subject").inputValue(), subject);

    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 0, `no horizontal scrolling at 360 px (overflow ${overflow} px)`);
    assert.deepEqual(pageErrors(), []);
  } finally {
    await page.setViewportSize({ width: 1280, height: 720 });
  }
});

test("screenshot: the Outbox with messages in several states (the scenario of scripts/screenshot.mjs)", async () => {
  await page.setViewportSize({ width: 1280, height: 900 });
  await openPage({ undo: 2500 });
  allowOffline503 = true;
  let staged;
  try {
    staged = await stageOutbox(page, server.sink);
    assert.deepEqual(staged.states, ["sending", "retrying", "scheduled", "scheduled"]);
    const { held, refused, later, fresh, sent } = staged.subjects;
    assert.match(await outboxRow(held).locator(".state").textContent(), /^Sending…$/);
    assert.match(await outboxRow(refused).locator(".state").textContent(), /^Not sent yet: the mail server is busy or offline\. Next try in (2 min|1[01][0-9] s)$/);
    assert.match(await outboxRow(later).locator(".state").textContent(), /^Scheduled for .* \(in \d+ h\)$/);
    assert.match(await outboxRow(fresh).locator(".state").textContent(), /^Undo window: sends in \d s$/);
    assert.equal(await page.locator("#count-sent").textContent(), "1");
    assert.equal(await page.locator("#count-inbox").textContent(), "1");
    assert.deepEqual(sinkRecords(sent).map((r) => r.failed.map((f) => f.email)), [["old-address@example.invalid"]]);
    const png = await page.screenshot();
    assert.equal(png.subarray(1, 4).toString(), "PNG");

    // Let the held message through; the refused one is undone between its attempts.
    staged.release();
    await waitSent(held);
    await outboxRow(refused).locator("[data-action=undo]").click();
    await outboxRow(refused).waitFor({ state: "detached" });
    assert.equal(sinkRecords(held).length, 1);
    assert.deepEqual(sinkRecords(refused), []);
    assert.deepEqual(pageErrors(), []);
  } finally {
    staged?.release();
    server.sink.setState({ offline: false, delayMs: 0, retryAfterSeconds: 1 });
    await page.setViewportSize({ width: 1280, height: 720 });
  }
});

for (const vp of VIEWPORTS) {
  test(`Send now: a message in a long undo window goes at once from its Outbox row (${vp.name})`, async () => {
    await page.setViewportSize(vp);
    try {
      await openPage({ undo: 60_000 });
      const subject = `send now ${Date.now()}`;
      await compose({ to: "now@example.org", subject, body: "no waiting" });
      await page.click("#send");
      const row = outboxRow(subject);
      await row.waitFor();
      const button = row.locator("[data-action=send-now]");
      await button.waitFor({ state: "visible" });
      assert.equal(await row.locator("[data-action=retry-now]").isVisible(), false, "nothing to retry yet");
      const t0 = Date.now();
      await button.click();
      await page.locator("#status", { hasText: "Sending now." }).waitFor();
      await assertInView(page.locator("#status"), "the Send now status");
      await waitSent(subject);
      assert.ok(Date.now() - t0 < 5000, "sent within seconds, not after the minute");
      assert.equal(sinkRecords(subject).length, 1);
      assert.deepEqual(pageErrors(), []);
    } finally {
      await page.setViewportSize({ width: 1280, height: 720 });
    }
  });
}

for (const vp of VIEWPORTS) {
  test(`Retry now: a message backing off after the server was down goes as soon as it is clicked (${vp.name})`, async () => {
    await page.setViewportSize(vp);
    try {
      await openPage({ undo: 0 });
      server.sink.setState({ offline: true, retryAfterSeconds: 600 });
      allowOffline503 = true;
      const subject = `retry now ${Date.now()}`;
      await compose({ to: "retry@example.org", subject, body: "after the outage" });
      await page.click("#send");
      const row = outboxRow(subject);
      await row.locator("[data-action=retry-now]").waitFor({ state: "visible" });
      assert.equal(await row.locator("[data-action=send-now]").isVisible(), false);
      server.sink.setState({ offline: false });
      assert.match(await row.locator(".state").textContent(), /^Not sent yet: the mail server is busy or offline\. Next try in/);
      await row.locator("[data-action=retry-now]").click();
      await page.locator("#status", { hasText: "Retrying now." }).waitFor();
      await assertInView(page.locator("#status"), "the Retry now status");
      await waitSent(subject);
      assert.equal(sinkRecords(subject).length, 1);
      assert.deepEqual(pageErrors(), []);
    } finally {
      await page.setViewportSize({ width: 1280, height: 720 });
    }
  });
}

for (const vp of VIEWPORTS) {
  test(`autosave: typed work is saved as a draft by itself and is back in the form after a reload (${vp.name})`, async () => {
    await page.setViewportSize(vp);
    try {
      const { db } = await openPage();
      const subject = `Autosaved ${Date.now()}`;
      await compose({ to: '"Smith, Bob" <bob@example.org>', cc: "carol@example.org", subject, body: "Half written…" });
      await page.locator("#compose-state", { hasText: /^saved$/ }).waitFor();
      assert.equal(await page.locator("#compose-title").textContent(), "Draft saved", "one word for the state, not 'Draft (draft, saved)'");
      await folderRow("drafts", subject).waitFor({ state: "attached" });
      assert.match(await folderRow("drafts", subject).locator(".meta").textContent(), /To Smith, Bob · Cc carol@example\.org/);

      await quiet();
      await page.reload();
      await page.locator("body[data-ready=true]").waitFor();
      assert.equal(new URL(page.url()).searchParams.get("db"), db);
      assert.equal(await page.locator("#subject").inputValue(), subject);
      assert.equal(await page.locator("#to").inputValue(), '"Smith, Bob" <bob@example.org>');
      assert.equal(await page.locator("#body").inputValue(), "Half written…");
      const status = page.locator("#status");
      assert.match(await status.textContent(), /Your draft ".*" is back/);
      await assertInView(status, "the restored-draft status");

      // Sent: nothing is restored after the next reload.
      await page.click("#send");
      await waitSent(subject);
      await quiet();
      await page.reload();
      await page.locator("body[data-ready=true]").waitFor();
      assert.equal(await page.locator("#subject").inputValue(), "");
      assert.deepEqual(pageErrors(), []);
    } finally {
      await page.setViewportSize({ width: 1280, height: 720 });
    }
  });

  test(`two tabs edit one draft: a clear choice, load their copy or keep mine (${vp.name})`, async () => {
    await page.setViewportSize(vp);
    const other = await browser.context.newPage();
    const otherErrors = collectPageErrors(other);
    try {
      const { db } = await openPage({ autosave: 60_000 });
      const subject = `Shared draft ${Date.now()}`;
      await compose({ to: "alice@example.org", subject, body: "first" });
      await page.click("#save");
      await page.locator("#compose-state", { hasText: /^saved$/ }).waitFor();
      // The second tab opens the same draft (it is the one being edited on this site).
      await other.setViewportSize(vp);
      await other.goto(`${server.url}?db=${db}&autosave=60000`);
      await other.locator("body[data-ready=true]").waitFor();
      assert.equal(await other.locator("#subject").inputValue(), subject);
      // The other tab saves first ...
      await other.fill("#body", "theirs");
      await other.click("#save");
      await other.locator("#compose-state", { hasText: /^saved$/ }).waitFor();
      // ... so this tab's save meets MAPI_E_OBJECT_CHANGED: a choice, in view, in plain words.
      await page.fill("#body", "mine");
      await scrollToSend();
      await page.click("#save");
      const toast = page.locator("#error");
      await toast.locator("[data-action=load-theirs]").waitFor();
      await assertInView(toast, "the conflict choice");
      assert.match(await page.locator("#error-text").textContent(), /Another tab saved this draft/);
      await assertPlain(page.locator("#error-text"));
      assert.equal(await page.locator("#compose-state").textContent(), "changed in another tab");
      await toast.locator("[data-action=load-theirs]").click();
      await page.locator("#status", { hasText: "Loaded the copy saved in the other tab" }).waitFor();
      assert.equal(await page.locator("#body").inputValue(), "theirs");

      // Now the other tab is behind: it keeps its own version (saveChanges({ force: true })).
      await page.fill("#body", "mine after all");
      await page.click("#save");
      await page.locator("#compose-state", { hasText: /^saved$/ }).waitFor();
      await other.fill("#body", "theirs, kept");
      await other.click("#save");
      await other.locator("#error [data-action=keep-mine]").click();
      await other.locator("#status", { hasText: "Saved your version" }).waitFor();
      await other.locator("#compose-state", { hasText: /^saved$/ }).waitFor();
      // What is stored is the other tab's version.
      await quiet();
      await page.reload();
      await page.locator("body[data-ready=true]").waitFor();
      assert.equal(await page.locator("#body").inputValue(), "theirs, kept");
      assert.deepEqual(pageErrors(), []);
      assert.deepEqual(otherErrors, []);
    } finally {
      await other.close();
      await page.setViewportSize({ width: 1280, height: 720 });
    }
  });

  test(`the undo bar and the toasts never cover Send, Save draft or New message (${vp.name})`, async () => {
    await page.setViewportSize(vp);
    try {
      await openPage({ undo: 60_000 });
      const subject = `Covered? ${Date.now()} ${"a long subject that wraps the undo bar onto more lines ".repeat(3)}`;
      await compose({ to: "alice@example.org", subject, body: "x" });
      await page.click("#send");
      await page.locator("#undo-bar:not([hidden])").waitFor();
      await page.locator("#undo-bar").evaluate((bar) => bar.scrollHeight); // laid out
      // And an error toast at the same time (a bad address, sent).
      await compose({ to: "not an address", subject: "second" });
      await page.click("#send");
      await page.locator("#error").waitFor();
      const docHeight = await page.evaluate(() => document.documentElement.scrollHeight);
      for (let y = 0; y <= docHeight; y += Math.round(vp.height / 3)) {
        await page.evaluate((top) => window.scrollTo(0, top), y);
        const dock = await page.locator("#dock").boundingBox();
        for (const id of ["send", "save", "new"]) {
          const b = await page.locator(`#${id}`).boundingBox();
          const overlap = b.y < dock.y + dock.height && b.y + b.height > dock.y && b.x < dock.x + dock.width && b.x + b.width > dock.x;
          assert.ok(!overlap, `#${id} ${JSON.stringify(b)} is not under the dock ${JSON.stringify(dock)} at scroll ${y}`);
        }
      }
      await assertInView(page.locator("#undo-bar"), "the undo bar");
      await assertInView(page.locator("#error"), "the error toast");
      assert.deepEqual(pageErrors(), []);
    } finally {
      await page.setViewportSize({ width: 1280, height: 720 });
    }
  });

  test(`offline: the page says so when the browser goes offline, and when it is back (${vp.name})`, async () => {
    await page.setViewportSize(vp);
    try {
      await openPage();
      await page.evaluate(() => window.scrollTo(0, document.documentElement.scrollHeight));
      await quiet();
      await browser.context.setOffline(true);
      const banner = page.locator("#net-banner");
      await banner.waitFor();
      assert.match(await banner.textContent(), /^You are offline: messages wait in the Outbox/);
      await assertInView(banner, "the offline banner");
      assert.equal(await page.locator("#net").getAttribute("data-state"), "offline");
      await browser.context.setOffline(false);
      await banner.waitFor({ state: "hidden" });
      await page.locator("#net[data-state=online]").waitFor();
      assert.deepEqual(pageErrors(), []);
    } finally {
      await browser.context.setOffline(false);
      await page.setViewportSize({ width: 1280, height: 720 });
    }
  });
}

for (const vp of VIEWPORTS) {
  test(`?undo= takes up to 10 minutes and says when a value is out of range (${vp.name})`, async () => {
    await page.setViewportSize(vp);
    try {
      await openPage({ undo: 120_000 });
      assert.equal(await page.locator("#undo-words").textContent(), "a 2-minute undo window");
      const subject = `Two minutes ${Date.now()}`;
      await compose({ to: "alice@example.org", subject });
      await page.click("#send");
      await outboxRow(subject).waitFor();
      assert.match(await outboxRow(subject).locator(".state").textContent(), /^Undo window: sends in (2 min|1[01][0-9] s)$/);
      await outboxRow(subject).locator("[data-action=undo]").click();
      await outboxRow(subject).waitFor({ state: "detached" });

      await openPage({ undo: 9_999_999 });
      const toast = page.locator("#error");
      await toast.waitFor();
      assert.match(await page.locator("#error-text").textContent(), /\?undo=9999999\) must be .* from 0 to 600000: using 5-second/);
      await assertInView(toast, "the ?undo= warning");
      assert.equal(await page.locator("#undo-words").textContent(), "a 5-second undo window");
      assert.deepEqual(pageErrors(), []);
    } finally {
      await page.setViewportSize({ width: 1280, height: 720 });
    }
  });
}

test("dark mode: the Send button's text has enough contrast (WCAG AA, 4.5:1)", async () => {
  await page.emulateMedia({ colorScheme: "dark" });
  try {
    await openPage();
    const ratio = await page.locator("#send").evaluate((b) => {
      const rgb = (c) => c.match(/[\d.]+/g).slice(0, 3).map(Number);
      const lum = ([r, g, b]) => {
        const f = (v) => ((v /= 255) <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4);
        return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
      };
      const cs = getComputedStyle(b);
      const [l1, l2] = [lum(rgb(cs.color)), lum(rgb(cs.backgroundColor))].sort((x, y) => y - x);
      return (l1 + 0.05) / (l2 + 0.05);
    });
    assert.ok(ratio >= 4.5, `contrast ${ratio.toFixed(2)}:1`);
    assert.deepEqual(pageErrors(), []);
  } finally {
    await page.emulateMedia({ colorScheme: "light" });
  }
});

for (const vp of VIEWPORTS) {
  test(`the mail server choice: without Cyrus the page sends to the local sink and says why Cyrus cannot be chosen (${vp.name})`, async () => {
    await page.setViewportSize(vp);
    try {
      await openPage();
      // Wide: the settings are open; 360 px: a summary line that opens them.
      const panel = page.locator("#server-panel");
      assert.equal(await panel.evaluate((d) => d.open), vp.width > 600, "open on wide screens only");
      if (vp.width <= 600) {
        const summary = panel.locator("summary");
        assert.equal(await summary.textContent(), "Mail server: local mail sink");
        await assertInView(summary, "the mail server's summary line");
        await summary.click();
      }
      const choice = page.locator("#server-choice");
      assert.match(await choice.locator("legend").textContent(), /Send through/);
      assert.equal(await page.locator("#server-sink").isChecked(), true, "the local sink is the choice");
      assert.equal(await page.locator("#server-jmap").isDisabled(), true, "Cyrus cannot be chosen");
      assert.equal(await page.locator("#server-jmap").isChecked(), false);
      const why = page.locator("#server-jmap-why");
      assert.equal(
        await why.textContent(),
        "Not available: the Cyrus mail server is not running. Start the demo with JMAP=1 npm start to send through it.",
      );
      assert.equal(await page.locator("#server-jmap").getAttribute("aria-describedby"), "server-jmap-why", "the reason is the choice's description");
      await page.evaluate(() => window.scrollTo(0, 0));
      await assertInView(page.locator('label:has(#server-jmap)'), "the disabled Cyrus choice");
      await assertInView(why, "the reason Cyrus cannot be chosen");
      await assertPlain(why);
      assert.equal(await page.locator("body").getAttribute("data-server"), "sink");
      assert.match(await page.locator("#lede-server").textContent(), /local mail sink/);
      // The sink's switches work in this mode.
      assert.equal(await page.locator("#offline").isDisabled(), false);
      assert.ok(await page.locator("#switches-why").isHidden());
      assert.deepEqual(pageErrors(), []);
    } finally {
      await page.setViewportSize({ width: 1280, height: 720 });
    }
  });
}

test("the mail server choice with a JMAP server offered: switching keeps the typed draft, and the chosen server gets the mail", async () => {
  // A second demo server that offers a JMAP server (as `JMAP=1 npm start` does). Nothing
  // listens on the target port: this test switches servers and sends through the sink only;
  // tests/jmap/demo.test.mjs sends through a real Cyrus.
  const other = await serveDemo({
    port: 0,
    sinkDir: await mkdtemp(join(tmpdir(), "mapi-outbox-e2e-sink2-")),
    retryAfterSeconds: 1,
    jmap: { target: "http://127.0.0.1:18699", email: "alice@example.test", password: "alice-pw" },
  });
  try {
    await quiet();
    const db = `e2e-server-${process.pid}`;
    await page.goto(`${other.url}?db=${db}&undo=0&autosave=60000`);
    await page.locator("body[data-ready=true]").waitFor();
    assert.equal(await page.locator("body").getAttribute("data-server"), "jmap", "Cyrus is the choice when it is offered");
    assert.equal(await page.locator("#server-jmap").isChecked(), true);
    assert.equal(await page.locator("#server-jmap").isEnabled(), true);
    assert.equal(await page.locator("#server-jmap-why").textContent(), "Sends as alice@example.test through the project's Cyrus mail server.");
    assert.match(await page.locator("#backend-note").textContent(), /Sending through the Cyrus JMAP server as alice@example\.test/);
    assert.match(await page.locator("#lede-server").textContent(), /Cyrus mail server over JMAP/);
    assert.match(await page.locator("#from option").first().textContent(), /alice@example\.test/, "From is the Cyrus user");
    assert.equal(await page.locator("#offline").isDisabled(), true, "the sink's switches do nothing here");
    assert.match(await page.locator("#switches-why").textContent(), /local mail sink only/);

    // An address that is not one cannot be kept in a draft: the page stays, and says why.
    await page.fill("#to", "not an address");
    await page.locator("#server-sink").click();
    await page.locator("#error-text", { hasText: "Fix the marked address first" }).waitFor();
    assert.equal(await page.locator("#server-jmap").isChecked(), true, "the choice is back on Cyrus");
    assert.equal(new URL(page.url()).searchParams.get("server"), null, "the page did not reload");
    await assertInView(page.locator("#error"), "why the page did not switch");
    await assertInView(page.locator("#to-error"), "the marked address");
    await assertPlain(page.locator("#error-text"));

    // Typed, not saved yet (autosave in a minute), then the local sink is picked.
    const subject = `Switched servers ${Date.now()}`;
    await compose({ to: '"Smith, Bob" <bob@example.org>', subject, body: "typed before the switch" });
    await quiet();
    await page.locator("#server-sink").check();
    await page.waitForURL((u) => u.searchParams.get("server") === "sink");
    await page.locator("body[data-ready=true][data-server=sink]").waitFor();
    assert.equal(await page.locator("#server-sink").isChecked(), true);
    assert.equal(await page.locator("#server-jmap").isEnabled(), true, "Cyrus can be picked again");
    assert.equal(await page.locator("#subject").inputValue(), subject, "the typed message was saved and is back");
    assert.equal(await page.locator("#body").inputValue(), "typed before the switch");
    assert.match(await page.locator("#from option").first().textContent(), /me@example\.org/);
    await page.click("#send");
    await page.locator("#sent li", { hasText: subject }).waitFor({ state: "attached" });
    const got = other.sink.list().filter((r) => r.subject === subject);
    assert.equal(got.length, 1, "the sink got it once");
    assert.deepEqual(got[0].rcptTo, ["bob@example.org"]);
    assert.equal(sinkRecords(subject).length, 0, "not the other server's sink");

    // The choice is remembered: a plain reload (no ?server=) stays on the sink ...
    await quiet();
    await page.goto(`${other.url}?db=${db}&undo=0`);
    await page.locator("body[data-ready=true]").waitFor();
    assert.equal(await page.locator("body").getAttribute("data-server"), "sink");
    // ... and Cyrus is one click away.
    await quiet();
    await page.locator("#server-jmap").check();
    await page.locator("body[data-ready=true][data-server=jmap]").waitFor();
    assert.equal(await page.locator("#server-jmap").isChecked(), true);
    assert.deepEqual(pageErrors(), []);
  } finally {
    await quiet();
    await page.goto("about:blank");
    await other.close();
    await rm(other.sink.dir, { recursive: true, force: true });
  }
});

for (const vp of VIEWPORTS) {
  test(`recipients show as chips as they are typed: "Smith, Bob" <bob@example.org> is one, and a bad address is marked at once next to its field (${vp.name})`, async () => {
    await page.setViewportSize(vp);
    try {
      await openPage({ undo: 0 });
      const chips = page.locator("#to-chips .chip-text");
      const fieldError = page.locator("#to-error");
      await page.click("#to");
      await page.keyboard.type('"Smith, Bob" <bob@example.org>, alice@exa');
      // The quoted name with a comma is one recipient; the address still being typed is not judged.
      await page.locator("#to-chips li", { hasText: "Smith, Bob" }).waitFor();
      assert.deepEqual(await chips.allTextContents(), ["Smith, Bob <bob@example.org>"]);
      assert.ok(await fieldError.isHidden(), "no error for an address not finished yet");
      assert.equal(await page.locator("#to-chips").getAttribute("aria-label"), "To: 1 recipient");

      await page.keyboard.type("mple.org; not-an-address, ");
      await fieldError.waitFor();
      assert.deepEqual(await chips.allTextContents(), ["Smith, Bob <bob@example.org>", "alice@example.org", "✗ not-an-address"]);
      assert.equal(await page.locator("#to-chips .chip-bad").count(), 1, "one chip marked bad");
      assert.equal(await fieldError.textContent(), '"not-an-address" is not an email address (name@example.org, or Name <name@example.org>).');
      assert.equal(await page.locator("#to").getAttribute("aria-invalid"), "true");
      assert.equal(await page.evaluate(() => document.activeElement.id), "to", "said while typing, before the field is left");
      await assertInView(page.locator("#to-chips .chip-bad"), "the bad address's chip");
      await assertInView(fieldError, "the To field's error");
      await assertPlain(fieldError);

      // Its chip's ✕ takes it out of the field: the mark goes.
      await page.locator("#to-chips .chip-bad .chip-remove").click();
      await fieldError.waitFor({ state: "hidden" });
      assert.equal(await page.locator("#to").inputValue(), '"Smith, Bob" <bob@example.org>, alice@example.org');
      assert.equal(await page.evaluate(() => document.activeElement.id), "to", "the focus stays in the field");
      await page.keyboard.press("Tab");
      assert.equal(await page.evaluate(() => document.activeElement.id), "cc", "Tab goes on to Cc, not through the chips");
      assert.equal(await page.locator("#to-chips .chip-bad").count(), 0);
      assert.equal(await chips.count(), 2);

      // Two addresses with only a space between them are not taken as a name and an address.
      await page.click("#cc");
      await page.keyboard.type("carol@example.org dave@example.org");
      await page.keyboard.press("Tab"); // leaving the field judges the last item
      const ccError = page.locator("#cc-error");
      await ccError.waitFor();
      assert.equal(await ccError.textContent(), '"carol@example.org dave@example.org": put a comma between two addresses.');
      await assertInView(ccError, "the Cc field's error");
      await page.fill("#cc", "carol@example.org, dave@example.org");
      await ccError.waitFor({ state: "hidden" });

      const subject = `Chips ${vp.width} ${Date.now()}`;
      await page.fill("#subject", subject);
      await page.click("#send");
      await waitSent(subject);
      assert.deepEqual(sinkRecords(subject)[0].rcptTo.sort(), ["alice@example.org", "bob@example.org", "carol@example.org", "dave@example.org"]);
      assert.equal(await chips.count(), 0, "the chips go with the sent message");
      assert.deepEqual(pageErrors(), []);
    } finally {
      await page.setViewportSize({ width: 1280, height: 720 });
    }
  });
}

// The texts of a message being sent by some other sender than this page's spooler.
const ELSEWHERE = "Being sent from another tab or in the background. If that stopped (a tab closed or reloaded mid-send), it is picked up again within 30 s.";
const AFTER_RELOAD = [
  /^The page was reloaded while sending it: the send is picked up again within 30 s\.$/,
  /^Sending again: the last try was cut off when the page was reloaded or a tab closed mid-send\.$/,
  /^Not sent yet: the mail server is still taking an earlier try of it\. Next try in \d+ s$/,
  new RegExp(`^${ELSEWHERE.replace(/[.()]/g, "\\$&")}$`),
];

/** Asserts that `locator` is in the viewport and that the dock does not cover it. */
async function assertInViewNotUnderDock(p, locator, what) {
  const box = await locator.boundingBox();
  const vp = p.viewportSize();
  assert.ok(box, `${what} is shown`);
  assert.ok(box.y >= -0.5 && box.y + box.height <= vp.height + 0.5, `${what} is inside the viewport: ${JSON.stringify(box)}`);
  const dock = await p.locator("#dock").boundingBox();
  if (dock && dock.height > 0) {
    const overlap = box.y < dock.y + dock.height && box.y + box.height > dock.y && box.x < dock.x + dock.width && box.x + box.width > dock.x;
    assert.ok(!overlap, `${what} ${JSON.stringify(box)} is not under the dock ${JSON.stringify(dock)}`);
  }
}

for (const vp of VIEWPORTS) {
  test(`a message another tab is sending says so in the Outbox, in plain words, not a bare "Sending…" (${vp.name})`, async () => {
    await page.setViewportSize(vp);
    const other = await browser.context.newPage();
    const otherErrors = collectPageErrors(other);
    try {
      const { db } = await openPage({ undo: 0, sw: 0 });
      server.sink.setState({ delayMs: 600_000 }); // hold the POST: this tab is sending it
      const subject = `Sent by the first tab ${Date.now()}`;
      await compose({ to: "alice@example.org", subject, body: "x" });
      await page.click("#send");
      await page.locator("#undo-bar[data-phase=sending]").waitFor();
      assert.equal(await outboxRow(subject).locator(".state").textContent(), "Sending…", "the tab sending it says just that");

      await other.setViewportSize(vp);
      await other.goto(`${server.url}?db=${db}&undo=0&sw=0`);
      await other.locator("body[data-ready=true]").waitFor();
      const row = other.locator("#outbox li", { hasText: subject });
      assert.equal(await row.getAttribute("data-state"), "sending");
      const state = row.locator(".state");
      assert.equal(await state.textContent(), ELSEWHERE);
      assert.ok(await row.locator("[data-action=undo]").isHidden(), "no Undo: it cannot work while it is being sent");
      await state.scrollIntoViewIfNeeded();
      await assertInViewNotUnderDock(other, state, "the Outbox row's reason");

      // The first tab's send finishes: the second tab sees it in Sent Items.
      server.sink.setState({ delayMs: 0 });
      await other.locator("#sent li", { hasText: subject }).waitFor({ state: "attached" });
      assert.equal(await row.count(), 0);
      assert.equal(sinkRecords(subject).length, 1);
      assert.deepEqual(pageErrors(), []);
      assert.deepEqual(otherErrors, []);
    } finally {
      server.sink.setState({ delayMs: 0 });
      await other.close();
      await page.setViewportSize({ width: 1280, height: 720 });
    }
  });

  test(`a reload mid-send says why the message is sent again, in view, never a bare "Sending…"; it reaches the sink once (${vp.name})`, async () => {
    await page.setViewportSize(vp);
    try {
      const { db } = await openPage({ undo: 0, sw: 0 });
      server.sink.setState({ delayMs: 600_000 });
      const subject = `Reloaded mid-send ${Date.now()}`;
      await compose({ to: "alice@example.org", subject, body: "cut off" });
      await page.click("#send");
      await page.locator("#undo-bar[data-phase=sending]").waitFor();

      // Reload while the sink holds the POST: the reload aborts it, and the sink answers the
      // retake 409 (the first request with its Idempotency-Key is still held). Both are what
      // this test is about, so they are not page errors here.
      await page.reload();
      await page.locator("body[data-ready=true]").waitFor();
      assert.equal(new URL(page.url()).searchParams.get("db"), db);
      const bar = page.locator("#undo-bar");
      assert.ok(await bar.isVisible(), "the dock says what became of the message");
      const barText = await page.locator("#undo-text").textContent();
      assert.match(barText, /^".*" was being sent when the page reloaded|^Sending ".*" again: the reload cut off the last try/);
      await assertInView(bar, "the reason after the reload");
      await assertPlain(page.locator("#undo-text"));
      // The Outbox row gives a reason the whole time, never a bare "Sending…".
      const state = outboxRow(subject).locator(".state");
      const seen = new Set();
      for (const until = Date.now() + 2500; Date.now() < until; ) {
        const text = await state.textContent();
        seen.add(text);
        assert.ok(AFTER_RELOAD.some((re) => re.test(text)), `a plain reason after the reload, not ${JSON.stringify(text)}`);
        await new Promise((ok) => setTimeout(ok, 100));
      }
      assert.ok(seen.size > 0);

      server.sink.setState({ delayMs: 0 });
      await waitSent(subject);
      await page.locator("#undo-bar[data-phase=sent]").waitFor();
      assert.match(await page.locator("#undo-text").textContent(), /^Sent ".*"\.$/);
      const recs = sinkRecords(subject);
      assert.equal(recs.length, 1, "stored once");
      const expected = (e) => /request failed: .*\/sink\/messages net::ERR_ABORTED/.test(e) || /^HTTP 409: .*\/sink\/messages$/.test(e) || /409 \(Conflict\)/.test(e);
      assert.deepEqual(pageErrors().filter((e) => !expected(e)), []);
    } finally {
      server.sink.setState({ delayMs: 0 });
      await page.setViewportSize({ width: 1280, height: 720 });
    }
  });
}

test("a short status goes away by itself after 8 s; an error stays until it is closed", async () => {
  // A browser of its own: Playwright's fake clock is per context, and this file's page must
  // keep real time. The clock runs on its own after install; fastForward jumps ahead.
  const own = await launchChromium();
  try {
    const p = own.page;
    const errs = collectPageErrors(p);
    await p.clock.install();
    await p.goto(`${server.url}?${new URLSearchParams({ db: `e2e-${process.pid}-clock`, sw: "0" })}`);
    await p.locator("body[data-ready=true]").waitFor();
    await p.click("#new");
    await p.locator("#status", { hasText: "New message." }).waitFor();
    await p.clock.fastForward(7_000);
    assert.ok(await p.locator("#status").isVisible(), "still shown 7 s later");
    await p.clock.fastForward(1_500);
    await p.locator("#status").waitFor({ state: "hidden" });
    assert.equal(await p.locator("#status").textContent(), "", "emptied, not just hidden");
    // An error does not fade: sending with no recipient says so and stays.
    await p.fill("#subject", "no recipient");
    await p.click("#send");
    await p.locator("#to-error, #error").first().waitFor();
    const shown = async () => (await p.locator("#error").isVisible()) || (await p.locator("#to-error").isVisible());
    assert.ok(await shown(), "the error is shown");
    await p.clock.fastForward(30_000);
    assert.ok(await shown(), "still shown 30 s later");
    assert.deepEqual(errs, []);
  } finally {
    await own.close();
  }
});
