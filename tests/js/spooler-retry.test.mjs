// SPEC §6 transient failures: retryAfterMs, exponential backoff from retry.initialMs capped
// at retry.maxMs (DECISIONS: jitter between half and all of it), the queue row's attempts /
// lastError / nextAttemptAt, the `retry` event, abort between attempts, never dropped.
import { test } from "node:test";
import assert from "node:assert/strict";
import { MapiError, ErrorCode, SubmitFlags } from "mapi-outbox";
import {
  openSpoolStore,
  fakeTransport,
  waitForEvent,
  events,
  recordEvents,
  until,
  sleep,
  recipient,
  queued,
} from "./helpers.mjs";

const sentOf = (store, id, ms) => events(store).wait("sent", id, ms);
const retryOf = (store, id, attempt, ms) =>
  events(store).wait("retry", (e) => e.detail.entryId === id && (attempt === undefined || e.detail.attempt === attempt), ms);

/** A transport that rejects with `makeError(n)` for the first `failures` calls, then resolves. */
function failing(failures, makeError) {
  let n = 0;
  return fakeTransport({
    behave: (_o, _c, call) => {
      n += 1;
      call.failedAt = Date.now();
      return n <= failures ? Promise.reject(makeError(n)) : Promise.resolve();
    },
  });
}

const wait = (ms, text = "busy") => Object.assign(new MapiError("MAPI_E_WAIT", text), { retryAfterMs: ms });

test("MAPI_E_WAIT with retryAfterMs: retry event { entryId, attempt, error, nextAttemptAt }, queue row shows it, retried after that time", async (t) => {
  const tr = failing(1, () => wait(120, "rate limited"));
  const store = await openSpoolStore(t, { transports: [tr] });
  const id = await queued(store, "wait");
  const ev = await retryOf(store, id, 1);
  const failedAt = tr.calls[0].failedAt;
  const d = ev.detail;
  assert.deepEqual(Object.keys(d).sort(), ["attempt", "entryId", "error", "nextAttemptAt"]);
  assert.equal(d.entryId, id);
  assert.equal(d.attempt, 1);
  assert.equal(d.error, "MAPI_E_WAIT: rate limited");
  assert.ok(d.nextAttemptAt instanceof Date);
  // the spooler read the clock between the failure and the event: bound the delay from both sides
  const next = d.nextAttemptAt.getTime();
  assert.ok(next - failedAt >= 120 - 2, `nextAttemptAt is ${next - failedAt} ms after the failure, want 120`);
  assert.ok(next - ev.at <= 120 + 2, `nextAttemptAt is ${next - ev.at} ms after the event, want at most 120`);
  const [row] = await store.outgoingQueue();
  assert.equal(row.entryId, id);
  assert.equal(row.attempts, 1);
  assert.equal(row.lastError, "MAPI_E_WAIT: rate limited");
  assert.ok(row.nextAttemptAt instanceof Date);
  assert.equal(row.nextAttemptAt.getTime(), d.nextAttemptAt.getTime());
  assert.equal(row.PidTagSubmitFlags & SubmitFlags.LOCKED, 0);
  await sentOf(store, id);
  assert.equal(tr.calls.length, 2);
  assert.ok(tr.calls[1].at >= d.nextAttemptAt.getTime() - 2, `retried ${d.nextAttemptAt.getTime() - tr.calls[1].at} ms early`);
  assert.equal(tr.calls[1].outgoing.attempt, 2);
});

test("a fresh queue row has attempts 0, lastError null, nextAttemptAt null", async (t) => {
  const store = await openSpoolStore(t, { sendDelayMs: 60_000, transports: [fakeTransport()] });
  await queued(store, "fresh");
  const [row] = await store.outgoingQueue();
  assert.equal(row.attempts, 0);
  assert.equal(row.lastError, null);
  assert.equal(row.nextAttemptAt, null);
});

