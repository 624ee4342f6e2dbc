// The backgroundSync option (SPEC §9) as a page meets it in each engine, on IndexedDB:
// - where the browser has Background Sync (Chromium), a submit registers the one-off sync
//   "mapi-outbox" on the page's service worker registration, and nothing is logged;
// - where it has none (Firefox, WebKit), the option does nothing and says so once in the
//   console, however many stores open with it, never an error, and mail still goes while
//   the page is open.
// The page does what the README tells users to do (register www/sw.js, open the store with
// `backgroundSync: true`). Written against the page API only (evaluate), so that the same
// file runs in every engine (it belongs in the engine suites of scripts/test.sh). Checked by
// hand on 2026-12-03 with the same page code over WebDriver: Firefox ESR 153 (geckodriver)
// and WebKitGTK 2.50 (WebKitWebDriver, MiniBrowser) each logged the one line, registered the
// worker and sent the message from the page.
//
//   node --test tests/browser/background-sync-option.test.mjs      (after `npm run build`)
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { startStaticServer, contentSecurityPolicy } from "../../scripts/static-server.mjs";
import { launchChromium } from "../support/browser.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const repo = join(here, "..", "..");

let server;
let browser;
const received = [];

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
      if (path === "/sink") {
        const chunks = [];
        for await (const c of req) chunks.push(c);
        received.push(req.headers["idempotency-key"]);
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

test("backgroundSync: a sync is registered on submit where the browser has Background Sync; elsewhere one console line, no error, and mail still goes", async () => {
  const page = await browser.context.newPage();
  page.setDefaultTimeout(30_000);
  await page.goto(server.url);
  await page.locator("body[data-ready=true]").waitFor({ state: "attached" });
  const db = `bgsync-option-${process.pid}`;
  const out = await page.evaluate(async (db) => {
    const warnings = [];
    const errors = [];
    const warn = console.warn;
    const error = console.error;
    console.warn = (...a) => (warnings.push(a.map(String).join(" ")), warn.apply(console, a));
    console.error = (...a) => (errors.push(a.map(String).join(" ")), error.apply(console, a));
    const hasSync = typeof self.SyncManager === "function";
    const registered = [];
    if (hasSync) {
      const raw = SyncManager.prototype.register;
      SyncManager.prototype.register = function register(tag) {
        registered.push(tag);
        return raw.call(this, tag);
      };
    }
    let worker = "none";
    if (navigator.serviceWorker) {
      try {
        await navigator.serviceWorker.register(`/sw.js?db=${db}&sink=/sink`, { type: "module" });
        await navigator.serviceWorker.ready;
        worker = "registered";
      } catch (e) {
        worker = `refused: ${e?.message ?? e}`;
      }
    }
    const transports = [mox.httpTransport({ url: "/sink" })];
    const a = await mox.open(db, { spooler: true, transports, backgroundSync: true });
    const b = await mox.open(db, { spooler: false, backgroundSync: { tag: "mapi-outbox" } });
    const m = mox.draft(a, "sent from the page either way");
    await m.submit();
    m.free();
    const flushed = await a.flush();
    const sent = (await a.contents("sent")).length;
    await b.close();
    await a.close();
    console.warn = warn;
    console.error = error;
    return { hasSync, registered, worker, warnings, errors, flushed, sent };
  }, db);

  assert.deepEqual(out.errors, [], "nothing was logged as an error");
  assert.deepEqual(out.flushed, { remaining: 0, nextDueAt: null });
  assert.equal(out.sent, 1, "the page's spooler sent the message");
  assert.equal(received.length, 1);
  const ours = out.warnings.filter((w) => w.startsWith("mapi-outbox:"));
  if (out.hasSync) {
    assert.equal(out.worker, "registered");
    assert.ok(out.registered.includes("mapi-outbox"), `the submit registered the sync: ${JSON.stringify(out.registered)}`);
    assert.deepEqual(ours, [], "nothing to say where Background Sync works");
  } else {
    assert.deepEqual(out.registered, []);
    assert.equal(ours.length, 1, `said once, for two stores: ${JSON.stringify(ours)}`);
    assert.match(ours[0], /Background Sync/);
  }
  await page.close();
});
