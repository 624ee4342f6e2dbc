// BENCHMARKS.md from bench/results.json: the method, the machine, the commands, the latest
// figures as ratios against the alternatives, and for each missed target the cause found and
// the next step. bench/run.mjs calls it after every run; on its own it regenerates the file
// from the last results:
//
//   node bench/report.mjs
//
// The figures come from results.json; the causes and next steps (FINDINGS below) are written
// by hand from the profiles and stay true only for the code they were found on: when a
// target's verdict changes, revisit its finding.
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const repo = join(dirname(fileURLToPath(import.meta.url)), "..");
const f = (x, d = 2) => (x == null || Number.isNaN(x) ? "–" : Number(x).toFixed(d));
const kib = (b) => (b / 1024).toFixed(1);
const kb = (b) => (b / 1000).toFixed(1);
const verdict = (t) => (t == null ? "–" : t.met ? "met" : "**missed**");
const plain = (t) => (t == null ? "–" : t.met ? "met" : "MISSED");

// --- the summary: one row per target, for the console and the top of BENCHMARKS.md ------
export function summaryRows(results) {
  const b = results.benches ?? {};
  const rows = [];
  const idb = b["idb-submit"];
  if (idb) {
    const r = idb.ratios;
    rows.push([
      "1. submit on IndexedDB (Chromium), rate vs raw strict put / Workbox",
      `${f(r.submitRateOverPutStrict)}x / ${f(r.submitRateOverWorkbox)}x (p50 ${f(idb.stats.submit.median)} ms)`,
      `≥0.70x / ≥1.00x: ${plain(idb.target)}`,
    ]);
  }
  const mem = b["submit-memory"];
  if (mem) {
    rows.push([
      "2. submit on memory (Node), typical message",
      `p50 ${f(mem.submit.typical.median, 3)} ms, ${f(1000 / mem.submit.typical.mean, 0)}/s; boundary ${f(mem.boundaryShare?.typical?.fraction * 100, 1)}%`,
      "no target",
    ]);
  }
  const sc = b.scale;
  if (sc) {
    const s = sc.flat;
    rows.push([
      `3. scale, memory backend (${sc.Ns.join("/")})`,
      `spread queue ${f(s.outgoingQueueUsPerRow.spread)}x, contents ${f(s.contentsUsPerRow.spread)}x, drain ${f(s.drainUsPerMsg.spread)}x`,
      `≤1.30x: ${plain(sc.target)}`,
    ]);
  }
  const si = b["scale-idb"];
  if (si) {
    const s = si.flat;
    rows.push([
      `3. scale, IndexedDB (${si.Ns.join("/")})`,
      `spread queue ${f(s.outgoingQueueUsPerRow.spread)}x, contents ${f(s.contentsUsPerRow.spread)}x, drain ${f(s.drainUsPerMsg.spread)}x`,
      `≤1.30x: ${plain(si.target)}`,
    ]);
  }
  const mime = b.mime;
  if (mime) {
    rows.push([
      "4. toMime speed-up vs the faster of MailComposer / mimetext",
      mime.cases.map((c) => `${c.case} ${f(c.speedup)}x`).join(", "),
      `≥2x each: ${plain(mime.target)}`,
    ]);
  }
  const size = b.size;
  if (size) {
    rows.push([
      "5. size: what a browser loads, gzip",
      `${kb(size.browserTotal.gzip)} KB (.wasm ${kb(size.files[0].gzip)} KB)`,
      `<150 KB: ${plain(size.target)}`,
    ]);
  }
  const m = b.memory;
  if (m) {
    rows.push([
      `6. wasm memory growth, 1,000 → ${m.cycles.toLocaleString("en")} cycles`,
      m.modes.map((x) => `${x.mode.replace("free(), ", "").replace("DeleteAfterSubmit", "DAS")} ${f(x.growthBytes / 2 ** 20)} MiB`).join("; "),
      `<1 MiB: ${plain(m.target)}`,
    ]);
  }
  const st = b.startup;
  if (st) {
    rows.push([
      "7. start-up, cold, import → first Store.open (Chromium)",
      `memory ${f(st.stats.memory.total.median, 0)} ms, indexeddb ${f(st.stats.indexeddb.total.median, 0)} ms (median)`,
      "no target",
    ]);
  }
  return rows;
}