test("MAPI_E_NETWORK_ERROR without retryAfterMs: exponential backoff from retry.initialMs, with jitter between half and all", async (t) => {
  const tr = failing(4, (n) => new MapiError("MAPI_E_NETWORK_ERROR", `down ${n}`));
  const store = await openSpoolStore(t, { transports: [tr], retry: { initialMs: 40, maxMs: 10_000 } });
  const events = recordEvents(store, ["retry"]);
  const id = await queued(store, "backoff");
  await sentOf(store, id, 5000);
  assert.equal(tr.calls.length, 5);
  assert.deepEqual(events.map((e) => e.detail.attempt), [1, 2, 3, 4]);
  for (let i = 0; i < 4; i++) {
    const full = 40 * 2 ** i;
    const next = events[i].detail.nextAttemptAt.getTime();
    const most = next - tr.calls[i].failedAt; // the delay is at most this ...
    const least = next - events[i].at; // ... and at least this
    assert.ok(most >= full / 2 - 2, `attempt ${i + 1}: delay ≤ ${most} ms, want ≥ ${full / 2}`);
    assert.ok(least <= full + 2, `attempt ${i + 1}: delay ≥ ${least} ms, want ≤ ${full}`);
    assert.equal(events[i].detail.error, `MAPI_E_NETWORK_ERROR: down ${i + 1}`);
    assert.ok(tr.calls[i + 1].at >= events[i].detail.nextAttemptAt.getTime() - 2, "retried before nextAttemptAt");
  }
});

test("backoff is capped at retry.maxMs", async (t) => {
  const tr = failing(6, () => new MapiError("MAPI_E_NETWORK_ERROR", "down"));
  const store = await openSpoolStore(t, { transports: [tr], retry: { initialMs: 20, maxMs: 40 } });
  const events = recordEvents(store, ["retry"]);
  const id = await queued(store, "capped");
  await sentOf(store, id, 5000);
  assert.equal(events.length, 6);
  for (let i = 0; i < 6; i++) {
    const next = events[i].detail.nextAttemptAt.getTime();
    const least = next - events[i].at;
    const most = next - tr.calls[i].failedAt;
    assert.ok(least <= 40 + 2, `attempt ${i + 1}: delay ≥ ${least} ms, over maxMs 40`);
    if (i >= 1) assert.ok(most >= 20 - 2, `attempt ${i + 1}: delay ≤ ${most} ms, under half of the cap`);
  }
});

test("a plain TypeError (what fetch throws offline) is transient; lastError carries its message", async (t) => {
  const tr = failing(1, () => new TypeError("fetch failed"));
  const store = await openSpoolStore(t, { transports: [tr] });
  const id = await queued(store, "offline");
  const ev = await retryOf(store, id, 1);
  assert.match(ev.detail.error, /fetch failed/);
  const [row] = await store.outgoingQueue();
  assert.match(row.lastError, /fetch failed/);
  await sentOf(store, id);
});

test("a rejection with a non-Error value (a string) is transient too", async (t) => {
  const tr = failing(1, () => "socket hang up");
  const store = await openSpoolStore(t, { transports: [tr] });
  const id = await queued(store, "string");
  const ev = await retryOf(store, id, 1);
  assert.equal(ev.detail.error, "socket hang up", "DECISIONS: its String() when it has no MAPI code");
  await sentOf(store, id);
});

test("a transport whose send throws synchronously is treated as a transient rejection", async (t) => {
  let n = 0;
  const tr = fakeTransport({
    behave: () => {
      if (++n === 1) throw new MapiError("MAPI_E_NETWORK_ERROR", "sync throw");
      return Promise.resolve();
    },
  });
  const store = await openSpoolStore(t, { transports: [tr] });
  const id = await queued(store, "sync");
  const ev = await retryOf(store, id, 1);
  assert.equal(ev.detail.error, "MAPI_E_NETWORK_ERROR: sync throw");
  await sentOf(store, id);
});

test("an error of another class with a MAPI code (MAPI_E_WAIT) counts as that code, with its retryAfterMs", async (t) => {
  const tr = failing(1, () => Object.assign(new Error("gateway busy"), { code: ErrorCode.MAPI_E_WAIT, retryAfterMs: 30 }));
  const store = await openSpoolStore(t, { transports: [tr] });
  const id = await queued(store, "foreign");
  const ev = await retryOf(store, id, 1);
  assert.match(ev.detail.error, /^MAPI_E_WAIT: .*gateway busy/);
  await sentOf(store, id);
});

