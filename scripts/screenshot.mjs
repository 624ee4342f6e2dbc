#!/usr/bin/env node
// Renews docs/outbox.png (`npm run demo:screenshot`): serves the demo with a throwaway mail
// sink, opens it in headless Chromium (playwright-core + Debian's /usr/bin/chromium, as
// the tests do), fills the Outbox with messages in several states and takes a screenshot.
//
//   node scripts/screenshot.mjs [out.png]     (default: docs/outbox.png)
//
// `stageOutbox` is also what the e2e test "screenshot: ..." runs, so the picture's
// scenario is tested with the rest of the page.
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");

/**
 * Watches `page` for the mail sink's refusals (503 while it is switched offline). Returns a
 * predicate telling whether an error string from tests/support/browser.mjs's
 * collectPageErrors is one of their consequences: Chromium logs each non-2xx answer as a
 * console error, and now and then reports a POST it got a 503 for as failed
 * (net::ERR_ABORTED) just after the page has read the whole answer.
 */
export function watchRefusals(page) {
  const refused = new WeakSet();
  const failed = new Set();
  page.on("response", (res) => {
    if (res.status() === 503 && new URL(res.url()).pathname === "/sink/messages") refused.add(res.request());
  });
  page.on("requestfailed", (req) => {
    if (refused.has(req)) failed.add(`request failed: ${req.url()} ${req.failure()?.errorText ?? ""}`);
  });
  return (error) => (/\b503\b/.test(error) && /\/sink\/messages/.test(error)) || failed.has(error);
}

async function compose(page, { to, subject, body, sendAt }) {
  await page.fill("#to", to);
  await page.fill("#subject", subject);
  await page.fill("#body", body);
  if (sendAt) await page.fill("#send-at", sendAt);
  await page.click("#send");
}

/** `date` as the value of an <input type=datetime-local>. */
function localInput(date) {
  const p = (n) => String(n).padStart(2, "0");
  return `${date.getFullYear()}-${p(date.getMonth() + 1)}-${p(date.getDate())}T${p(date.getHours())}:${p(date.getMinutes())}`;
}

/**
 * Drives `page` (the demo, opened with a 2.5 s undo window on an empty database) until the
 * Outbox shows a message being sent, one waiting to be retried, one scheduled for tomorrow
 * and one in its undo window, with one message already in Sent Items and its non-delivery
 * report in the Inbox, and the next message being written (its recipients as chips). `sink` is the mail sink of scripts/serve.mjs. Resolves with the
 * Outbox rows' states, top to bottom, and `release()`, which lets the held message
 * through and switches the sink back online.
 */