// --- the causes found and the next steps, per missed target --------------------------------
const FINDINGS = {
  "idb-submit": `Profile (\`node bench/profile-idb.mjs\`, Chromium's CPU profiler over 200 submits, with a build
that keeps its function names: \`BENCH_PKG_DIR\`, see bench/server.mjs): the renderer is idle
about 45% of a submit, waiting for IndexedDB. A submit is one strict readwrite transaction,
like the raw put, but it makes two round trips to the database where the put makes one: it
first reads the store's meta record (the change sequence) and the message's existing record
(to run the state transition on it), awaits them, then writes the record and the meta and
commits. The CPU part (about 1 ms) is mostly the structured clone of the ~100 KB record
into IndexedDB (\`put\`, the same cost as the raw put's), the \`get\`s, the BroadcastChannel
\`postMessage\` that wakes other tabs, postcard serialising the content blob element by
element (\`serde::Serializer::collect_seq\`, ~0.2 ms: the attachment bytes are a \`Vec<u8>\`
without \`serde_bytes\`) and the CRC-32. Workbox's pushRequest writes with the default
(relaxed) durability, so it is compared with a strict submit here; the relaxed raw put row
shows what that is worth.
Next step (src/wasm/idb, src/store/codec.rs; not in this issue): let a submit of a message that
was never saved skip the read round trip (its record cannot exist: the entry id is new; the
change sequence can come from a per-tab counter seeded at open, or from the write itself
through a key generator), and serialise byte strings with \`serde_bytes\` (one copy instead of
a per-byte loop).`,
  scale: `The memory backend keeps the queue and each folder as ordered maps, so outgoingQueue() and
contents() are one pass over the rows and the spooler's next-message look-up is O(1) at the
head of the queue. Per-row costs are dominated by building the JS row objects (about a dozen
properties each, through js-sys \`Reflect.set\` calls); the larger queues also pay V8's
garbage collector for the bigger heap (the 100,000 run keeps 100,000 records of ~2.3 KB in
wasm memory and 100,000 row objects at once). When the spread is above 1.30x, it is in
these listing calls, not in the drain.
Next step: build rows in one call per row (an object literal from a JS helper, or
\`serde-wasm-bindgen\`) instead of one \`Reflect.set\` per property.`,
  "scale-idb": `The IndexedDB backend's outgoing queue is read with one \`getAll\` over the \`byQueue\` index, and
the spooler's \`next_due\` (which message goes next) and \`next_wake\` call it once per message:
every look at the queue reads and decodes every queued record. Draining is therefore O(n) per
message, O(n²) in all: the per-message drain cost grows with the queue length, about in
proportion to it, and a 100,000-message queue could not be drained in this run at all (it is
sampled over its first 20 messages). outgoingQueue() and contents() are O(n) in rows, as a
listing must be, but each row also decodes the message's record.
Next step (src/wasm/idb, src/wasm/backend.rs): find the next due message with a cursor over
\`byQueue\` that stops at the first eligible record (an index on the eligibility time would let it
skip deferred and backing-off ones), and keep listings to the metadata (the message content in
a separate object store, which is under way on main).`,
  mime: `toMime's output is 7-bit clean with CRLF line endings and lines of at most 76 octets; mimetext's
is neither (bare LF, text parts as one line per paragraph, and the 10 MiB attachment as one
line of 14 million base64 characters — longer than SMTP's 998-octet limit), which makes it
cheap on the text cases. On the big attachments the time is in base64 encoding with line
breaks (mail-builder), in copying the finished message out of wasm memory into a JS
Uint8Array, and in the 1.4x bigger output buffer growing as it is written; MailComposer's
base64 is Node's native (C++) encoder. Neither difference is call overhead (see item 2).
Next step: write the message into a buffer sized up front (the encoded size is known), and
base64-encode attachments with a table-driven SIMD-friendly loop (or hand the attachment
bytes to the platform's native base64 in JS and let Rust write only the headers); the short
cases are within 2x of a builder that skips folding and encoding.`,
  size: `What is in the .wasm (function sizes from a build that keeps its names, \`wasm-opt -O3 -g\`):
the js-sys/wasm-bindgen-futures glue around every async export (\`future_to_promise\` and its
closures, ~30 KB), BTreeMap code monomorphised for several key types (~43 KB),
\`core::fmt\` float formatting (\`flt2dec\`, ~15 KB, with its tables), mail-builder (~30 KB) and
encodify's quoted-printable and base64 (~20 KB, plus 16 KB of base64 lookup tables in the data
section), postcard/serde (~14 KB) and dlmalloc (~7 KB); the library's own code (spooler, store,
bindings) is about 45% of the code. Release settings help little: opt-level "z" saves about
14 KB gzip (6%) over "s", wasm-opt -Oz/-Os about 1 KB over -O3; lto, codegen-units 1 and
panic=abort are already set (panic=unwind builds the same module on this target).
Next step: drop float formatting (format integers only), keep map types to one or two key
types, replace encodify's table-based encoders with small loops, and consider a smaller
allocator; then re-measure. Getting under 150 KB gzip needs about a third of the module gone.`,
  memory: `Sending leaks, and the benchmark shows it: with a spooler sending and deleting each message,
wasm memory and the JS heap both grow by about 1.3 KB per message, for good (a heap
snapshot after 10,000 sends holds ~30,000 wasm-bindgen closure functions, all reachable only
from wasm-bindgen's externref table, i.e. from Rust). The cause is \`Closure::once_into_js\`,
whose closure is freed only when JavaScript calls it: (1) \`JsTransport::send\` (src/wasm/
transport.rs) makes two, \`on_ok\` and \`on_err\`, for the transport's promise, and only one of
them is ever called; (2) the spooler's wake-up timer (\`schedule_wake\` in src/wasm/spooler.rs)
makes one per pass while a message is locked, and clears the timer of the previous one, so
that closure is never called either. The finished-message tombstones (one entry id each, kept
so that abortSubmit answers MAPI_E_NOT_IN_QUEUE) are a small part of the rest. Abort + delete
and dropping objects without free() (left to wasm-bindgen's FinalizationRegistry) do not grow.`,
};

