// The demo against the real Cyrus (what `JMAP=1 npm start` serves): the page sends through
// jmapTransport and the same-origin proxy, as the Cyrus user, and the relay gets the mail.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { serveDemo } from "../../scripts/serve.mjs";
import { startSmtpRelay } from "../../scripts/smtp-relay.mjs";
import { collectPageErrors, launchChromium } from "../support/browser.mjs";

let server;
let browser;
let relay;
let sinkDir;

before(async () => {
  relay = await startSmtpRelay({ port: Number(process.env.CYRUS_SMTP_PORT) || 18025 });
  sinkDir = await mkdtemp(join(tmpdir(), "mapi-outbox-jmap-demo-"));
  server = await serveDemo({
    sinkDir,
    jmap: { target: `http://127.0.0.1:${process.env.CYRUS_HTTP_PORT || 18080}`, email: "alice@example.test", password: "alice-pw" },
  });
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await server?.close();
  await relay?.close();
  if (sinkDir) await rm(sinkDir, { recursive: true, force: true });
});

test("JMAP mode: the demo sends a message through Cyrus as alice; the mail sink gets nothing", async () => {
  const page = browser.page;
  const errors = collectPageErrors(page);
  await page.goto(`${server.url}?db=jmap-demo-${process.pid}&undo=0`);
  await page.locator("body[data-ready=true]").waitFor();
  assert.match(await page.locator("#backend-note").textContent(), /Cyrus JMAP server as alice@example\.test/);
  const subject = `demo via cyrus ${Date.now()}`;
  await page.fill("#to", "Bob <bob@example.org>");
  await page.fill("#bcc", "hidden@example.org");
  await page.fill("#subject", subject);
  await page.fill("#body", "through a real mail server");
  await page.click("#send");
  await page.locator("#sent li", { hasText: subject }).waitFor({ state: "attached", timeout: 20_000 });
  const got = relay.received.filter((r) => r.data.toString("latin1").includes(subject));
  assert.equal(got.length, 1);
  assert.equal(got[0].mailFrom, "alice@example.test");
  assert.deepEqual([...got[0].rcptTo].sort(), ["bob@example.org", "hidden@example.org"]);
  assert.equal(server.sink.list().length, 0, "nothing went to the local sink");
  assert.deepEqual(errors, []);
});

test("JMAP mode: the page's mail server choice switches to the local sink and back to Cyrus", async () => {
  const page = browser.page;
  const errors = collectPageErrors(page);
  const db = `jmap-demo-switch-${process.pid}`;
  await page.goto(`${server.url}?db=${db}&undo=0`);
  await page.locator("body[data-ready=true]").waitFor();
  assert.equal(await page.locator("#server-jmap").isChecked(), true);
  assert.equal(await page.locator("#server-jmap").isEnabled(), true);

  // To the local sink: the next message goes there, not to Cyrus.
  await page.locator("#server-sink").check();
  await page.locator("body[data-ready=true][data-server=sink]").waitFor();
  const toSink = `demo switched to the sink ${Date.now()}`;
  await page.fill("#to", "carol@example.org");
  await page.fill("#subject", toSink);
  await page.click("#send");
  await page.locator("#sent li", { hasText: toSink }).waitFor({ state: "attached", timeout: 20_000 });
  assert.equal(server.sink.list().filter((r) => r.subject === toSink).length, 1, "the sink got it");
  assert.equal(relay.received.filter((r) => r.data.toString("latin1").includes(toSink)).length, 0, "Cyrus did not");

  // Back to Cyrus: the relay gets the one after.
  await page.locator("#server-jmap").check();
  await page.locator("body[data-ready=true][data-server=jmap]").waitFor();
  const toCyrus = `demo switched back to cyrus ${Date.now()}`;
  await page.fill("#to", "dave@example.org");
  await page.fill("#subject", toCyrus);
  await page.click("#send");
  await page.locator("#sent li", { hasText: toCyrus }).waitFor({ state: "attached", timeout: 20_000 });
  const got = relay.received.filter((r) => r.data.toString("latin1").includes(toCyrus));
  assert.equal(got.length, 1);
  assert.equal(got[0].mailFrom, "alice@example.test");
  assert.equal(server.sink.list().filter((r) => r.subject === toCyrus).length, 0);
  assert.deepEqual(errors, []);
});
