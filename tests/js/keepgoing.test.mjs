// SPEC rev 2 against the built package imported by name (in Node, and on IndexedDB in
// Chromium through tests/browser/jsuite): flush()'s result, retryNow, sendNow (§5), and the
// Date of a message sent later (§7). Node-only parts: init-and-worker.test.mjs.
import { test } from "node:test";
import assert from "node:assert/strict";
import { MapiError } from "mapi-outbox";
import {
  openSpoolStore,
  fakeTransport,
  rejectsMapi,
  queued,
  recipient,
  mimeHeaders,
  unknownId,
  savedDraft,
  events,
} from "./helpers.mjs";

const wait = (ms) => new Promise((r) => setTimeout(r, ms));
/** A transport that fails its first `n` sends with MAPI_E_WAIT, then delivers. */
function failingFirst(n, retryAfterMs) {
  let left = n;
  return fakeTransport({
    behave: () => {
      if (left-- > 0) {
        const e = new MapiError("MAPI_E_WAIT", "server busy");
        if (retryAfterMs !== undefined) e.retryAfterMs = retryAfterMs;
        return Promise.reject(e);
      }
      return Promise.resolve();
    },
  });
}

test("flush() resolves with remaining 0 and nextDueAt null when everything went", async (t) => {
  const tr = fakeTransport();
  const store = await openSpoolStore(t, { transports: [tr] });
  await queued(store);
  assert.deepEqual(await store.flush(), { remaining: 0, nextDueAt: null });
  assert.equal(tr.calls.length, 1);
});

test("flush() with a deferred message says it is still queued and when it becomes due (issue 12 f)", async (t) => {
  const store = await openSpoolStore(t, { transports: [fakeTransport()], sendDelayMs: 2000 });
  const before = Date.now();
  await queued(store);
  const r = await store.flush();
  assert.equal(r.remaining, 1);
  assert.ok(r.nextDueAt instanceof Date, "nextDueAt is a Date");
  const due = r.nextDueAt.getTime();
  assert.ok(due >= before + 2000 && due <= Date.now() + 2000, `due ~2 s after submit, got ${due - before} ms`);
});

test("retryNow() makes a message backing off (Retry-After 60 s) go at once and resolves with the count", async (t) => {
  const tr = failingFirst(1, 60_000);
  const store = await openSpoolStore(t, { transports: [tr] });
  const id = await queued(store);
  const first = await store.flush();
  assert.equal(first.remaining, 1);
  assert.ok(first.nextDueAt.getTime() - Date.now() > 50_000, "waiting for the Retry-After");
  const [row] = await store.outgoingQueue();
  assert.equal(row.attempts, 1);
  const t0 = Date.now();
  assert.equal(await store.retryNow(id), 1);
  assert.deepEqual(await store.flush(), { remaining: 0, nextDueAt: null });
  assert.equal(tr.calls.length, 2);
  assert.equal(tr.calls[1].outgoing.attempt, 2);
  assert.ok(Date.now() - t0 < 2000, "delivered within a couple of seconds");
  assert.equal(await store.retryNow(), 0, "nothing left waiting");
});

test("retryNow() without an id counts every message waiting for a retry and keeps send-later times", async (t) => {
  const tr = failingFirst(2, 60_000);
  const store = await openSpoolStore(t, { transports: [tr] });
  await queued(store, "a");
  await queued(store, "b");
  const later = store.createMessage();
  const laterId = later.entryId;
  later.setProps({ PidTagSubject: "later", PidTagDeferredSendTime: new Date(Date.now() + 3_600_000) });
  later.modifyRecipients("add", [recipient()]);
  await later.submit();
  assert.equal((await store.flush()).remaining, 3);
  assert.equal(await store.retryNow(), 2);
  const r = await store.flush();
  assert.equal(r.remaining, 1, "the send-later message still waits");
  const [row] = await store.outgoingQueue();
  assert.equal(row.entryId, laterId);
});