// --- BENCHMARKS.md -----------------------------------------------------------------------
function table(head, rows) {
  return [`| ${head.join(" | ")} |`, `| ${head.map(() => "---").join(" | ")} |`, ...rows.map((r) => `| ${r.join(" | ")} |`)].join("\n");
}

function finding(id, bench) {
  if (!bench?.target || bench.target.met) return "";
  return `\n**Target missed: cause and next step.** ${FINDINGS[id] ?? "(not investigated yet)"}\n`;
}

function section1(b) {
  if (!b) return "Not run yet.";
  const s = b.stats;
  const rows = [
    ["`submit()` (strict durability)", "submit"],
    ["raw IndexedDB put, strict (the floor)", "put strict"],
    ["raw IndexedDB put, relaxed", "put relaxed"],
    ["Workbox `Queue.pushRequest` (default durability)", "workbox"],
  ].map(([label, k]) => [label, f(s[k].median), f(s[k].p90), f(s[k].p99), f(s[k].perSec, 0), f(s.submit.perSec / s[k].perSec)]);
  return `${b.N} rounds, each of the four in a rotating order; the message has 3 recipients, a 2 KB
body and one 100 KB attachment; the put and the request carry as many bytes as one submit
stores (${b.storedBytes} bytes). One submit opens ${b.transactionsPerSubmit.length} IndexedDB transaction(s): ${b.transactionsPerSubmit.join(", ")}.
Chromium's \`performance.now()\` has 0.1 ms resolution.

${table(["operation", "median ms", "p90 ms", "p99 ms", "ops/s", "submit rate ÷ this rate"], rows)}

Median of the per-round ratios submit ÷ strict put: ${f(b.ratios.pairedSubmitOverPutStrict.median)}x the time; submit ÷ Workbox: ${f(b.ratios.pairedSubmitOverWorkbox.median)}x.
Target: submit rate ≥ 0.70x the raw strict put rate and ≥ Workbox's → ${verdict(b.target)}.
${finding("idb-submit", b)}`;
}

