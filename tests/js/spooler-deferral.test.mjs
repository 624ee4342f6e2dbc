// SPEC §6 eligibility: PidTagDeferredSendTime, PidTagDeferredSendNumber/Units and the
// `sendDelayMs` undo window; abort during a deferral. Memory backend, real timers (short).
import { test } from "node:test";
import assert from "node:assert/strict";
import { MessageFlags, SubmitFlags } from "mapi-outbox";
import {
  rejectsMapi,
  openSpoolStore,
  fakeTransport,
  waitForEvent,
  events,
  recordEvents,
  sleep,
  recipient,
  newMessage,
  queued,
} from "./helpers.mjs";

// Timers and Date.now() may disagree by a millisecond or two.
const CLOCK_SLACK = 2;

const sentOf = (store, id, ms) => events(store).wait("sent", id, ms);

async function submitDeferred(store, at, subject = "deferred") {
  const msg = newMessage(store, subject);
  msg.setProps({ PidTagDeferredSendTime: at });
  const id = msg.entryId;
  await msg.submit();
  msg.free();
  return id;
}

test("PidTagDeferredSendTime in the future: not handed to a transport before that time, then sent", async (t) => {
  const tr = fakeTransport();
  const store = await openSpoolStore(t, { transports: [tr] });
  const at = new Date(Date.now() + 150);
  const id = await submitDeferred(store, at);
  const [row] = await store.outgoingQueue();
  assert.equal(row.PidTagDeferredSendTime.getTime(), at.getTime());
  await sleep(60);
  if (Date.now() < at.getTime() - CLOCK_SLACK) assert.equal(tr.calls.length, 0, "sent before its time");
  await sentOf(store, id);
  assert.equal(tr.calls.length, 1);
  assert.ok(tr.calls[0].at >= at.getTime() - CLOCK_SLACK, `sent ${at.getTime() - tr.calls[0].at} ms early`);
});

test("flush() does not wait for a deferred message: it resolves while the message waits", async (t) => {
  const tr = fakeTransport();
  const store = await openSpoolStore(t, { transports: [tr] });
  const now = await queued(store, "now");
  const later = await submitDeferred(store, new Date(Date.now() + 60_000), "later");
  const started = Date.now();
  await store.flush();
  assert.ok(Date.now() - started < 2000);
  assert.deepEqual(tr.calls.map((c) => c.outgoing.entryId), [now]);
  assert.deepEqual((await store.outgoingQueue()).map((r) => r.entryId), [later]);
});

test("a deferred send time in the past does not delay the send", async (t) => {
  const tr = fakeTransport();
  const store = await openSpoolStore(t, { transports: [tr] });
  const id = await submitDeferred(store, new Date(Date.now() - 60_000));
  await sentOf(store, id, 1000);
});

test("a deferred message does not block messages submitted after it", async (t) => {
  const tr = fakeTransport();
  const store = await openSpoolStore(t, { transports: [tr] });
  const later = await submitDeferred(store, new Date(Date.now() + 60_000), "later");
  const a = await queued(store, "a");
  const b = await queued(store, "b");
  await store.flush();
  assert.deepEqual(tr.calls.map((c) => c.outgoing.entryId), [a, b]);
  assert.deepEqual((await store.outgoingQueue()).map((r) => r.entryId), [later]);
});

test("abort during a PidTagDeferredSendTime deferral: back in Drafts, nothing is ever sent", async (t) => {
  const tr = fakeTransport();
  const store = await openSpoolStore(t, { transports: [tr] });
  const events = recordEvents(store, ["aborted", "sending", "sent"]);
  const id = await submitDeferred(store, new Date(Date.now() + 250));
  await store.abortSubmit(id);
  await sleep(300);
  assert.equal(tr.calls.length, 0);
  assert.deepEqual(events.map((e) => e.type), ["aborted"]);
  assert.deepEqual(await store.outgoingQueue(), []);
  assert.deepEqual((await store.contents("drafts")).map((r) => r.entryId), [id]);
  const msg = await store.openMessage(id);
  assert.equal(msg.getProps(["PidTagMessageFlags"]).PidTagMessageFlags & MessageFlags.SUBMIT, 0);
  msg.free();
});

test("PidTagDeferredDeliveryTime does not delay the hand-over", async (t) => {
  const tr = fakeTransport();
  const store = await openSpoolStore(t, { transports: [tr] });
  const msg = newMessage(store, "deliver tomorrow");
  msg.setProps({ PidTagDeferredDeliveryTime: new Date(Date.now() + 86_400_000) });
  const id = msg.entryId;
  await msg.submit();
  await sentOf(store, id, 1000);
  assert.equal(tr.calls.length, 1);
});

test("PidTagDeferredSendNumber/Units defer from the submit time (1 minute): not sent, abortable", async (t) => {
  const tr = fakeTransport();
  const store = await openSpoolStore(t, { transports: [tr] });
  const msg = newMessage(store, "in a minute");
  msg.setProps({ PidTagDeferredSendNumber: 1, PidTagDeferredSendUnits: 0 });
  const id = msg.entryId;
  const before = Date.now();
  await msg.submit();
  const [row] = await store.outgoingQueue();
  const due = row.PidTagDeferredSendTime.getTime();
  assert.ok(due >= before + 60_000 - 1000 && due <= Date.now() + 60_000 + 1000, `due in ${due - before} ms`);
  await store.flush();
  assert.equal(tr.calls.length, 0);
  await store.abortSubmit(id);
});

