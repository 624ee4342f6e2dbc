// SPEC §6 finishing: move to Sent Items (new entry id), move to PidTagSentMailEntryId,
// delete with PidTagDeleteAfterSubmit; the old id answers NOT_FOUND / NOT_IN_QUEUE; the
// sent copy's flags; the `sent` event.
import { test } from "node:test";
import assert from "node:assert/strict";
import { MessageFlags } from "mapi-outbox";
import {
  ENTRY_ID_RE,
  rejectsMapi,
  openSpoolStore,
  fakeTransport,
  waitForEvent,
  events,
  recordEvents,
  recipient,
  newMessage,
  hexToBytes,
} from "./helpers.mjs";

const sentOf = (store, id, ms) => events(store).wait("sent", id, ms);

async function sendOne(t, props = {}, extra = {}) {
  const tr = fakeTransport();
  const store = await openSpoolStore(t, { transports: [tr], ...extra });
  const msg = newMessage(store, "finish me", [recipient("to@example.org"), recipient("bcc@example.org", 3)]);
  msg.setProps(props);
  const id = msg.entryId;
  const submittedEv = waitForEvent(store, "submitted", (e) => e.detail.entryId === id);
  await msg.submit();
  msg.free();
  const { submissionId } = (await submittedEv).detail;
  const ev = await sentOf(store, id);
  return { store, tr, id, submissionId, ev };
}

test("default finish: moved to Sent Items under a new entry id; `sent` { entryId, sentEntryId, submissionId }", async (t) => {
  const { store, id, submissionId, ev } = await sendOne(t);
  const d = ev.detail;
  assert.deepEqual(Object.keys(d).sort(), ["entryId", "sentEntryId", "submissionId"]);
  assert.equal(d.entryId, id);
  assert.equal(d.submissionId, submissionId);
  assert.match(d.sentEntryId, ENTRY_ID_RE);
  assert.notEqual(d.sentEntryId, id);
  assert.deepEqual((await store.contents("sent")).map((r) => r.entryId), [d.sentEntryId]);
  assert.deepEqual(await store.contents("outbox"), []);
  assert.deepEqual(await store.contents("drafts"), []);
  assert.deepEqual(await store.outgoingQueue(), []);
});

test("after the move the old id answers MAPI_E_NOT_FOUND to openMessage and MAPI_E_NOT_IN_QUEUE to abortSubmit", async (t) => {
  const { store, id } = await sendOne(t);
  await rejectsMapi(() => store.openMessage(id), "MAPI_E_NOT_FOUND");
  await rejectsMapi(() => store.openMessage(id, { access: "read" }), "MAPI_E_NOT_FOUND");
  await rejectsMapi(() => store.abortSubmit(id), "MAPI_E_NOT_IN_QUEUE");
});

test("the sent copy: SUBMIT and UNSENT cleared (READ set, DECISIONS), no PidTagSubmitFlags, content kept", async (t) => {
  const { store, ev, tr } = await sendOne(t, { PidTagBody: "the body" });
  const [row] = await store.contents("sent");
  assert.equal(row.PidTagMessageFlags & MessageFlags.SUBMIT, 0);
  assert.equal(row.PidTagMessageFlags & MessageFlags.UNSENT, 0);
  assert.equal(row.PidTagSubject, "finish me");
  assert.ok(row.PidTagClientSubmitTime instanceof Date);
  const copy = await store.openMessage(ev.detail.sentEntryId, { access: "read" });
  const p = copy.getProps();
  assert.equal(p.PidTagMessageFlags & MessageFlags.SUBMIT, 0);
  assert.equal(p.PidTagMessageFlags & MessageFlags.UNSENT, 0);
  assert.equal(p.PidTagMessageFlags & MessageFlags.READ, MessageFlags.READ);
  assert.equal(p.PidTagMessageFlags & MessageFlags.FROMME, MessageFlags.FROMME);
  assert.equal(p.PidTagSubmitFlags, undefined);
  assert.equal(p.PidTagBody, "the body");
  assert.equal(p.PidTagInternetMessageId, tr.calls[0].outgoing.messageId);
  assert.deepEqual(copy.getRecipients().map((r) => r.PidTagEmailAddress), ["to@example.org", "bcc@example.org"]);
  assert.equal(copy.entryId, ev.detail.sentEntryId);
  copy.free();
  // the sent copy is an ordinary message: it can be opened for writing and deleted
  const rw = await store.openMessage(ev.detail.sentEntryId);
  rw.free();
  await store.deleteMessage(ev.detail.sentEntryId);
  assert.deepEqual(await store.contents("sent"), []);
});

test("the sent copy's recipients have PidTagResponsibility true", async (t) => {
  const { store, ev } = await sendOne(t);
  const copy = await store.openMessage(ev.detail.sentEntryId, { access: "read" });
  for (const r of copy.getRecipients()) assert.equal(r.PidTagResponsibility, true);
  copy.free();
});