function section2(b) {
  if (!b) return "Not run yet.";
  const s = b.submit;
  const rows = [
    ["3 recipients, 2 KB body", s.small, b.compose.small],
    ["the same + 100 KB attachment", s.typical, b.compose.typical],
  ].map(([label, x, c]) => [label, f(x.median, 3), f(x.p90, 3), f(x.p99, 3), f(1000 / x.mean, 0), f(c.median, 3)]);
  const B = b.boundaryNsPerCall;
  const brow = Object.entries(B).map(([k, v]) => [k, f(v.median, 1), f(v.p90, 1)]);
  const share = Object.entries(b.boundaryShare ?? {}).map(
    ([k, v]) => `${k}: ${v.crossings.jsToWasm} JS→wasm and ${v.crossings.wasmToJs} wasm→JS calls per submit ≈ ${f(v.estimatedMs * 1000, 1)} µs, ${f(v.fraction * 100, 2)}% of its median`,
  );
  return `${b.N} submits of each kind, interleaved; only \`await submit()\` is timed.

${table(["message", "median ms", "p90 ms", "p99 ms", "submits/s", "composing it, median ms"], rows)}

The JS↔wasm boundary (calls in a tight loop, 100,000 per sample):

${table(["call", "median ns", "p90 ns"], brow)}

${share.map((x) => `- ${x}`).join("\n")}

The boundary is not where a submit's time goes; the no-op call costs about ${f(B["wasm no-op (glue start())"].median / B["empty JS function"].median, 1)}x an empty JS call.
The cheapest public getter (\`entryId\`) is ~${f(B["message.entryId read"].median / 1000, 1)} µs because it goes through js/common.js's freed-object guard and returns a 72-digit hex string.
`;
}

function scaleTable(b, drainLabel) {
  const rows = b.rows.map((r) => [
    r.n.toLocaleString("en"),
    f(r.submitUsPerMsg ?? r.fillUsPerMsg, 1),
    `${f(r.outgoingQueueMs, 1)} (${f(r.outgoingQueueUsPerRow, 2)})`,
    `${f(r.contentsMs, 1)} (${f(r.contentsUsPerRow, 2)})`,
    `${f(r.drainMs, 0)} (${f(r.drainUsPerMsg, 1)})${r.drained != null && r.drained !== r.n ? ` [first ${r.drained}]` : ""}`,
  ]);
  rows.push([
    "spread max/min",
    b.flat.submitUsPerMsg ? `${f(b.flat.submitUsPerMsg.spread)}x` : "",
    `${f(b.flat.outgoingQueueUsPerRow.spread)}x`,
    `${f(b.flat.contentsUsPerRow.spread)}x`,
    `${f(b.flat.drainUsPerMsg.spread)}x`,
  ]);
  return table(["queued", "submit µs/msg", "outgoingQueue() ms (µs/row)", 'contents("outbox") ms (µs/row)', drainLabel], rows);
}

function section3(mem, idb) {
  let out = "";
  if (mem) {
    out += `**Memory backend, Node.** Messages of 3 recipients and a 2 KB body; each N is run ${mem.rows.map((r) => `${r.runs}x`).join(" / ")} (median kept), the runs of different N interleaved.

${scaleTable(mem, "drain ms (µs/msg)")}

Target: per-message cost flat within 30% (outgoingQueue, contents, drain) → ${verdict(mem.target)}.
${finding("scale", mem)}`;
  }
  if (idb) {
    out += `
**IndexedDB, Chromium.** The same messages, 16 submits in flight while filling; the drain is the
time until the first K messages are delivered, per message, by a spooler started on the full queue.

${scaleTable(idb, "drain of the first K: ms (µs/msg)")}

Target: per-message cost flat within 30% → ${verdict(idb.target)}${idb.Ns.includes(100000) ? "" : " (100,000 not run: BENCH_QUICK)"}.
${finding("scale-idb", idb)}`;
  }
  return out || "Not run yet.";
}

function section4(b) {
  if (!b) return "Not run yet.";
  const rows = [];
  for (const c of b.cases) {
    const ours = c.stats["mapi-outbox toMime()"];
    for (const [n, s] of Object.entries(c.stats)) {
      const facts = c.facts[n];
      rows.push([
        n === "mapi-outbox toMime()" ? c.case : "",
        n,
        f(s.median, 3),
        f(s.p90, 3),
        n === "mapi-outbox toMime()" ? "1" : f(s.median / ours.median),
        facts.bytes.toLocaleString("en"),
        `${facts.crlf ? "CRLF" : "LF"}, ${facts.longestLine.toLocaleString("en")}`,
      ]);
    }
    rows.push(["", "(compose + toMime)", f(c.composeAndToMime.median, 3), f(c.composeAndToMime.p90, 3), "", "", ""]);
  }
  return `Interleaved in a rotating order; every builder's output of every case is first read back
with mailparser (subject, addresses, text, html, attachment bytes must match). Timed: \`toMime()\`
on a message already composed (composing is the application's normal use of the library;
"compose + toMime" shows the whole job from plain inputs, as the other two are timed);
\`new MailComposer(...).compile().build()\`; mimetext's calls, \`asRaw()\` and \`Buffer.from\` of the
result (mimetext takes attachments as base64 text, so that conversion is timed too).

${table(["case", "builder", "median ms", "p90 ms", "÷ toMime (×slower)", "output bytes", "line ends, longest line"], rows)}

Speed-up of toMime over the faster of the other two: ${b.cases.map((c) => `${c.case} ${f(c.speedup)}x (vs ${c.fastestOther})`).join("; ")}.
Target: ≥ 2x on every case → ${verdict(b.target)}.
${finding("mime", b)}`;
}

