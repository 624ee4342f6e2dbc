// SPEC §6 "each message delivered exactly once": 200 submits counted by submissionId, with
// a transport that resolves at once and with one that fails transiently now and then.
import { test } from "node:test";
import assert from "node:assert/strict";
import { MapiError } from "mapi-outbox";
import { openSpoolStore, fakeTransport, events, recipient, newMessage, latin1 } from "./helpers.mjs";

const N = 200;

async function submitMany(store, n) {
  const ids = [];
  for (let i = 0; i < n; i++) {
    const msg = newMessage(store, `bulk ${i}`, [recipient(`r${i}@example.org`)]);
    ids.push(msg.entryId);
    await msg.submit();
    msg.free();
  }
  return ids;
}

/** Map submissionId → number of successful deliveries. */
function deliveries(tr) {
  const count = new Map();
  for (const c of tr.calls) {
    if (!c.delivered) continue;
    count.set(c.outgoing.submissionId, (count.get(c.outgoing.submissionId) ?? 0) + 1);
  }
  return count;
}

test(`${N} submits: each delivered exactly once (counted by submissionId), all in Sent Items, queue empty`, async (t) => {
  const tr = fakeTransport({
    behave: (_o, _c, call) => {
      call.delivered = true;
      return Promise.resolve();
    },
  });
  const store = await openSpoolStore(t, { transports: [tr] });
  const ids = await submitMany(store, N);
  await store.flush();
  const count = deliveries(tr);
  assert.equal(count.size, N, "distinct submissionIds delivered");
  for (const [sid, k] of count) assert.equal(k, 1, `submission ${sid} delivered ${k} times`);
  assert.equal(tr.calls.length, N);
  const submittedIds = new Set(events(store).of("submitted").map((e) => e.detail.submissionId));
  assert.deepEqual([...count.keys()].sort(), [...submittedIds].sort());
  assert.deepEqual(new Set(tr.calls.map((c) => c.outgoing.entryId)), new Set(ids));
  assert.equal(events(store).of("sent").length, N);
  assert.equal((await store.contents("sent")).length, N);
  assert.deepEqual(await store.outgoingQueue(), []);
  // each message went to its own recipient
  for (const c of tr.calls) {
    const i = Number(/bulk (\d+)/.exec(latin1(c.outgoing.mime))[1]);
    assert.deepEqual([...c.outgoing.rcptTo], [`r${i}@example.org`]);
  }
});

test(`${N} submits through a flaky transport (every 3rd call fails transiently): still each delivered exactly once`, async (t) => {
  let n = 0;
  const tr = fakeTransport({
    behave: (_o, _c, call) => {
      n += 1;
      if (n % 3 === 0) return Promise.reject(Object.assign(new MapiError("MAPI_E_NETWORK_ERROR", "flaky"), { retryAfterMs: 1 }));
      call.delivered = true;
      return Promise.resolve();
    },
  });
  const store = await openSpoolStore(t, { transports: [tr] });
  await submitMany(store, N);
  for (let i = 0; i < 50 && (await store.outgoingQueue()).length > 0; i++) {
    await store.flush();
    await new Promise((r) => setTimeout(r, 5));
  }
  const count = deliveries(tr);
  assert.equal(count.size, N);
  for (const [sid, k] of count) assert.equal(k, 1, `submission ${sid} delivered ${k} times`);
  assert.equal(events(store).of("sent").length, N);
  assert.ok(events(store).of("retry").length > 0);
  assert.deepEqual(await store.outgoingQueue(), []);
});

test("never more than 4 sends in flight at once (DECISIONS), and all of them do run concurrently", async (t) => {
  let inFlight = 0;
  let peak = 0;
  const tr = fakeTransport({
    behave: async () => {
      inFlight += 1;
      peak = Math.max(peak, inFlight);
      // Long enough for four locks to be taken while the first send runs, on IndexedDB too
      // (each lock is a durable transaction of a few ms).
      await new Promise((r) => setTimeout(r, 60));
      inFlight -= 1;
    },
  });
  const store = await openSpoolStore(t, { transports: [tr] });
  await submitMany(store, 20);
  await store.flush();
  assert.equal(tr.calls.length, 20);
  assert.equal(peak, 4, `peak concurrency ${peak}`);
});