test("retryAfterMs 0 retries at once", async (t) => {
  const tr = failing(2, () => wait(0));
  const store = await openSpoolStore(t, { transports: [tr], retry: { initialMs: 60_000, maxMs: 60_000 } });
  const id = await queued(store, "zero");
  await sentOf(store, id, 2000);
  assert.equal(tr.calls.length, 3);
});

test("retryAfterMs wins over the backoff (a long backoff is not used when retryAfterMs is short)", async (t) => {
  const tr = failing(1, () => wait(30));
  const store = await openSpoolStore(t, { transports: [tr], retry: { initialMs: 60_000, maxMs: 600_000 } });
  const id = await queued(store, "explicit");
  await sentOf(store, id, 2000);
});

test("a retryAfterMs that is not a non-negative finite number is ignored: backoff is used (DECISIONS)", async (t) => {
  const bad = [-5, Number.NaN, Infinity, "5000"];
  const tr = failing(bad.length, (n) => Object.assign(new MapiError("MAPI_E_WAIT", `bad ${n}`), { retryAfterMs: bad[n - 1] }));
  const store = await openSpoolStore(t, { transports: [tr], retry: { initialMs: 20, maxMs: 40 } });
  const events = recordEvents(store, ["retry"]);
  const id = await queued(store, "bad retryAfterMs");
  await sentOf(store, id, 3000);
  assert.equal(events.length, bad.length);
  for (let i = 0; i < bad.length; i++) {
    const next = events[i].detail.nextAttemptAt.getTime();
    assert.ok(next - events[i].at <= 40 + 2, `attempt ${i + 1} (retryAfterMs ${bad[i]}): waits ${next - events[i].at} ms, over maxMs`);
    assert.ok(next - tr.calls[i].failedAt >= 10 - 2, `attempt ${i + 1} (retryAfterMs ${bad[i]}): under the backoff`);
  }
});

test("abort between attempts works: aborted event, back in Drafts, no further attempt", async (t) => {
  const tr = failing(Infinity, () => wait(300, "later"));
  const store = await openSpoolStore(t, { transports: [tr] });
  const id = await queued(store, "give up");
  await retryOf(store, id, 1);
  const aborted = waitForEvent(store, "aborted", (e) => e.detail.entryId === id);
  await store.abortSubmit(id);
  await aborted;
  const calls = tr.calls.length;
  await sleep(350);
  assert.equal(tr.calls.length, calls, "an aborted message must not be sent again");
  assert.deepEqual(await store.outgoingQueue(), []);
  assert.deepEqual((await store.contents("drafts")).map((r) => r.entryId), [id]);
});

test("transient failures keep the message queued and retrying, never dropped silently", async (t) => {
  const tr = failing(Infinity, (n) => new MapiError("MAPI_E_NETWORK_ERROR", `down ${n}`));
  const store = await openSpoolStore(t, { transports: [tr], retry: { initialMs: 5, maxMs: 10 } });
  const id = await queued(store, "stubborn");
  await until(() => tr.calls.length >= 8, 3000, "8 attempts");
  const [row] = await store.outgoingQueue();
  assert.equal(row.entryId, id);
  assert.ok(row.attempts >= 7, `attempts ${row.attempts}`);
  assert.match(row.lastError, /^MAPI_E_NETWORK_ERROR: down \d+$/);
  assert.equal((await store.contents("inbox")).length, 0, "no NDR for a transient failure");
  assert.equal((await store.contents("sent")).length, 0);
});

test("flush() resolves while a message is backing off (it is not due), without waiting for the retry", async (t) => {
  const tr = failing(1, () => wait(60_000));
  const store = await openSpoolStore(t, { transports: [tr] });
  const id = await queued(store, "later");
  const started = Date.now();
  await store.flush();
  assert.ok(Date.now() - started < 2000);
  const [row] = await store.outgoingQueue();
  assert.equal(row.entryId, id);
  assert.equal(row.attempts, 1);
});

test("after a successful retry the sent copy is in Sent Items and the queue is empty", async (t) => {
  const tr = failing(2, () => wait(10));
  const store = await openSpoolStore(t, { transports: [tr] });
  const id = await queued(store, "eventually", [recipient("x@example.org")]);
  const ev = await sentOf(store, id);
  assert.deepEqual(await store.outgoingQueue(), []);
  assert.deepEqual((await store.contents("sent")).map((r) => r.entryId), [ev.detail.sentEntryId]);
});
