// Benchmark (not a test): submit latency and throughput on the IndexedDB backend in headless
// Chromium, next to a raw IndexedDB put of the same number of bytes in one transaction each
// (durability "strict", as the store's state changes use), measured interleaved in one run.
//
//   npm run build && npm run bench:idb          (N=1000 by default; N=... to change)
//
// Each submit is of a fresh message with 3 recipients and a 2 KB body; only `submit()` is
// timed (composing the message is not). The raw put writes a Uint8Array as long as the
// record a submit stores (metadata + content blob), under a new key, in its own transaction.
import os from "node:os";
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { startStaticServer } from "../scripts/static-server.mjs";
import { CHROMIUM_PATH, launchChromium } from "../tests/support/browser.mjs";

const repo = join(dirname(fileURLToPath(import.meta.url)), "..");
const N = Number(process.env.N ?? 1000);
if (!existsSync(join(repo, "pkg", "mapi_outbox_bg.wasm"))) {
  console.error("pkg/ is missing: run `npm run build` first");
  process.exit(1);
}

const server = await startStaticServer({
  mounts: { "/": join(repo, "tests/browser/page"), "/js/": join(repo, "js"), "/pkg/": join(repo, "pkg") },
});
const browser = await launchChromium();
try {
  const page = browser.page;
  await page.goto(server.url);
  await page.locator("body[data-ready=true]").waitFor({ state: "attached" });
  const r = await page.evaluate(async (N) => {
    const store = await mox.open("bench");
    const draft = (i) => mox.draft(store, `bench ${i}`, { recipients: 3, bodyBytes: 2048 });

    // The size of what one submit stores.
    const probe = draft(-1);
    const probeId = probe.entryId;
    await probe.submit();
    const raw = await new Promise((ok, fail) => {
      const req = indexedDB.open("raw-put", 1);
      req.onupgradeneeded = () => req.result.createObjectStore("s");
      req.onsuccess = () => ok(req.result);
      req.onerror = () => fail(req.error);
    });
    const stored = await new Promise((ok, fail) => {
      const req = indexedDB.open("bench");
      req.onsuccess = () => {
        const g = req.result.transaction("messages").objectStore("messages").get(probeId);
        g.onsuccess = () => { req.result.close(); ok(g.result); };
      };
      req.onerror = () => fail(req.error);
    });
    const bytes = stored.meta.length + stored.blob.length;

    const rawPut = (i) =>
      new Promise((ok, fail) => {
        const data = new Uint8Array(bytes);
        data[0] = i & 255;
        const tx = raw.transaction("s", "readwrite", { durability: "strict" });
        tx.objectStore("s").put(data, i);
        tx.oncomplete = ok;
        tx.onabort = () => fail(tx.error);
      });

    const submitMs = [];
    const putMs = [];
    for (let i = 0; i < N; i++) {
      const m = draft(i);
      let t = performance.now();
      await m.submit();
      submitMs.push(performance.now() - t);
      t = performance.now();
      await rawPut(i);
      putMs.push(performance.now() - t);
    }
    const queued = (await store.outgoingQueue()).length;
    raw.close();
    return { submitMs, putMs, bytes, queued };
  }, N);

  const stats = (xs) => {
    const s = [...xs].sort((a, b) => a - b);
    const q = (p) => s[Math.min(s.length - 1, Math.floor(p * s.length))];
    const total = xs.reduce((a, b) => a + b, 0);
    return { median: q(0.5), p90: q(0.9), p99: q(0.99), total, perSec: (xs.length / total) * 1000 };
  };
  const sub = stats(r.submitMs);
  const put = stats(r.putMs);
  const fmt = (x) => x.toFixed(2);
  const chromium = execFileSync(CHROMIUM_PATH, ["--version"], { encoding: "utf8" }).trim();
  console.log(`mapi-outbox IndexedDB submit benchmark (${N} submits, interleaved with ${N} raw puts)`);
  console.log(`command : N=${N} npm run bench:idb   (node bench/idb-submit.mjs)`);
  console.log(`machine : ${os.cpus()[0]?.model ?? "?"} x${os.cpus().length}, ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB RAM, ${os.type()} ${os.release()} ${os.arch()}`);
  console.log(`runtime : ${chromium} (headless), Node ${process.version}; profile in ${os.tmpdir()}`);
  console.log(`message : 3 recipients, 2048-byte body; stored record ${r.bytes} bytes; ${r.queued} queued at the end`);
  console.log("");
  console.log("                               median ms   p90 ms   p99 ms   ops/s (1000 / mean ms)");
  console.log(`submit() (one transaction)     ${fmt(sub.median).padStart(9)} ${fmt(sub.p90).padStart(8)} ${fmt(sub.p99).padStart(8)}   ${fmt(sub.perSec).padStart(8)}`);
  console.log(`raw put, ${String(r.bytes).padEnd(5)} B, strict     ${fmt(put.median).padStart(9)} ${fmt(put.p90).padStart(8)} ${fmt(put.p99).padStart(8)}   ${fmt(put.perSec).padStart(8)}`);
  console.log(`submit / raw put (median)      ${(sub.median / put.median).toFixed(2)}x`);
} finally {
  await browser.close();
  await server.close();
}
