// Spooler drain cost: N messages queued on the memory backend in Node, then drained through
// a transport that resolves at once. Per-message cost must not grow with queue length.
//   node bench/drain.mjs [N ...]        (default: 1000 10000)
import { Store } from "mapi-outbox";

const sizes = process.argv.slice(2).map(Number).filter((n) => n > 0);
const Ns = sizes.length ? sizes : [1000, 10000];
const body = "x".repeat(2048);

async function queue(n) {
  const store = await Store.open({ identity: { email: "me@example.org" } });
  for (let i = 0; i < n; i++) {
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
  return store;
}

console.log(`node ${process.version}, ${process.platform} ${process.arch}`);
console.log(`command: node bench/drain.mjs ${Ns.join(" ")}`);
console.log("queued\tdrain ms\tper message µs\tdelivered");
for (const n of Ns) {
  const store = await queue(n);
  let delivered = 0;
  const t0 = performance.now();
  store.registerTransport({ name: "instant", addressTypes: ["SMTP"], send() { delivered++; } });
  await store.flush();
  const ms = performance.now() - t0;
  const left = (await store.outgoingQueue()).length;
  if (delivered !== n || left !== 0) throw new Error(`drain incomplete: ${delivered} delivered, ${left} left`);
  console.log(`${n}\t${ms.toFixed(0)}\t${((ms * 1000) / n).toFixed(1)}\t${delivered}`);
  await store.close();
}
