// End-to-end test of the demo page (www/) in headless Chromium: serve it with
// scripts/serve.mjs on a free port, compose and submit a message, see it in the outgoing
// queue, undo the send, see it leave the queue and come back in Drafts. Any console error,
// uncaught exception, failed request or CSP violation fails the test.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { serveDemo } from "../../scripts/serve.mjs";
import { collectPageErrors, launchChromium } from "../support/browser.mjs";

const repo = join(dirname(fileURLToPath(import.meta.url)), "..", "..");

let server;
let browser;
let page;
let errors;

before(async () => {
  if (!existsSync(join(repo, "pkg", "mapi_outbox_bg.wasm"))) {
    throw new Error("pkg/mapi_outbox_bg.wasm is missing: run `npm run build` first");
  }
  server = await serveDemo({ port: 0 });
  browser = await launchChromium();
  page = browser.page;
  page.setDefaultTimeout(15_000);
  errors = collectPageErrors(page);
});

after(async () => {
  await browser?.close();
  await server?.close();
});

test("the page loads under a strict CSP and the package starts", async () => {
  const res = await page.goto(server.url);
  assert.equal(res.status(), 200);
  const csp = res.headers()["content-security-policy"];
  assert.match(csp, /script-src 'self' 'wasm-unsafe-eval'( 'sha256-[A-Za-z0-9+/=]+')*(;|$)/);
  assert.ok(!csp.includes("'unsafe-inline'") && !csp.includes("'unsafe-eval'"), csp);
  await page.locator("body[data-ready=true]").waitFor();
  assert.equal(await page.locator("#queue li").count(), 0);
  assert.deepEqual(errors, []);
});

test("submit a message, see it queued, undo the send, see it back in Drafts", async () => {
  const subject = `Hello from the e2e test ${Date.now()}`;
  await page.fill("#to", "Alice <alice@example.org>, bob@example.org");
  await page.fill("#subject", subject);
  await page.fill("#body", "Undo me, please.");
  await page.click("#send");

  const queued = page.locator("#queue li", { hasText: subject });
  await queued.waitFor();
  assert.match(await queued.textContent(), /To Alice/, "the row shows PidTagDisplayTo");
  assert.equal(await page.locator("#queue-count").textContent(), "1");
  assert.equal(await page.locator("#to").inputValue(), "", "the form was reset");
  assert.equal(await page.locator("#drafts li", { hasText: subject }).count(), 0, "not in Drafts while queued");
  assert.ok(await page.locator("#error").isHidden(), "no error shown");

  await queued.locator("button[data-action=undo]").click();
  await queued.waitFor({ state: "detached" });
  await page.locator("#drafts li", { hasText: subject }).waitFor();
  assert.equal(await page.locator("#queue li").count(), 0);
  assert.equal(await page.locator("#queue-count").textContent(), "0");
  assert.match(await page.locator("#status").textContent(), /undone/i);
  assert.deepEqual(errors, []);
});

test("a draft can be sent again after the undo", async () => {
  const draft = page.locator("#drafts li").first();
  const subject = (await draft.locator(".subject").textContent()).trim();
  await draft.locator("button[data-action=send-again]").click();
  await page.locator("#queue li", { hasText: subject }).waitFor();
  assert.equal(await page.locator("#drafts li", { hasText: subject }).count(), 0);
  // and undone once more, leaving the queue empty for the next test
  await page.locator("#queue li", { hasText: subject }).locator("button[data-action=undo]").click();
  await page.locator("#queue li").first().waitFor({ state: "detached" });
  assert.deepEqual(errors, []);
});

test("bad input shows the MapiError to the user and queues nothing", async () => {
  await page.fill("#to", "not an address");
  await page.fill("#subject", "bad recipient");
  await page.click("#send");
  const alert = page.locator("#error");
  await alert.waitFor({ state: "visible" });
  assert.match(await alert.textContent(), /^MAPI_E_INVALID_PARAMETER: /);
  assert.equal(await page.locator("#queue li").count(), 0);
  assert.equal(await page.locator("#to").inputValue(), "not an address", "the form keeps the input");
  assert.deepEqual(errors, [], "handled errors do not reach the console");
});
