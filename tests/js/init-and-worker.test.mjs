// SPEC rev 2 §2 and §9 in Node, against the built package imported by name: init(source?)
// and the "mapi-outbox/wasm" export, drainOutbox and backgroundSync where there is neither
// IndexedDB nor a service worker. (In Chromium: tests/browser/keepgoing.test.mjs.)
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Store, init, drainOutbox } from "mapi-outbox";
import { rejectsMapi } from "./helpers.mjs";

test("init() is idempotent, and refuses a source that is not a module, bytes, Response or URL", async () => {
  await init();
  await init();
  // Once initialized, a further call is a no-op whatever it is given (SPEC §2).
  assert.equal(await init(42), undefined);
  const store = await Store.open();
  await store.close();
});

const root = fileURLToPath(new URL("../..", import.meta.url));
function runFresh(code) {
  return execFileSync(process.execPath, ["--input-type=module", "-e", code], { cwd: root, encoding: "utf8" });
}

test("init(bytes | Module) starts the module from what the caller precached, in a fresh process", () => {
  const out = runFresh(`
    import { readFileSync } from "node:fs";
    import { init, Store } from "mapi-outbox";
    const url = import.meta.resolve("mapi-outbox/wasm");
    const bytes = readFileSync(new URL(url));
    const bad = await init(42).then(() => "resolved", (e) => e.codeName);
    await init(new WebAssembly.Module(bytes));
    await init(bytes);
    const s = await Store.open();
    const m = s.createMessage();
    m.setProps({ PidTagSubject: "x" });
    console.log(bad, url.endsWith("/pkg/mapi_outbox_bg.wasm"), typeof m.entryId);
  `);
  assert.equal(out.trim(), "MAPI_E_INVALID_PARAMETER true string");
});

test("new Store() as the very first call, before the module is loaded, throws MAPI_E_NO_SUPPORT (not a TypeError)", () => {
  const out = runFresh(`
    import { Store, Message, Attachment, MapiError } from "mapi-outbox";
    const seen = [];
    for (const C of [Store, Message, Attachment]) {
      try { new C(); seen.push("constructed"); } catch (e) { seen.push((e instanceof MapiError) + " " + e.codeName); }
    }
    const store = await Store.open();
    seen.push(String(store instanceof Store), String(store.createMessage() instanceof Message));
    console.log(seen.join(","));
  `);
  assert.equal(
    out.trim(),
    "true MAPI_E_NO_SUPPORT,true MAPI_E_NO_SUPPORT,true MAPI_E_NO_SUPPORT,true,true",
  );
});

test('the "mapi-outbox/wasm" export resolves to the .wasm file', () => {
  const url = import.meta.resolve("mapi-outbox/wasm");
  const path = fileURLToPath(url);
  assert.ok(existsSync(path));
  const head = readFileSync(path).subarray(0, 4);
  assert.deepEqual([...head], [0x00, 0x61, 0x73, 0x6d], "a WebAssembly binary");
});

test("drainOutbox() where there is no IndexedDB rejects with MAPI_E_NO_SUPPORT, and checks its options", async () => {
  await rejectsMapi(drainOutbox({ name: "x" }), "MAPI_E_NO_SUPPORT");
  await rejectsMapi(drainOutbox({ timeBudgetMs: -1 }), "MAPI_E_INVALID_PARAMETER", "timeBudgetMs");
  await rejectsMapi(drainOutbox({ tranports: [] }), "MAPI_E_INVALID_PARAMETER", "tranports");
  await rejectsMapi(drainOutbox(7), "MAPI_E_INVALID_PARAMETER");
});

test("backgroundSync where it cannot work does nothing and says so once; bad values are refused", async (t) => {
  const warnings = [];
  const orig = console.warn;
  console.warn = (...a) => warnings.push(a.join(" "));
  t.after(() => (console.warn = orig));
  const a = await Store.open({ backgroundSync: true });
  const b = await Store.open({ backgroundSync: { tag: "mine" } });
  assert.equal(a.backgroundSyncTag, "mapi-outbox");
  assert.equal(b.backgroundSyncTag, "mine");
  assert.equal(warnings.length, 1, `one console line, got ${JSON.stringify(warnings)}`);
  assert.match(warnings[0], /backgroundSync/);
  await a.close();
  await b.close();
  const off = await Store.open({ backgroundSync: false });
  assert.equal(off.backgroundSyncTag, undefined);
  await off.close();
  await rejectsMapi(Store.open({ backgroundSync: "yes" }), "MAPI_E_INVALID_PARAMETER", "backgroundSync");
  await rejectsMapi(Store.open({ backgroundSync: { tag: "" } }), "MAPI_E_INVALID_PARAMETER", "tag");
  await rejectsMapi(Store.open({ backgroundSync: { tga: "x" } }), "MAPI_E_INVALID_PARAMETER", "tga");
});
