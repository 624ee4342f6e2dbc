// SPEC §9 in the engines without Background Sync (Firefox ESR, WebKitGTK): `backgroundSync`
// does nothing there and says so once in the console, never an error, and the store sends
// as usual; Web Locks and IndexedDB work. Driven over WebDriver (tests/support/webdriver.mjs).
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { startStaticServer } from "../../scripts/static-server.mjs";
import { launchWebDriver } from "../support/webdriver.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const repo = join(here, "..", "..");
let server;
const received = [];

before(async () => {
  server = await startStaticServer({
    mounts: { "/": join(here, "page"), "/js/": join(repo, "js"), "/pkg/": join(repo, "pkg") },
    handle: async (req, res, path) => {
      if (path !== "/sink") return false;
      for await (const _ of req);
      received.push(req.headers["idempotency-key"]);
      res.writeHead(200).end("ok");
      return true;
    },
  });
});
after(() => server?.close());

for (const engine of ["firefox", "webkit"]) {
  test(`${engine}: backgroundSync warns once, opens, and the store sends as usual`, async () => {
    const b = await launchWebDriver(engine);
    try {
      await b.goto(server.url);
      // WebDriver's navigation may return before the page's module has run (seen in WebKit).
      for (let i = 0; !(await b.execute("return !!window.mox")); i++) {
        if (i > 200) throw new Error("the test page did not set window.mox within 10 s");
        await new Promise((r) => setTimeout(r, 50));
      }
      const out = await b.executeAsync(
        `const done = arguments[arguments.length - 1];
        mox.backgroundSyncCheck().then(done, (e) => done({ error: String(e && e.message || e) }));`,
      );
      assert.equal(out.error, undefined, out.error);
      assert.equal(out.sync, "undefined", `${engine} has no Background Sync`);
      assert.equal(out.warnings.length, 1, JSON.stringify(out.warnings));
      assert.match(out.warnings[0], /Background Sync/);
      assert.deepEqual(out.r, { remaining: 0, next: null });
      assert.equal(out.locks, "object", "Web Locks exist for the takeover");
    } finally {
      await b.close();
    }
  });
}