function section5(b) {
  if (!b) return "Not run yet.";
  const rows = [...b.files, { file: "**total a browser loads**", ...b.browserTotal }].map((x) => [x.file, kib(x.raw), kib(x.gzip), kib(x.brotli)]);
  const OPTS = ["none", "-O3", "-Os", "-Oz"];
  const vrows = (b.variants ?? []).filter((v) => !v.error).map((v) => [
    `opt-level ${v.profile.opt}, lto ${v.profile.lto}, codegen-units ${v.profile.cgu}, panic ${v.profile.panic}`,
    ...OPTS.map((o) => `${kib(v.opt[o].gzip)} (${kib(v.opt[o].raw)})`),
  ]);
  return `Sizes in KiB (1024 bytes); gzip -9 and brotli q11 as a server would send them; the package is
built by \`scripts/build.sh\` (the \`[profile.release]\` of Cargo.toml, then wasm-opt -O3).

${table(["file", "raw KiB", "gzip KiB", "brotli KiB"], rows)}

${b.tarball ? `npm tarball: ${kib(b.tarball.size)} KiB packed, ${kib(b.tarball.unpackedSize)} KiB unpacked, ${b.tarball.entryCount} files.` : ""}

Release settings and wasm-opt (built by bench/size.mjs through \`CARGO_PROFILE_RELEASE_*\` into
target dirs under /tmp; .wasm gzip KiB, raw KiB in brackets):

${vrows.length ? table(["[profile.release]", ...OPTS.map((o) => `wasm-opt ${o}`)], vrows) : "(variants not built in this run: SIZE_VARIANTS=0)"}

${b.best ? `Smallest: ${b.best.profile} with wasm-opt ${b.best.wasmOpt}: .wasm ${kib(b.best.wasmGzip)} KiB gzip, ${kb(b.best.packageGzip)} KB for the whole package.` : ""}
Target: the whole package under 150 KB gzip → ${verdict(b.target)} (${kb(b.browserTotal.gzip)} KB).
${finding("size", b)}`;
}

function section6(b) {
  if (!b) return "Not run yet.";
  const rows = b.modes.map((m) => [m.mode, f(m.marks[0].bytes / 2 ** 20), f(m.marks[1].bytes / 2 ** 20), f(m.growthBytes / 1024, 0), f(m.growthBytes / (m.marks[1].cycles - m.marks[0].cycles), 0), m.met ? "met" : "**missed**"]);
  return `wasm linear memory (\`WebAssembly.Memory\` byteLength) after 1,000 and after ${b.cycles.toLocaleString("en")} cycles of
createMessage, setProps (subject, 2 KB body), 3 recipients, submit; then the message leaves the
store (abort + delete, or sent by a spooler through a transport that resolves at once, with
\`PidTagDeleteAfterSubmit\`). Each mode runs in its own Node process (wasm memory never shrinks);
\`gc()\` is forced before each reading ("dropped": every 1,000 cycles, so that wasm-bindgen's
FinalizationRegistry frees the dropped objects).

${table(["mode", "after 1,000 MiB", `after ${b.cycles.toLocaleString("en")} MiB`, "growth KiB", "bytes per cycle", "< 1 MiB"], rows)}

Target: growth under 1 MiB → ${verdict(b.target)}.
${finding("memory", b)}`;
}

function section7(b) {
  if (!b) return "Not run yet.";
  const rows = Object.entries(b.stats).map(([k, s]) => [k, f(s.import.median, 1), f(s.open.median, 1), f(s.total.median, 1), f(s.total.p90, 1), f(s.wasmFetch.median, 1)]);
  return `${b.samples} samples per backend, each in a fresh Chromium with a fresh profile (no HTTP cache, no
compiled-code cache), served from localhost; the two backends alternate.

${table(["backend", "import() ms", "Store.open ms", "import → open resolved, median ms", "p90 ms", ".wasm fetch ms"], rows)}

\`import()\` includes fetching and compiling the .wasm (the package instantiates it on import);
the IndexedDB open adds creating the database (upgrade transaction).
`;
}

