// Submit on IndexedDB in headless Chromium, next to (a) a raw IndexedDB put of the same bytes,
// one transaction each (the floor), and (b) workbox-background-sync's Queue.pushRequest of a
// request carrying the same bytes; interleaved in one run (the order rotates every round).
//
//   node bench/idb-submit.mjs         (N=400 rounds by default; N=... to change)
//
// The message: 3 recipients, a 2 KB body and one 100 KB attachment. Only `await submit()` is
// timed (composing the message is not); likewise only the put and only pushRequest (the
// Request is made beforehand). The raw put writes a Uint8Array as long as the record one
// submit stores (metadata + content blob), under a new key, with durability "strict" as the
// store's state changes use (SPEC §6); a relaxed put is shown too, because Workbox (through
// idb) opens its transactions with the default durability, which Chromium treats as relaxed.
// Workbox runs in the page (see bench/page/shim.mjs), on the same thread as the submits.
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { benchServerOnly } from "./server.mjs";
import { launchChromium } from "../tests/support/browser.mjs";
import { chromiumVersion, emit, fmt, pairedRatio, stats } from "./lib.mjs";

const repo = join(dirname(fileURLToPath(import.meta.url)), "..");
const N = Number(process.env.N ?? 400);
if (!existsSync(join(repo, "pkg", "mapi_outbox_bg.wasm"))) {
  console.error("pkg/ is missing: run `npm run build` first");
  process.exit(1);
}

const server = await benchServerOnly();
const browser = await launchChromium();
let r;
try {
  const page = browser.page;
  const errors = [];
  page.on("pageerror", (e) => errors.push(String(e)));
  await page.goto(server.url);
  await page.locator("body[data-ready=true]").waitFor({ state: "attached", timeout: 30_000 }).catch(() => {
    throw new Error(`the benchmark page did not load: ${errors.join("; ")}`);
  });
  r = await page.evaluate(async (N) => {
    const { mox, Queue } = window.bench;
    const store = await mox.Store.open({ backend: "indexeddb", name: "bench", identity: { email: "me@example.org" }, spooler: false });
    const body = "x".repeat(2048);
    const attachment = Uint8Array.from({ length: 100 * 1024 }, (_, i) => (i * 31) & 255);
    const draft = (i) => {
      const m = store.createMessage();
      m.setProps({ PidTagSubject: `bench ${i}`, PidTagBody: body });
      m.modifyRecipients("add", [0, 1, 2].map((k) => ({ PidTagRecipientType: 1 + (k === 2 ? 1 : 0), PidTagEmailAddress: `r${k}@example.org` })));
      const a = m.createAttach();
      a.setProps({ PidTagAttachLongFilename: "report.pdf", PidTagAttachMimeTag: "application/pdf", PidTagAttachDataBinary: attachment });
      a.saveChanges();
      a.free();
      return m;
    };

    // The size of what one submit stores.
    const probe = draft(-1);
    const probeId = probe.entryId;
    await probe.submit();
    probe.free();
    const idb = (name, upgrade) =>
      new Promise((ok, fail) => {
        const req = indexedDB.open(name, 1);
        req.onupgradeneeded = () => upgrade?.(req.result);
        req.onsuccess = () => ok(req.result);
        req.onerror = () => fail(req.error);
      });
    const benchDb = await idb("bench");
    const read = (name) =>
      new Promise((ok) => {
        if (!benchDb.objectStoreNames.contains(name)) return ok(undefined);
        const g = benchDb.transaction(name).objectStore(name).get(probeId);
        g.onsuccess = () => ok(g.result);
        g.onerror = () => ok(undefined);
      });
    // The record's metadata in `messages`, its content blob in `blobs` (or, in the first
    // layout, beside the metadata).
    const stored = await read("messages");
    const blobRec = await read("blobs");
    benchDb.close();
    const len = (v) => (v == null ? 0 : v.byteLength ?? v.length ?? (v.blob ? len(v.blob) : 0));
    const bytes = stored.meta.length + len(stored.blob ?? blobRec);

    const raw = await idb("raw-put", (db) => db.createObjectStore("s"));
    const rawPut = (data, i, durability) =>
      new Promise((ok, fail) => {
        const tx = raw.transaction("s", "readwrite", { durability });
        tx.objectStore("s").put(data, `${durability}-${i}`);
        tx.oncomplete = ok;
        tx.onabort = () => fail(tx.error);
      });
    const queue = new Queue("bench-workbox");
    await new Promise((r) => setTimeout(r, 100)); // let its start-up replay (of nothing) finish

    const kinds = ["submit", "put strict", "put relaxed", "workbox"];
    const ms = Object.fromEntries(kinds.map((k) => [k, []]));
    const WARMUP = 20;
    for (let i = 0; i < WARMUP + N; i++) {
      const m = draft(i);
      const data = new Uint8Array(bytes);
      data[0] = i & 255;
      const request = new Request(`${location.origin}/outbox`, { method: "POST", body: data.slice(), headers: { "Content-Type": "message/rfc822" } });
      const order = kinds.slice(i % kinds.length).concat(kinds.slice(0, i % kinds.length));
      for (const k of order) {
        const t = performance.now();
        if (k === "submit") await m.submit();
        else if (k === "put strict") await rawPut(data, i, "strict");
        else if (k === "put relaxed") await rawPut(data, i, "relaxed");
        else await queue.pushRequest({ request });
        if (i >= WARMUP) ms[k].push(performance.now() - t);
      }
      m.free();
    }
    // How many IndexedDB transactions (and of which mode) one submit opens.
    const txs = [];
    const origTx = IDBDatabase.prototype.transaction;
    IDBDatabase.prototype.transaction = function (names, mode, opts) {
      txs.push(`${mode ?? "readonly"}${opts?.durability ? "/" + opts.durability : ""}`);
      return origTx.call(this, names, mode, opts);
    };
    const counted = draft("count");
    await counted.submit();
    counted.free();
    IDBDatabase.prototype.transaction = origTx;
    const queued = (await store.outgoingQueue()).length;
    const workboxQueued = (await queue.getAll()).length;
    raw.close();
    await store.close();
    return { ms, bytes, queued, workboxQueued, txs };
  }, N);
} finally {
  await browser.close();
  await server.close();
}

