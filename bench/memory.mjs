// Memory: the wasm linear memory (the module's WebAssembly.Memory, buffer.byteLength) after
// 1,000 and after 100,000 create/submit/free cycles, in Node.
//
//   node --expose-gc bench/memory.mjs        (CYCLES=100000 by default)
//
// The package exposes no handle on the memory, and nothing is added to its API for this: the
// script imports pkg/mapi_outbox.js (the wasm-bindgen glue the package itself loads, so the
// same module instance) and calls its init function once more, which returns the already
// instantiated module's exports, `memory` among them.
//
// A cycle: createMessage, setProps (subject, 2 KB body), 3 recipients, submit, then the
// message leaves the store so that what stays is only what the library keeps per message:
//  - "free(), abort + delete": msg.free(); abortSubmit(id); deleteMessage(id).
//  - "dropped, abort + delete": the same without free(): the Message object is only dropped
//    and left to wasm-bindgen's FinalizationRegistry; gc() is forced every 1,000 cycles.
//  - "free(), sent with DeleteAfterSubmit": msg.free(); the spooler sends it through a
//    transport that resolves at once and deletes it (PidTagDeleteAfterSubmit).
//  - the same with retry.leaseMs 300 (default 30 s): each send starts a lease-renewal task
//    that sleeps leaseMs/3 before it notices the send is over, so with the default lease the
//    tasks of the last 10 s of sends are alive at once; a short lease separates that from
//    what stays for good (the finished-message tombstones).
// Each mode runs in its own child process (a fresh module: wasm memory never shrinks).
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { emit, fmt } from "./lib.mjs";

const MODES = [
  "free(), abort + delete",
  "dropped, abort + delete",
  "free(), sent with DeleteAfterSubmit",
  "free(), sent with DeleteAfterSubmit, leaseMs 300",
];
const CYCLES = Number(process.env.CYCLES ?? 100000);
const MARK = 1000;

if (process.argv[2] === "--mode") {
  const mode = MODES[Number(process.argv[3])];
  const { Store } = await import("mapi-outbox");
  const initWasm = (await import("../pkg/mapi_outbox.js")).default;
  const gc = globalThis.gc ?? (() => { throw new Error("run with node --expose-gc"); });
  const sending = mode.includes("sent");
  const store = await Store.open({ identity: { email: "me@example.org" }, spooler: sending, ...(mode.includes("leaseMs") ? { retry: { leaseMs: 300 } } : {}) });
  if (sending) store.registerTransport({ name: "instant", addressTypes: ["SMTP"], send() {} });
  const wasm = await initWasm(); // already initialised by Store.open: returns its exports
  const mem = () => wasm.memory.buffer.byteLength;
  const body = "x".repeat(2048);
  const settle = async () => {
    gc();
    await new Promise((r) => setTimeout(r, 20)); // FinalizationRegistry callbacks run as tasks
    gc();
    await new Promise((r) => setTimeout(r, 20));
  };
  const marks = [];
  let t0 = performance.now();
  for (let i = 1; i <= CYCLES; i++) {
    const m = store.createMessage();
    m.setProps({ PidTagSubject: `message ${i}`, PidTagBody: body, ...(sending ? { PidTagDeleteAfterSubmit: true } : {}) });
    m.modifyRecipients("add", [
      { PidTagEmailAddress: "a@example.org" },
      { PidTagEmailAddress: "b@example.org", PidTagRecipientType: 2 },
      { PidTagEmailAddress: "c@example.org", PidTagRecipientType: 3 },
    ]);
    const id = m.entryId;
    await m.submit();
    if (!mode.startsWith("dropped")) m.free();
    if (sending) {
      if (i % 100 === 0) await store.flush();
    } else {
      await store.abortSubmit(id);
      await store.deleteMessage(id);
    }
    if (i % 1000 === 0) {
      if (mode.startsWith("dropped")) await settle();
      if (i === MARK || i === CYCLES) {
        if (sending) await store.flush();
        if (mode.includes("leaseMs")) await new Promise((r) => setTimeout(r, 200));
        await settle();
        marks.push({ cycles: i, bytes: mem(), heapUsed: process.memoryUsage().heapUsed, seconds: (performance.now() - t0) / 1000 });
      }
    }
  }
  await store.close();
  console.log(JSON.stringify({ mode, marks }));
  process.exit(0);
}

const results = [];
console.log(`wasm linear memory after ${MARK} and ${CYCLES} create/submit cycles (Node ${process.version}, --expose-gc)`);
console.log("mode                                   after 1,000 MiB  after 100,000 MiB   growth KiB   target < 1 MiB");
for (let i = 0; i < MODES.length; i++) {
  const child = spawnSync(process.execPath, ["--expose-gc", fileURLToPath(import.meta.url), "--mode", String(i)], { encoding: "utf8", env: process.env, maxBuffer: 1 << 20 });
  let r;
  try {
    r = JSON.parse(child.stdout.trim().split("\n").pop());
  } catch {
    console.error(child.stdout, child.stderr);
    throw new Error(`mode ${MODES[i]} failed`);
  }
  const [a, b] = r.marks;
  r.growthBytes = b.bytes - a.bytes;
  r.met = r.growthBytes < 1 << 20;
  results.push(r);
  console.log(`${r.mode.padEnd(38)} ${fmt(a.bytes / 2 ** 20, 2).padStart(15)} ${fmt(b.bytes / 2 ** 20, 2).padStart(18)} ${fmt(r.growthBytes / 1024, 0).padStart(12)}   ${r.met ? "met" : "MISSED"}`);
}
emit({
  bench: "memory",
  cycles: CYCLES,
  modes: results,
  target: { what: "wasm memory growth < 1 MiB between 1,000 and 100,000 cycles", met: results.every((r) => r.met) },
});
