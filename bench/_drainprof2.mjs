import { Store } from "mapi-outbox";
import { Session } from "node:inspector/promises";
import fs from "node:fs";
const N = Number(process.argv[2] || 3000);
const body = "x".repeat(2048);
const store = await Store.open({ backend: "memory", identity: { email: "me@example.org" } });
for (let i = 0; i < N; i++) {
  const m = store.createMessage();
  m.setProps({ PidTagSubject: `message ${i}`, PidTagBody: body });
  m.modifyRecipients("add", [
    { PidTagEmailAddress: "a@example.org" },
    { PidTagEmailAddress: "b@example.org", PidTagRecipientType: 2 },
    { PidTagEmailAddress: "c@example.org", PidTagRecipientType: 3 },
  ]);
  await m.submit();
  m.free();
}
const s = new Session(); s.connect();
await s.post("Profiler.enable"); await s.post("Profiler.setSamplingInterval", { interval: 100 });
await s.post("Profiler.start");
let sent = 0;
const t0 = performance.now();
store.registerTransport({ name: "t", addressTypes: ["SMTP"], send: async () => { sent++; } });
await store.flush();
const ms = performance.now() - t0;
const { profile } = await s.post("Profiler.stop");
fs.writeFileSync("/tmp/prof/drain.cpuprofile", JSON.stringify(profile));
console.log(`drain ${N}: ${ms.toFixed(0)} ms, ${(ms * 1000 / N).toFixed(1)} µs/msg, sent ${sent}`);
await store.close();