const S = Object.fromEntries(Object.entries(r.ms).map(([k, v]) => [k, { ...stats(v), perSec: 1000 / stats(v).mean }]));
const rate = (a, b) => S[a].perSec / S[b].perSec;
const out = {
  bench: "idb-submit",
  N,
  chromium: chromiumVersion(),
  storedBytes: r.bytes,
  queued: r.queued,
  workboxQueued: r.workboxQueued,
  transactionsPerSubmit: r.txs,
  stats: S,
  ratios: {
    submitRateOverPutStrict: rate("submit", "put strict"),
    submitRateOverWorkbox: rate("submit", "workbox"),
    submitRateOverPutRelaxed: rate("submit", "put relaxed"),
    pairedSubmitOverPutStrict: pairedRatio(r.ms.submit, r.ms["put strict"]),
    pairedSubmitOverWorkbox: pairedRatio(r.ms.submit, r.ms.workbox),
  },
};
// Issue 15's targets.
out.target = {
  what: "submit ≥ 0.85x the raw (strict) put rate and ≥ 1.15x Workbox's pushRequest rate",
  minOverPut: 0.85,
  minOverWorkbox: 1.15,
  met: out.ratios.submitRateOverPutStrict >= 0.85 && out.ratios.submitRateOverWorkbox >= 1.15,
};
console.log(`IndexedDB submit vs raw put vs Workbox Queue.pushRequest: ${N} rounds interleaved, ${out.chromium} headless`);
console.log(`message: 3 recipients, 2 KB body, 100 KB attachment; stored record ${r.bytes} bytes (the size of every put and request body)`);
console.log("                                 median ms   p90 ms   p99 ms   ops/s");
for (const [k, label] of [["submit", "submit() (strict)"], ["put strict", "raw put, strict (floor)"], ["put relaxed", "raw put, relaxed"], ["workbox", "Workbox pushRequest (default)"]]) {
  const s = S[k];
  console.log(`${label.padEnd(32)} ${fmt(s.median).padStart(9)} ${fmt(s.p90).padStart(8)} ${fmt(s.p99).padStart(8)} ${fmt(s.perSec, 0).padStart(7)}`);
}
console.log(`one submit opens ${r.txs.length} IndexedDB transaction(s): ${r.txs.join(", ")}`);
console.log(`submit rate / raw strict put rate: ${fmt(out.ratios.submitRateOverPutStrict)}x (target ≥ 0.85); / Workbox rate: ${fmt(out.ratios.submitRateOverWorkbox)}x (target ≥ 1.15) → ${out.target.met ? "met" : "MISSED"}`);
// Profile figures taken by hand (bench/profiles.json), for the report's prose.
out.profile = JSON.parse(readFileSync(new URL("./profiles.json", import.meta.url), "utf8"))["idb-submit"];
emit(out);
