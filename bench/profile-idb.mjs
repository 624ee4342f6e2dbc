// Diagnostic (not part of `npm run bench`): Chromium's CPU profiler over N IndexedDB submits of
// the typical message (3 recipients, 2 KB body, 100 KB attachment), self time by function.
//   node bench/profile-idb.mjs        (N=100)
import { launchChromium } from "../tests/support/browser.mjs";
import { benchServerOnly } from "./server.mjs";

const N = Number(process.env.N ?? 100);
const server = await benchServerOnly();
const browser = await launchChromium();
try {
  const page = browser.page;
  await page.goto(server.url);
  await page.locator("body[data-ready=true]").waitFor({ state: "attached" });
  await page.evaluate(async () => {
    const { mox } = window.bench;
    window.store = await mox.Store.open({ backend: "indexeddb", name: "prof", identity: { email: "me@example.org" }, spooler: false });
    const body = "x".repeat(2048);
    const attachment = Uint8Array.from({ length: 100 * 1024 }, (_, i) => (i * 31) & 255);
    window.draft = (i) => {
      const m = store.createMessage();
      m.setProps({ PidTagSubject: `p ${i}`, PidTagBody: body });
      m.modifyRecipients("add", [0, 1, 2].map((k) => ({ PidTagEmailAddress: `r${k}@example.org` })));
      const a = m.createAttach();
      a.setProps({ PidTagAttachLongFilename: "r.pdf", PidTagAttachDataBinary: attachment });
      a.saveChanges();
      a.free();
      return m;
    };
    for (let i = 0; i < 20; i++) { const m = draft(i); await m.submit(); m.free(); }
  });
  const cdp = await page.context().newCDPSession(page);
  await cdp.send("Profiler.enable");
  await cdp.send("Profiler.setSamplingInterval", { interval: 100 });
  await cdp.send("Profiler.start");
  const wall = await page.evaluate(async (N) => {
    let inSubmit = 0, inCompose = 0;
    for (let i = 0; i < N; i++) {
      let t = performance.now();
      const m = draft(i);
      inCompose += performance.now() - t;
      t = performance.now();
      await m.submit();
      inSubmit += performance.now() - t;
      m.free();
    }
    return { inSubmit, inCompose };
  }, N);
  const { profile } = await cdp.send("Profiler.stop");
  const dt = profile.timeDeltas;
  const self = new Map();
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  profile.samples.forEach((id, i) => {
    const n = byId.get(id);
    const k = `${n.callFrame.functionName || "(anonymous)"} ${n.callFrame.url.split("/").pop()}`;
    self.set(k, (self.get(k) ?? 0) + (dt[i] ?? 0));
  });
  const total = [...self.values()].reduce((a, b) => a + b, 0);
  console.log(`${N} submits: ${(wall.inSubmit / N).toFixed(2)} ms each in submit(), ${(wall.inCompose / N).toFixed(2)} ms composing; profile ${(total / 1000).toFixed(0)} ms`);
  for (const [k, v] of [...self].sort((a, b) => b[1] - a[1]).slice(0, 25)) {
    console.log(`${(v / 1000).toFixed(1).padStart(8)} ms ${((100 * v) / total).toFixed(1).padStart(5)}%  ${k}`);
  }
} finally {
  await browser.close();
  await server.close();
}
