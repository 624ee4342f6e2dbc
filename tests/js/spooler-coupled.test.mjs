// SPEC §6 tightly coupled transport: Store.open({ transport }) gets submitted messages
// directly (also with spooler: false), respects deferral, locks and finishes like the
// spooler; recipients of other address types stay queued for the spooler's transports.
import { test } from "node:test";
import assert from "node:assert/strict";
import { MapiError, SubmitFlags } from "mapi-outbox";
import {
  rejectsMapi,
  openSpoolStore,
  fakeTransport,
  deferred,
  events,
  until,
  sleep,
  recipient,
  newMessage,
  queued,
} from "./helpers.mjs";

const fax = (number) => ({ PidTagRecipientType: 1, PidTagAddressType: "FAX", PidTagEmailAddress: number });
const sentOf = (store, id, ms) => events(store).wait("sent", id, ms);

async function submit(store, subject, recipients = [recipient()]) {
  const msg = newMessage(store, subject, recipients);
  const id = msg.entryId;
  await msg.submit();
  msg.free();
  return id;
}

test("coupled transport with spooler: false still gets submitted messages and finishes them", async (t) => {
  const tr = fakeTransport({ name: "coupled" });
  const store = await openSpoolStore(t, { transport: tr, spooler: false });
  const id = await submit(store, "direct");
  const ev = await sentOf(store, id);
  assert.equal(tr.calls.length, 1);
  const o = tr.calls[0].outgoing;
  assert.equal(o.entryId, id);
  assert.equal(o.attempt, 1);
  assert.deepEqual([...o.rcptTo], ["a@example.org"]);
  assert.ok(o.mime instanceof Uint8Array);
  assert.deepEqual((await store.contents("sent")).map((r) => r.entryId), [ev.detail.sentEntryId]);
  assert.deepEqual(await store.outgoingQueue(), []);
  assert.equal(events(store).of("sending", id)[0].detail.transport, "coupled");
});

test("coupled transport with the default spooler setting and no loose transports", async (t) => {
  const tr = fakeTransport({ name: "coupled" });
  const store = await openSpoolStore(t, { transport: tr });
  const ids = [];
  for (let i = 0; i < 3; i++) ids.push(await submit(store, `c${i}`));
  await store.flush();
  assert.deepEqual(tr.calls.map((c) => c.outgoing.entryId), ids);
});

test("coupled transport: store.flush() resolves once it has sent (spooler: false is not 'nothing can send')", async (t) => {
  const tr = fakeTransport({ behave: () => sleep(10) });
  const store = await openSpoolStore(t, { transport: tr, spooler: false });
  await submit(store, "flush");
  await store.flush();
  assert.equal(tr.calls.length, 1);
  assert.deepEqual(await store.outgoingQueue(), []);
});

test("coupled transport respects PidTagDeferredSendTime", async (t) => {
  const tr = fakeTransport();
  const store = await openSpoolStore(t, { transport: tr, spooler: false });
  const msg = newMessage(store, "deferred");
  const at = new Date(Date.now() + 100);
  msg.setProps({ PidTagDeferredSendTime: at });
  const id = msg.entryId;
  await msg.submit();
  await sleep(40);
  if (Date.now() < at.getTime() - 2) assert.equal(tr.calls.length, 0, "sent before its deferred time");
  await sentOf(store, id);
  assert.ok(tr.calls[0].at >= at.getTime() - 2);
});

test("coupled transport respects the sendDelayMs undo window: abort inside it, nothing is sent", async (t) => {
  const tr = fakeTransport();
  const store = await openSpoolStore(t, { transport: tr, spooler: false, sendDelayMs: 250 });
  const id = await submit(store, "undo");
  await store.abortSubmit(id);
  await sleep(300);
  assert.equal(tr.calls.length, 0);
  assert.deepEqual((await store.contents("drafts")).map((r) => r.entryId), [id]);
});

test("coupled transport locks: while its send is pending openMessage → NO_ACCESS, abortSubmit → UNABLE_TO_ABORT, row LOCKED", async (t) => {
  const gate = deferred();
  const tr = fakeTransport({ behave: () => gate.promise });
  const store = await openSpoolStore(t, { transport: tr, spooler: false });
  const id = await submit(store, "locked");
  await until(() => tr.calls.length === 1, 3000, "the coupled transport call");
  await rejectsMapi(() => store.openMessage(id, { access: "read" }), "MAPI_E_NO_ACCESS");
  await rejectsMapi(() => store.abortSubmit(id), "MAPI_E_UNABLE_TO_ABORT");
  const [row] = await store.outgoingQueue();
  assert.equal(row.PidTagSubmitFlags & SubmitFlags.LOCKED, SubmitFlags.LOCKED);
  gate.resolve();
  await sentOf(store, id);
  await rejectsMapi(() => store.openMessage(id), "MAPI_E_NOT_FOUND");
  await rejectsMapi(() => store.abortSubmit(id), "MAPI_E_NOT_IN_QUEUE");
});