test("PidTagDeferredSendNumber 0 (units: minutes) means now: sent at once", async (t) => {
  const tr = fakeTransport();
  const store = await openSpoolStore(t, { transports: [tr] });
  const msg = newMessage(store, "zero");
  msg.setProps({ PidTagDeferredSendNumber: 0, PidTagDeferredSendUnits: 0, PidTagDeferredSendTime: new Date(Date.now() + 3_600_000) });
  const id = msg.entryId;
  await msg.submit();
  await sentOf(store, id, 1000);
});

test("sendDelayMs is an undo window: the message waits that long (row shows PidTagDeferredSendTime), then goes", async (t) => {
  const tr = fakeTransport();
  const store = await openSpoolStore(t, { transports: [tr], sendDelayMs: 120 });
  const before = Date.now();
  const id = await queued(store, "undo window");
  const after = Date.now();
  const [row] = await store.outgoingQueue();
  assert.equal(row.PidTagSubmitFlags & SubmitFlags.LOCKED, 0);
  const due = row.PidTagDeferredSendTime.getTime();
  assert.ok(due >= before + 120 - CLOCK_SLACK && due <= after + 120 + CLOCK_SLACK, `due ${due - before} ms after submit`);
  await sleep(40);
  if (Date.now() < due - CLOCK_SLACK) assert.equal(tr.calls.length, 0, "sent inside the undo window");
  await sentOf(store, id);
  assert.ok(tr.calls[0].at >= due - CLOCK_SLACK, `sent ${due - tr.calls[0].at} ms early`);
});

test("sendDelayMs: abort inside the undo window works and nothing is sent, even after the window", async (t) => {
  const tr = fakeTransport();
  const store = await openSpoolStore(t, { transports: [tr], sendDelayMs: 250 });
  const id = await queued(store, "oops");
  const aborted = waitForEvent(store, "aborted", (e) => e.detail.entryId === id);
  await store.abortSubmit(id);
  assert.deepEqual((await aborted).detail, { entryId: id });
  await sleep(300);
  await store.flush();
  assert.equal(tr.calls.length, 0);
  assert.deepEqual(await store.outgoingQueue(), []);
  const msg = await store.openMessage(id);
  msg.setProps({ PidTagSubject: "fixed" });
  await msg.saveChanges();
  msg.free();
});

test("sendDelayMs does not override a message's own PidTagDeferredSendTime", async (t) => {
  const tr = fakeTransport();
  const store = await openSpoolStore(t, { transports: [tr], sendDelayMs: 60_000 });
  const at = new Date(Date.now() + 50);
  const id = await submitDeferred(store, at, "own time");
  const [row] = await store.outgoingQueue();
  assert.equal(row.PidTagDeferredSendTime.getTime(), at.getTime());
  await sentOf(store, id, 2000);
});

test("an aborted and resubmitted message gets a fresh undo window (DECISIONS)", async (t) => {
  const tr = fakeTransport();
  const store = await openSpoolStore(t, { transports: [tr], sendDelayMs: 300 });
  const id = await queued(store, "again");
  const first = (await store.outgoingQueue())[0].PidTagDeferredSendTime.getTime();
  await sleep(30);
  await store.abortSubmit(id);
  const msg = await store.openMessage(id);
  const t2 = Date.now();
  await msg.submit();
  const second = (await store.outgoingQueue())[0].PidTagDeferredSendTime.getTime();
  assert.ok(second > first, "the window starts again");
  assert.ok(second >= t2 + 300 - CLOCK_SLACK);
  await sentOf(store, id);
  assert.ok(tr.calls[0].at >= second - CLOCK_SLACK);
});

test("abort of a deferred message is refused once the transport has it (MAPI_E_UNABLE_TO_ABORT)", async (t) => {
  let release;
  const tr = fakeTransport({ behave: () => new Promise((r) => (release = r)) });
  const store = await openSpoolStore(t, { transports: [tr], sendDelayMs: 30 });
  const id = await queued(store, "too late");
  await events(store).wait("sending", id);
  await rejectsMapi(() => store.abortSubmit(id), "MAPI_E_UNABLE_TO_ABORT");
  const sent = sentOf(store, id);
  for (let i = 0; i < 100 && !release; i++) await sleep(5);
  release();
  await sent;
});

void recipient;

test("a due message behind 150 deferred ones is sent at once, and the deferred ones wait", async (t) => {
  // More than two pages of the IndexedDB backend's queue scan (64 a page): the spooler must
  // look past them, in submit order, to the one that may go.
  const tr = fakeTransport();
  const store = await openSpoolStore(t, { transports: [tr] });
  const later = new Date(Date.now() + 3_600_000);
  for (let i = 0; i < 150; i++) await submitDeferred(store, later, `later ${i}`);
  const id = await queued(store, "due now");
  await sentOf(store, id, 5000);
  assert.deepEqual(tr.calls.map((c) => c.outgoing.entryId), [id]);
  assert.equal((await store.outgoingQueue()).length, 150);
  await store.flush();
  assert.equal(tr.calls.length, 1, "flush does not send deferred messages");
});
