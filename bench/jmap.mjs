// bench:jmap — messages per second and HTTP requests per message through a real Cyrus JMAP
// server (jmapTransport, scripts/cyrus.sh + scripts/smtp-relay.mjs), next to httpTransport to
// a local HTTP sink, in the same run, same store settings, same messages.
//
//   node bench/jmap.mjs            (BENCH_JMAP_N=60 messages per round, 3 rounds, interleaved)
//   npm run bench -- jmap          the same, its result in bench/results.json and BENCHMARKS.md
//
// It starts its own Cyrus (state in a temp folder) and stops it at the end.
import { execFileSync } from "node:child_process";
import { createServer } from "node:http";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Store, httpTransport, jmapTransport } from "mapi-outbox";
import { startSmtpRelay } from "../scripts/smtp-relay.mjs";
import { emit } from "./lib.mjs";

const N = Number(process.env.BENCH_JMAP_N ?? 60);
const ROUNDS = 3;
const state = mkdtempSync(join(tmpdir(), "bench-cyrus-"));
const env = { ...process.env, CYRUS_STATE: state };
execFileSync("bash", ["scripts/cyrus.sh", "start"], { env, stdio: "inherit" });
const relay = await startSmtpRelay();
let sinkRequests = 0;
const sink = createServer((req, res) => {
  req.resume();
  req.on("end", () => {
    sinkRequests++;
    res.writeHead(200).end("ok");
  });
});
await new Promise((r) => sink.listen(0, "127.0.0.1", r));
const AUTH = { Authorization: "Basic " + Buffer.from("alice@example.test:alice-pw").toString("base64") };

async function round(kind) {
  const before = sinkRequests;
  const transport =
    kind === "jmap"
      ? jmapTransport({ sessionUrl: "http://127.0.0.1:18080/jmap", headers: AUTH })
      : httpTransport({ url: `http://127.0.0.1:${sink.address().port}/send` });
  const store = await Store.open({ identity: { email: "alice@example.test" }, transports: [transport], spooler: false });
  for (let i = 0; i < N; i++) {
    const m = store.createMessage();
    m.setProps({ PidTagSubject: `bench ${kind} ${i}`, PidTagBody: "x".repeat(2048) });
    m.modifyRecipients("add", [
      { PidTagEmailAddress: "a@example.org", PidTagRecipientType: 1 },
      { PidTagEmailAddress: "b@example.org", PidTagRecipientType: 2 },
      { PidTagEmailAddress: "c@example.org", PidTagRecipientType: 3 },
    ]);
    await m.submit();
  }
  await store.close();
  // Send: a second store object with the spooler on drains the queue (memory stores do not
  // share, so the submits above are timed apart from the sends: reopen with the spooler).
  const s2 = await Store.open({ identity: { email: "alice@example.test" }, transports: [transport] });
  for (let i = 0; i < N; i++) {
    const m = s2.createMessage();
    m.setProps({ PidTagSubject: `bench ${kind} ${i}`, PidTagBody: "x".repeat(2048) });
    m.modifyRecipients("add", [
      { PidTagEmailAddress: "a@example.org", PidTagRecipientType: 1 },
      { PidTagEmailAddress: "b@example.org", PidTagRecipientType: 2 },
      { PidTagEmailAddress: "c@example.org", PidTagRecipientType: 3 },
    ]);
    await m.submit();
  }
  const t0 = performance.now();
  const r = await s2.flush();
  const ms = performance.now() - t0;
  await s2.close();
  if (r.remaining !== 0) throw new Error(`${kind}: ${r.remaining} messages left`);
  const requests = kind === "jmap" ? transport.requests : sinkRequests - before;
  return { msgPerSec: (N * 1000) / ms, reqPerMsg: requests / N };
}

const results = { jmap: [], http: [] };
try {
  for (let i = 0; i < ROUNDS; i++) {
    for (const k of ["jmap", "http"]) results[k].push(await round(k));
  }
} finally {
  sink.close();
  await relay.close();
  execFileSync("bash", ["scripts/cyrus.sh", "stop"], { env, stdio: "inherit" });
  rmSync(state, { recursive: true, force: true });
}
const median = (a) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)];
const summary = Object.fromEntries(
  ["jmap", "http"].map((k) => [k, { msgPerSec: median(results[k].map((x) => x.msgPerSec)), reqPerMsg: median(results[k].map((x) => x.reqPerMsg)) }]),
);
console.log(`command: node bench/jmap.mjs (N=${N} messages per round, ${ROUNDS} rounds, median)`);
for (const k of ["jmap", "http"]) {
  console.log(
    `${k === "jmap" ? "jmapTransport via Cyrus 3.6" : "httpTransport to a local sink"}: ${summary[k].msgPerSec.toFixed(1)} msg/s, ${summary[k].reqPerMsg.toFixed(2)} requests/msg (first message's session setup included)`,
  );
}
emit({ N, rounds: ROUNDS, ...summary, ratio: summary.jmap.msgPerSec / summary.http.msgPerSec });