test("coupled transport: recipients of other address types go through the queue to the spooler's transports", async (t) => {
  const coupled = fakeTransport({ name: "coupled", addressTypes: ["SMTP"] });
  const faxT = fakeTransport({ name: "fax", addressTypes: ["FAX"] });
  const store = await openSpoolStore(t, { transport: coupled, transports: [faxT] });
  const id = await submit(store, "split", [recipient("mail@example.org"), fax("+15550005")]);
  await sentOf(store, id);
  await store.flush();
  assert.equal(coupled.calls.length, 1);
  assert.deepEqual([...coupled.calls[0].outgoing.rcptTo], ["mail@example.org"]);
  assert.equal(faxT.calls.length, 1);
  assert.deepEqual([...faxT.calls[0].outgoing.rcptTo], ["+15550005"]);
  assert.equal(events(store).of("sent", id).length, 1, "finished once");
  assert.deepEqual(await store.outgoingQueue(), []);
  assert.equal((await store.contents("inbox")).length, 0, "no NDR");
});

test("coupled transport with spooler: false: the other address types stay queued for a spooler (not failed)", async (t) => {
  const coupled = fakeTransport({ name: "coupled", addressTypes: ["SMTP"] });
  const faxT = fakeTransport({ name: "fax", addressTypes: ["FAX"] });
  const store = await openSpoolStore(t, { transport: coupled, transports: [faxT], spooler: false });
  const id = await submit(store, "half", [recipient("mail@example.org"), fax("+15550006")]);
  await until(() => coupled.calls.length === 1, 3000, "the coupled transport call");
  await sleep(50);
  assert.deepEqual([...coupled.calls[0].outgoing.rcptTo], ["mail@example.org"]);
  assert.equal(faxT.calls.length, 0, "no spooler runs in this store object");
  const q = await store.outgoingQueue();
  assert.deepEqual(q.map((r) => r.entryId), [id], "the message stays queued for the FAX recipient");
  assert.equal(q[0].PidTagSubmitFlags & SubmitFlags.LOCKED, 0);
  assert.equal(events(store).of("ndr").length, 0);
  assert.equal(events(store).of("sent").length, 0);
  const ro = await store.openMessage(id, { access: "read" });
  const resp = Object.fromEntries(ro.getRecipients().map((r) => [r.PidTagEmailAddress, r.PidTagResponsibility]));
  ro.free();
  assert.equal(resp["mail@example.org"], true);
  assert.notEqual(resp["+15550006"], true);
});

test("coupled transport: a message with no recipient of its types is left to the spooler's transports", async (t) => {
  const coupled = fakeTransport({ name: "coupled", addressTypes: ["SMTP"] });
  const faxT = fakeTransport({ name: "fax", addressTypes: ["FAX"] });
  const store = await openSpoolStore(t, { transport: coupled, transports: [faxT] });
  const id = await submit(store, "fax only", [fax("+15550007")]);
  await sentOf(store, id);
  assert.equal(coupled.calls.length, 0);
  assert.equal(faxT.calls.length, 1);
});

test("coupled transport: transient failure → retried like the spooler does (retry event, attempts on the row)", async (t) => {
  let n = 0;
  const tr = fakeTransport({
    behave: () => (++n === 1 ? Promise.reject(Object.assign(new MapiError("MAPI_E_WAIT", "busy"), { retryAfterMs: 30 })) : Promise.resolve()),
  });
  const store = await openSpoolStore(t, { transport: tr, spooler: false });
  const id = await submit(store, "retry");
  const r = await events(store).wait("retry", id);
  assert.equal(r.detail.attempt, 1);
  assert.equal(r.detail.error, "MAPI_E_WAIT: busy");
  await sentOf(store, id);
  assert.deepEqual(tr.calls.map((c) => c.outgoing.attempt), [1, 2]);
  assert.equal(tr.calls[1].outgoing.submissionId, tr.calls[0].outgoing.submissionId);
});

test("coupled transport: MAPI_E_CANCEL → NDR and finish, like the spooler", async (t) => {
  const tr = fakeTransport({ behave: () => Promise.reject(new MapiError("MAPI_E_CANCEL", "refused")) });
  const store = await openSpoolStore(t, { transport: tr, spooler: false });
  const id = await submit(store, "cancel", [recipient("r@example.org")]);
  const ndr = await events(store).wait("ndr", id);
  assert.deepEqual(ndr.detail.recipients.map((r) => r.email), ["r@example.org"]);
  await sentOf(store, id);
  assert.equal((await store.contents("inbox"))[0].PidTagMessageClass, "REPORT.IPM.Note.NDR");
});

test("coupled transport: MAPI_E_NOT_ME → offered to the spooler's transports that take the type", async (t) => {
  const coupled = fakeTransport({ name: "coupled", behave: () => Promise.reject(new MapiError("MAPI_E_NOT_ME")) });
  const loose = fakeTransport({ name: "loose" });
  const store = await openSpoolStore(t, { transport: coupled, transports: [loose] });
  const id = await submit(store, "not me");
  await sentOf(store, id);
  assert.equal(coupled.calls.length, 1);
  assert.equal(loose.calls.length, 1);
  assert.deepEqual([...loose.calls[0].outgoing.rcptTo], ["a@example.org"]);
});

test("coupled transport: the PidTagDeleteAfterSubmit finish applies too", async (t) => {
  const tr = fakeTransport();
  const store = await openSpoolStore(t, { transport: tr, spooler: false });
  const msg = newMessage(store, "delete me");
  msg.setProps({ PidTagDeleteAfterSubmit: true });
  const id = msg.entryId;
  await msg.submit();
  const ev = await sentOf(store, id);
  assert.equal(ev.detail.sentEntryId, null);
  assert.deepEqual(await store.contents("sent"), []);
  await rejectsMapi(() => store.openMessage(id), "MAPI_E_NOT_FOUND");
});

void queued;
