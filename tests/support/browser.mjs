// Headless Chromium for the tests, through playwright-core and Debian's /usr/bin/chromium.
// The flags keep Chromium off the (closed) network and a fresh --user-data-dir per launch
// keeps runs independent (TOOLCHAIN traps 7 and 9). The profile lives under $TMPDIR, which
// scripts/test.sh points at a per-run folder that it deletes.
import { mkdtemp, rm } from "node:fs/promises";
import { existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium } from "playwright-core";

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

export const CHROMIUM_FLAGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--disable-dev-shm-usage",
];

/**
 * Launches Chromium with a fresh profile. Returns { context, page, close() }. `args` are
 * added to the usual flags (e.g. Background Sync's retry schedule for tests).
 */
export async function launchChromium({ args = [] } = {}) {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(`${CHROMIUM_PATH} not found: run scripts/setup.sh (apt-get install chromium)`);
  }
  const userDataDir = await mkdtemp(join(tmpdir(), "mapi-outbox-chromium-"));
  let context;
  try {
    // launchPersistentContext is how Playwright takes an explicit --user-data-dir.
    context = await chromium.launchPersistentContext(userDataDir, {
      executablePath: CHROMIUM_PATH,
      headless: true,
      args: [...CHROMIUM_FLAGS, ...args],
      timeout: 60_000,
    });
  } catch (err) {
    await rm(userDataDir, { recursive: true, force: true });
    throw err;
  }
  const page = context.pages()[0] ?? (await context.newPage());
  return {
    context,
    page,
    async close() {
      await context.close().catch(() => {});
      await rm(userDataDir, { recursive: true, force: true, maxRetries: 3 });
    },
  };
}

/**
 * Collects everything that should fail a browser test: console errors (CSP violations,
 * failed loads included), uncaught exceptions and failed requests.
 */
export function collectPageErrors(page) {
  const errors = [];
  page.on("console", (msg) => {
    if (msg.type() === "error") {
      const loc = msg.location();
      errors.push(`console.error: ${msg.text()}${loc?.url ? ` (${loc.url}:${loc.lineNumber})` : ""}`);
    }
  });
  page.on("pageerror", (err) => errors.push(`uncaught: ${err.stack ?? err}`));
  page.on("requestfailed", (req) => {
    const why = req.failure()?.errorText ?? "";
    // A reload, a navigation or a closing tab aborts the page's reads in flight (the demo
    // polls its mail sink every few seconds): an abandoned GET is not an error of the page.
    if (req.method() === "GET" && why === "net::ERR_ABORTED") return;
    errors.push(`request failed: ${req.url()} ${why}`);
  });
  page.on("response", (res) => {
    if (res.status() >= 400) errors.push(`HTTP ${res.status()}: ${res.url()}`);
  });
  return errors;
}