export async function stageOutbox(page, sink) {
  sink.setState({ offline: false, delayMs: 0 });
  // 0. Already sent, with one recipient refused for good: Sent Items and an NDR in the Inbox.
  const sent = "Team offsite agenda";
  await compose(page, { to: "team@example.org, old-address@example.invalid", subject: sent, body: "See you there." });
  await page.locator("#sent li", { hasText: sent }).waitFor({ state: "attached", timeout: 15_000 });
  await page.locator("#inbox li", { hasText: `Undeliverable: ${sent}` }).waitFor({ state: "attached" });

  // 1. A message the (slow) server is taking right now: "sending".
  sink.setState({ delayMs: 120_000 });
  const held = "Board minutes (the server is taking it)";
  await compose(page, { to: "Board <board@example.org>", subject: held, body: "Minutes attached." });
  await page.locator("#outbox li[data-state=sending]", { hasText: held }).waitFor({ timeout: 15_000 });
  // The page reads the sink's state every few seconds: its switch then says 120 s too.
  await page.locator("#slow-label", { hasText: "holds each message 120 s" }).waitFor({ timeout: 15_000 });

  // 2. The server goes offline: the next one is refused and waits to be retried.
  await page.locator("#offline").check();
  await page.locator("body[data-offline=true]").waitFor();
  sink.setState({ retryAfterSeconds: 120 });
  const refused = "Invoice 2024-117";
  await compose(page, { to: "accounts@example.org", subject: refused, body: "Please find the invoice." });
  await page.locator("#outbox li[data-state=retrying]", { hasText: refused }).waitFor({ timeout: 15_000 });

  // 3. Send later: scheduled for tomorrow morning.
  const later = "Happy birthday, Carol!";
  const tomorrow = new Date(Date.now() + 24 * 3600_000);
  tomorrow.setHours(9, 0, 0, 0);
  await compose(page, { to: "Carol <carol@example.org>", subject: later, body: "🎂", sendAt: localInput(tomorrow) });
  await page.locator("#outbox li[data-state=scheduled]", { hasText: later }).waitFor();

  // 4. Just sent: in its undo window, with the undo bar counting down.
  const fresh = "Lunch on Friday?";
  await compose(page, { to: "team@example.org", subject: fresh, body: "12:30 at the usual place." });
  await page.locator("#outbox li[data-state=scheduled]", { hasText: fresh }).waitFor();
  await page.locator("#undo-bar:not([hidden])").waitFor();

  // 5. The next message being written: its recipients show as chips under To.
  await page.fill("#to", '"Smith, Bob" <bob@example.org>, alice@example.org');
  await page.fill("#subject", "Re: Board minutes");
  await page.locator("#to-chips li").nth(1).waitFor();

  await page.evaluate(() => {
    document.activeElement?.blur();
    window.scrollTo(0, 0);
  });
  const states = await page.locator("#outbox li").evaluateAll((lis) => lis.map((li) => li.dataset.state));
  return {
    states,
    subjects: { sent, held, refused, later, fresh },
    release: () => sink.setState({ offline: false, delayMs: 0, retryAfterSeconds: 1 }),
  };
}

async function main() {
  const out = resolve(process.argv[2] ?? join(root, "docs", "outbox.png"));
  if (!existsSync(join(root, "pkg", "mapi_outbox_bg.wasm"))) {
    console.error("[screenshot] pkg/mapi_outbox_bg.wasm is missing: run `npm run build` first");
    process.exit(1);
  }
  // Chromium leaves files in $TMPDIR (TOOLCHAIN trap 7): give it a folder of its own.
  const scratch = await mkdtemp(join(tmpdir(), "mapi-outbox-screenshot-"));
  process.env.TMPDIR = scratch;
  const { serveDemo } = await import("./serve.mjs");
  const { collectPageErrors, launchChromium } = await import("../tests/support/browser.mjs");
  let server;
  let browser;
  try {
    server = await serveDemo({ port: 0, sinkDir: join(scratch, "sink"), retryAfterSeconds: 1 });
    browser = await launchChromium();
    const { page } = browser;
    page.setDefaultTimeout(20_000);
    const errors = collectPageErrors(page);
    const isRefusal = watchRefusals(page);
    await page.setViewportSize({ width: 1280, height: 900 });
    await page.goto(`${server.url}?undo=2500`);
    await page.locator("body[data-ready=true]").waitFor();
    const staged = await stageOutbox(page, server.sink);
    await page.screenshot({ path: out });
    staged.release();
    await page.locator("#sent li", { hasText: staged.subjects.held }).waitFor({ state: "attached" });
    // The sink's 503s while offline are the point of the picture; anything else is wrong.
    const unexpected = errors.filter((e) => !isRefusal(e));
    if (unexpected.length) throw new Error(`the page reported errors:\n${unexpected.join("\n")}`);
    console.log(`[screenshot] Outbox (${staged.states.join(", ")}) -> ${out}`);
  } finally {
    await browser?.close();
    await server?.close();
    await rm(scratch, { recursive: true, force: true });
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  main().catch((err) => {
    console.error(`[screenshot] FAILED: ${err.stack ?? err}`);
    process.exit(1);
  });
}