test("PidTagSentMailEntryId → moved to that folder (the inbox) under a new entry id, not to Sent Items", async (t) => {
  const tr = fakeTransport();
  const store = await openSpoolStore(t, { transports: [tr] });
  const msg = newMessage(store, "file in inbox");
  msg.setProps({ PidTagSentMailEntryId: hexToBytes(store.folders.inbox) });
  const id = msg.entryId;
  await msg.submit();
  const ev = await sentOf(store, id);
  assert.match(ev.detail.sentEntryId, ENTRY_ID_RE);
  assert.notEqual(ev.detail.sentEntryId, id);
  assert.deepEqual((await store.contents("inbox")).map((r) => r.entryId), [ev.detail.sentEntryId]);
  assert.deepEqual((await store.contents(store.folders.inbox)).map((r) => r.entryId), [ev.detail.sentEntryId]);
  assert.deepEqual(await store.contents("sent"), []);
  await rejectsMapi(() => store.openMessage(id), "MAPI_E_NOT_FOUND");
  await rejectsMapi(() => store.abortSubmit(id), "MAPI_E_NOT_IN_QUEUE");
  const copy = await store.openMessage(ev.detail.sentEntryId, { access: "read" });
  assert.equal(copy.getProps(["PidTagMessageFlags"]).PidTagMessageFlags & (MessageFlags.SUBMIT | MessageFlags.UNSENT), 0);
  copy.free();
});

test("PidTagSentMailEntryId naming the Drafts folder files the sent copy there", async (t) => {
  const tr = fakeTransport();
  const store = await openSpoolStore(t, { transports: [tr] });
  const msg = newMessage(store, "back to drafts");
  msg.setProps({ PidTagSentMailEntryId: hexToBytes(store.folders.drafts) });
  const id = msg.entryId;
  await msg.submit();
  const ev = await sentOf(store, id);
  assert.deepEqual((await store.contents("drafts")).map((r) => r.entryId), [ev.detail.sentEntryId]);
});

test("PidTagDeleteAfterSubmit → deleted once sent: `sent` with sentEntryId null; old id NOT_FOUND / NOT_IN_QUEUE", async (t) => {
  const { store, id, ev, tr } = await sendOne(t, { PidTagDeleteAfterSubmit: true });
  assert.equal(tr.calls.length, 1);
  assert.equal(ev.detail.sentEntryId, null);
  assert.equal(ev.detail.entryId, id);
  for (const folder of ["drafts", "outbox", "sent", "inbox"]) assert.deepEqual(await store.contents(folder), [], folder);
  assert.deepEqual(await store.outgoingQueue(), []);
  await rejectsMapi(() => store.openMessage(id), "MAPI_E_NOT_FOUND");
  await rejectsMapi(() => store.openMessage(id, { access: "read" }), "MAPI_E_NOT_FOUND");
  await rejectsMapi(() => store.abortSubmit(id), "MAPI_E_NOT_IN_QUEUE");
});

test("PidTagDeleteAfterSubmit wins over PidTagSentMailEntryId", async (t) => {
  const tr = fakeTransport();
  const store = await openSpoolStore(t, { transports: [tr] });
  const msg = newMessage(store, "both");
  msg.setProps({ PidTagDeleteAfterSubmit: true, PidTagSentMailEntryId: hexToBytes(store.folders.inbox) });
  const id = msg.entryId;
  await msg.submit();
  const ev = await sentOf(store, id);
  assert.equal(ev.detail.sentEntryId, null);
  assert.deepEqual(await store.contents("inbox"), []);
  assert.deepEqual(await store.contents("sent"), []);
});

test("PidTagDeleteAfterSubmit false → moved to Sent Items as usual", async (t) => {
  const { store, ev } = await sendOne(t, { PidTagDeleteAfterSubmit: false });
  assert.deepEqual((await store.contents("sent")).map((r) => r.entryId), [ev.detail.sentEntryId]);
});

test("events of one message in order: submitted, queuechange, sending, sent; queuechange after the finish", async (t) => {
  const tr = fakeTransport({ name: "t1" });
  const store = await openSpoolStore(t, { transports: [tr] });
  const events = recordEvents(store, ["submitted", "queuechange", "sending", "sent", "retry", "ndr", "aborted"]);
  const msg = newMessage(store, "events");
  const id = msg.entryId;
  await msg.submit();
  await sentOf(store, id);
  await store.flush();
  const types = events.map((e) => e.type);
  assert.ok(types.indexOf("submitted") < types.indexOf("sending"));
  assert.ok(types.indexOf("sending") < types.indexOf("sent"));
  assert.ok(types.includes("queuechange"));
  assert.ok(types.lastIndexOf("queuechange") > types.indexOf("sending"), "the finish changes the queue");
  assert.deepEqual(types.filter((x) => ["retry", "ndr", "aborted"].includes(x)), []);
  assert.equal(types.filter((x) => x === "sent").length, 1);
});

test("sent messages land in Sent Items newest first", async (t) => {
  const tr = fakeTransport();
  const store = await openSpoolStore(t, { transports: [tr] });
  const order = [];
  store.addEventListener("sent", (e) => order.push(e.detail.sentEntryId));
  for (const s of ["one", "two", "three"]) {
    const msg = newMessage(store, s);
    const id = msg.entryId;
    await msg.submit();
    await sentOf(store, id);
  }
  assert.deepEqual((await store.contents("sent")).map((r) => r.entryId), [...order].reverse());
});
