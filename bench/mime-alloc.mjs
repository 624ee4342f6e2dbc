// Diagnostic (not a benchmark): why toMime() of a 10 MiB attachment takes ~5 ms in one Node
// process and ~10 ms in the next. The result is a new 14 MB Uint8Array; Node takes its memory
// from glibc's malloc, which either reuses freed memory or maps fresh pages (a page fault and
// the kernel's zeroing per 4 KiB) depending on its dynamic mmap and trim thresholds, i.e. on
// what the process allocated and freed before. Compare:
//
//   for i in 1 2 3 4 5 6; do perf stat -e page-faults node bench/mime-alloc.mjs; done
//   for i in 1 2 3 4 5 6; do MALLOC_MMAP_THRESHOLD_=268435456 MALLOC_TRIM_THRESHOLD_=1073741824 \
//     perf stat -e page-faults node bench/mime-alloc.mjs; done
//
// Knobs: CREATE=1 composes, converts and frees another 10 MiB message between the timed
// calls; PRE="1m:50,s:1000" first converts 50 messages with a 1 MiB attachment and 1,000
// short ones (the order bench/mime.mjs runs its cases in).
import { Store } from "mapi-outbox";
import { attach } from "./lib.mjs";

const store = await Store.open({ spooler: false });
// The upper median (element n/2 of the sorted list), as the figures in profiles.json were taken.
const median = (a) => [...a].sort((x, y) => x - y)[a.length >> 1];
const bytes = (n) => Uint8Array.from({ length: n }, (_, i) => (i * 2654435761) >>> 24);
function compose(data, text) {
  const msg = store.createMessage();
  msg.setProps({ PidTagSubject: "x", PidTagSenderEmailAddress: "me@example.org", PidTagBody: text });
  msg.modifyRecipients("add", [{ PidTagRecipientType: 1, PidTagEmailAddress: "a@example.org" }]);
  if (data) attach(msg, "a.bin", "application/octet-stream", data);
  return msg;
}
for (const step of (process.env.PRE ?? "").split(",").filter(Boolean)) {
  const [kind, n] = step.split(":");
  const data = kind === "1m" ? bytes(1 << 20) : null;
  for (let i = 0; i < Number(n); i++) {
    const m = compose(data, "Short note.");
    m.toMime();
    m.free();
  }
}
const big = bytes(10 << 20);
const held = compose(big, "Short note.");
const times = [];
for (let r = 0; r < 30; r++) {
  if (process.env.CREATE === "1") {
    const m = compose(big, "Short note.");
    m.toMime();
    m.free();
  }
  const t0 = performance.now();
  held.toMime();
  times.push(performance.now() - t0);
}
held.free();
await store.close();
console.log(`toMime() of a 10 MiB attachment, median of 30: ${median(times).toFixed(2)} ms (PRE=${process.env.PRE ?? ""} CREATE=${process.env.CREATE ?? ""})`);