test("sendNow() sends a message in its undo window at once", async (t) => {
  const tr = fakeTransport();
  const store = await openSpoolStore(t, { transports: [tr], sendDelayMs: 60_000 });
  const id = await queued(store);
  assert.equal((await store.flush()).remaining, 1);
  const t0 = Date.now();
  await store.sendNow(id);
  assert.deepEqual(await store.flush(), { remaining: 0, nextDueAt: null });
  assert.equal(tr.calls.length, 1);
  assert.ok(Date.now() - t0 < 2000);
});

test("sendNow() of a send-later message dates it when it goes (SPEC §7)", async (t) => {
  const tr = fakeTransport();
  const store = await openSpoolStore(t, { transports: [tr] });
  const msg = store.createMessage();
  const id = msg.entryId;
  msg.setProps({ PidTagSubject: "later", PidTagDeferredSendTime: new Date(Date.now() + 86_400_000) });
  msg.modifyRecipients("add", [recipient()]);
  await msg.submit();
  await wait(1100); // the Date header has whole seconds
  const goes = Date.now();
  await store.sendNow(id);
  await store.flush();
  const date = /\r\nDate: ([^\r]+)\r\n/.exec(mimeHeaders(tr.calls[0].outgoing.mime))[1];
  const sec = Date.parse(date);
  assert.ok(Math.abs(sec - goes) < 1500, `Date ${date} is when it went (${new Date(goes).toUTCString()})`);
});

test("a message in an undo window is dated at the end of the window, on every attempt", async (t) => {
  const tr = failingFirst(1, 10);
  const store = await openSpoolStore(t, { transports: [tr], sendDelayMs: 1500 });
  const submitAt = Date.now();
  await queued(store);
  await wait(1600);
  await store.flush();
  await store.retryNow();
  await store.flush();
  assert.equal(tr.calls.length, 2);
  const dates = tr.calls.map((c) => Date.parse(/\r\nDate: ([^\r]+)\r\n/.exec(mimeHeaders(c.outgoing.mime))[1]));
  assert.equal(dates[0], dates[1], "every attempt sends the same Date");
  assert.ok(dates[0] >= Math.floor((submitAt + 1500) / 1000) * 1000, "dated when the window ended, not at submit");
});

test("sendNow() and retryNow() answer NOT_FOUND, NOT_IN_QUEUE and INVALID_ENTRYID like abortSubmit", async (t) => {
  const store = await openSpoolStore(t, { transports: [fakeTransport()] });
  await rejectsMapi(store.sendNow(unknownId(store)), "MAPI_E_NOT_FOUND");
  await rejectsMapi(store.retryNow(unknownId(store)), "MAPI_E_NOT_FOUND");
  const saved = await savedDraft(store);
  const draft = saved.entryId;
  saved.free();
  await rejectsMapi(store.sendNow(draft), "MAPI_E_NOT_IN_QUEUE");
  await rejectsMapi(store.retryNow(draft), "MAPI_E_NOT_IN_QUEUE");
  const sent = await queued(store);
  await store.flush();
  await rejectsMapi(store.sendNow(sent), "MAPI_E_NOT_IN_QUEUE", "sent");
  await rejectsMapi(store.sendNow("xyz"), "MAPI_E_INVALID_ENTRYID");
  await rejectsMapi(store.sendNow(), "MAPI_E_INVALID_ENTRYID");
  await rejectsMapi(store.retryNow(42), "MAPI_E_INVALID_ENTRYID");
});

test("sendNow() of a message a transport has resolves (it is going)", async (t) => {
  let release;
  const tr = fakeTransport({ behave: () => new Promise((r) => (release = r)) });
  const store = await openSpoolStore(t, { transports: [tr] });
  const id = await queued(store);
  await events(store).wait("sending", id);
  await store.sendNow(id);
  release();
  assert.deepEqual(await store.flush(), { remaining: 0, nextDueAt: null });
  assert.equal(tr.calls.length, 1, "not sent twice");
});