export function render(results) {
  const b = results.benches ?? {};
  const m = results.machine ?? {};
  const cmd = (id) => (b[id] ? `\`${b[id].command}\`` : "");
  return `# Benchmarks

<!-- Generated by bench/report.mjs from bench/results.json (npm run bench). Do not edit by hand:
     change bench/report.mjs (the causes and next steps are its FINDINGS) and regenerate. -->

mapi-outbox measured next to what an application would use instead: a hand-written outbox
on raw IndexedDB, workbox-background-sync's queue, and nodemailer's MailComposer or mimetext
for MIME. Every comparison runs the alternatives **in the same process, interleaved** (the order
rotates every round), so they see the same machine load; the figures that matter are the
**ratios** between them. Absolute times on this shared 2-CPU machine are noisy from run to run.

Latest run: ${results.generatedAt ?? "?"} (commit ${results.commit ?? "?"}, \`${results.command ?? "npm run bench"}\`).

## Summary

${table(["measurement", "result", "target"], summaryRows(results))}

## How to run

\`\`\`sh
npm run build            # pkg/ (bench/run.mjs builds it when missing)
npm run bench            # all measurements (~10–15 min here), table, bench/results.json, BENCHMARKS.md
npm run bench -- mime size   # only some (ids: ${["idb-submit", "submit-memory", "scale", "scale-idb", "mime", "size", "memory", "startup"].join(", ")}); the others keep their last results
BENCH_QUICK=1 npm run bench  # scaled down (~3 min): fewer rounds, no 100,000-message runs, no size variants
node bench/report.mjs    # regenerate this file from bench/results.json
node bench/profile-idb.mjs   # diagnostic: Chromium's CPU profile of IndexedDB submits
\`\`\`

Each measurement is also a script that runs on its own and prints its table (the commands
below); \`npm run bench\` runs each in its own Node process. Knobs: \`N\` (idb-submit rounds,
submit-memory submits), \`ROUNDS_SCALE\` (mime), \`CYCLES\` (memory), \`SAMPLES\` (startup),
\`SIZE_VARIANTS=0\` (size without rebuilding the crate with other settings), sizes as arguments
(\`node bench/drain.mjs 1000 10000\`). The benchmarks are not part of \`npm test\`.

## Machine

${table(["", ""], [
    ["CPU", `${m.cpu ?? "?"} (${m.lscpu ?? "?"}), ${m.cores ?? "?"} cores, shared with other work`],
    ["RAM", `${m.ramGiB ?? "?"} GiB`],
    ["OS", m.os ?? "?"],
    ["Node", m.node ?? "?"],
    ["Chromium", `${m.chromium ?? "?"}, headless, through playwright-core`],
    ["load average at the end", (m.loadavg ?? []).join(", ")],
  ])}

## 1. Submit on IndexedDB (Chromium)

${cmd("idb-submit")}

${section1(b["idb-submit"])}

## 2. Submit on the memory backend (Node) and the JS↔wasm boundary

${cmd("submit-memory")}

${section2(b["submit-memory"])}

## 3. Scale: outgoingQueue(), contents() and the drain at 1,000 / 10,000 / 100,000

${cmd("scale")} ${cmd("scale-idb")}

${section3(b.scale, b["scale-idb"])}

## 4. MIME: toMime vs MailComposer and mimetext (Node)

${cmd("mime")}

${section4(b.mime)}

## 5. Size

${cmd("size")}

${section5(b.size)}

## 6. Memory

${cmd("memory")}

${section6(b.memory)}

## 7. Start-up (Chromium, cold)

${cmd("startup")}

${section7(b.startup)}
`;
}

export function writeReport(results) {
  writeFileSync(join(repo, "BENCHMARKS.md"), render(results));
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const file = join(repo, "bench/results.json");
  if (!existsSync(file)) {
    console.error("bench/results.json is missing: run `npm run bench` first");
    process.exit(1);
  }
  writeReport(JSON.parse(readFileSync(file, "utf8")));
  console.log("BENCHMARKS.md regenerated from bench/results.json");
}
