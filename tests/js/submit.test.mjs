// SPEC §1/§4/§5 Message.submit: implicit save, errors that leave the object usable,
// MAPI_E_BUSY while in flight, dead objects after success, flags and submit-time properties.
import { test } from "node:test";
import assert from "node:assert/strict";
import { MessageFlags } from "mapi-outbox";
import {
  ENTRY_ID_RE,
  NEW_FLAGS,
  assertMapiError,
  rejectsMapi,
  openStore,
  recipient,
  newMessage,
  savedDraft,
  assertStoreWorks,
} from "./helpers.mjs";

const SUBMITTED_FLAGS = 0x08 | 0x20 | 0x04;
const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;

test("submit resolves to undefined and saves implicitly: the message is in the Outbox and the queue, not in Drafts", async (t) => {
  const store = await openStore(t);
  const msg = newMessage(store, "implicit save");
  const id = msg.entryId;
  const p = msg.submit();
  assert.ok(p instanceof Promise);
  assert.equal(await p, undefined);
  assert.deepEqual((await store.contents("outbox")).map((r) => r.entryId), [id]);
  assert.deepEqual(await store.contents("drafts"), []);
  assert.deepEqual((await store.outgoingQueue()).map((r) => r.entryId), [id]);
  const ro = await store.openMessage(id, { access: "read" });
  assert.equal(ro.getProps(["PidTagSubject"]).PidTagSubject, "implicit save");
  assert.equal(ro.getProps(["PidTagBody"]).PidTagBody, "body of implicit save");
});

test("submit keeps the entry id: the queued message has the draft's id", async (t) => {
  const store = await openStore(t);
  const msg = await savedDraft(store, "same id");
  const id = msg.entryId;
  await msg.submit();
  const [row] = await store.outgoingQueue();
  assert.equal(row.entryId, id);
  assert.match(row.entryId, ENTRY_ID_RE);
});

test("after submit: SUBMIT set, UNSENT kept, PidTagSubmitFlags 0, PidTagClientSubmitTime = now", async (t) => {
  const store = await openStore(t);
  const msg = newMessage(store);
  const id = msg.entryId;
  const before = Date.now();
  await msg.submit();
  const after = Date.now();
  const p = (await store.openMessage(id, { access: "read" })).getProps();
  assert.equal(p.PidTagMessageFlags, SUBMITTED_FLAGS);
  assert.equal(p.PidTagMessageFlags & MessageFlags.UNSENT, MessageFlags.UNSENT);
  assert.equal(p.PidTagSubmitFlags, 0);
  assert.ok(p.PidTagClientSubmitTime instanceof Date);
  const ts = p.PidTagClientSubmitTime.getTime();
  assert.ok(ts >= before && ts <= after, `${ts} not in [${before}, ${after}]`);
});

test("submit assigns PidTagInternetMessageId '<32 hex>@<identity domain>'", async (t) => {
  const store = await openStore(t);
  const msg = newMessage(store);
  const id = msg.entryId;
  await msg.submit();
  const mid = (await store.openMessage(id, { access: "read" })).getProps(["PidTagInternetMessageId"]).PidTagInternetMessageId;
  assert.match(mid, /^<[^<>\s]+>$/);
  assert.match(mid, /^<[0-9a-fA-F]{32}@example\.org>$/);
});

test("each message gets its own PidTagInternetMessageId", async (t) => {
  const store = await openStore(t);
  const ids = [];
  for (const s of ["a", "b"]) {
    const m = newMessage(store, s);
    ids.push(m.entryId);
    await m.submit();
  }
  const mids = [];
  for (const id of ids) {
    mids.push((await store.openMessage(id, { access: "read" })).getProps(["PidTagInternetMessageId"]).PidTagInternetMessageId);
  }
  assert.notEqual(mids[0], mids[1]);
});

test("a PidTagInternetMessageId set by the client is kept by submit", async (t) => {
  const store = await openStore(t);
  const msg = newMessage(store);
  msg.setProps({ PidTagInternetMessageId: "<custom.1@example.org>" });
  const id = msg.entryId;
  await msg.submit();
  const ro = await store.openMessage(id, { access: "read" });
  assert.equal(ro.getProps(["PidTagInternetMessageId"]).PidTagInternetMessageId, "<custom.1@example.org>");
});

test("the assigned PidTagInternetMessageId is kept in the message after abortSubmit", async (t) => {
  const store = await openStore(t);
  const msg = newMessage(store);
  const id = msg.entryId;
  await msg.submit();
  const mid = (await store.openMessage(id, { access: "read" })).getProps(["PidTagInternetMessageId"]).PidTagInternetMessageId;
  await store.abortSubmit(id);
  const draft = await store.openMessage(id);
  assert.equal(draft.getProps(["PidTagInternetMessageId"]).PidTagInternetMessageId, mid);
  assert.equal(draft.getProps(["PidTagMessageFlags"]).PidTagMessageFlags, NEW_FLAGS);
});

// ---------------------------------------------------------------- failures

test("submit with an empty recipient table rejects MAPI_E_NO_RECIPIENTS, queues nothing, and the object stays valid and writable", async (t) => {
  const store = await openStore(t);
  const msg = store.createMessage();
  msg.setProps({ PidTagSubject: "nobody" });
  const id = msg.entryId;
  await rejectsMapi(msg.submit(), "MAPI_E_NO_RECIPIENTS");
  assert.deepEqual(await store.outgoingQueue(), []);
  assert.deepEqual(await store.contents("outbox"), []);
  assert.equal(msg.entryId, id);
  assert.equal(msg.getProps(["PidTagSubject"]).PidTagSubject, "nobody");
  assert.equal(msg.getProps(["PidTagMessageFlags"]).PidTagMessageFlags, NEW_FLAGS);
  msg.modifyRecipients("add", [recipient()]);
  await msg.saveChanges();
  await msg.submit();
  assert.deepEqual((await store.outgoingQueue()).map((r) => r.entryId), [id]);
});

test("after removeAllRecipients submit rejects MAPI_E_NO_RECIPIENTS", async (t) => {
  const store = await openStore(t);
  const msg = await savedDraft(store);
  msg.removeAllRecipients();
  await rejectsMapi(msg.submit(), "MAPI_E_NO_RECIPIENTS");
});

test("submit of a message over maxMessageSize rejects MAPI_E_TOO_BIG; shrinking it makes submit work", async (t) => {
  const store = await openStore(t, { maxMessageSize: 2000 });
  const msg = newMessage(store, "big");
  msg.setProps({ PidTagBody: "x".repeat(5000) });
  const id = msg.entryId;
  await rejectsMapi(msg.submit(), "MAPI_E_TOO_BIG");
  assert.deepEqual(await store.outgoingQueue(), []);
  msg.setProps({ PidTagBody: "small" });
  await msg.submit();
  assert.deepEqual((await store.outgoingQueue()).map((r) => r.entryId), [id]);
});

test("an attachment counts towards maxMessageSize", async (t) => {
  const store = await openStore(t, { maxMessageSize: 4000 });
  const msg = newMessage(store, "att");
  const a = msg.createAttach();
  a.setProps({ PidTagAttachLongFilename: "big.bin", PidTagAttachDataBinary: new Uint8Array(10_000) });
  a.saveChanges();
  await rejectsMapi(msg.submit(), "MAPI_E_TOO_BIG");
  msg.deleteAttach(msg.getAttachments()[0].PidTagAttachNumber);
  await msg.submit();
});

test("submit with more recipients than maxRecipients rejects MAPI_E_TOO_BIG; exactly maxRecipients is fine", async (t) => {
  const store = await openStore(t, { maxRecipients: 2 });
  const msg = newMessage(store, "many", [
    recipient("a@example.org"),
    recipient("b@example.org", 2),
    recipient("c@example.org", 3),
  ]);
  await rejectsMapi(msg.submit(), "MAPI_E_TOO_BIG");
  assert.deepEqual(await store.outgoingQueue(), []);
  const last = msg.getRecipients()[2];
  msg.modifyRecipients("remove", [{ PidTagRowid: last.PidTagRowid }]);
  await msg.submit();
  assert.equal((await store.outgoingQueue()).length, 1);
});

test("maxRecipients defaults to 500: 501 recipients reject MAPI_E_TOO_BIG, 500 submit", async (t) => {
  const store = await openStore(t);
  const rows = Array.from({ length: 501 }, (_, i) => recipient(`r${i}@example.org`));
  const msg = newMessage(store, "crowd", rows);
  await rejectsMapi(msg.submit(), "MAPI_E_TOO_BIG");
  const last = msg.getRecipients()[500];
  msg.modifyRecipients("remove", [{ PidTagRowid: last.PidTagRowid }]);
  await msg.submit();
  assert.equal((await store.outgoingQueue()).length, 1);
});

test("maxMessageSize defaults to 25 MiB: a 26 MiB body rejects MAPI_E_TOO_BIG", async (t) => {
  const store = await openStore(t);
  const msg = newMessage(store, "huge");
  msg.setProps({ PidTagBody: "x".repeat(26 * 1024 * 1024) });
  await rejectsMapi(msg.submit(), "MAPI_E_TOO_BIG");
  msg.setProps({ PidTagBody: "x".repeat(1024 * 1024) });
  await msg.submit();
});

test("the limits are checked by submit, not by setProps/modifyRecipients", async (t) => {
  const store = await openStore(t, { maxMessageSize: 100, maxRecipients: 1 });
  const msg = store.createMessage();
  msg.setProps({ PidTagBody: "x".repeat(1000) });
  msg.modifyRecipients("add", [recipient("a@example.org"), recipient("b@example.org")]);
  await msg.saveChanges();
  await rejectsMapi(msg.submit(), "MAPI_E_TOO_BIG");
});

// ---------------------------------------------------------------- busy

test("while submit is in flight, calls on the message throw/reject MAPI_E_BUSY; free() is not among them", async (t) => {
  const store = await openStore(t);
  const msg = newMessage(store);
  const p = msg.submit();
  try {
    assertMapiError(() => msg.getProps(), "MAPI_E_BUSY");
    assertMapiError(() => msg.setProps({ PidTagSubject: "x" }), "MAPI_E_BUSY");
    assertMapiError(() => msg.deleteProps(["PidTagSubject"]), "MAPI_E_BUSY");
    assertMapiError(() => msg.modifyRecipients("add", [recipient("b@example.org")]), "MAPI_E_BUSY");
    assertMapiError(() => msg.getRecipients(), "MAPI_E_BUSY");
    assertMapiError(() => msg.removeAllRecipients(), "MAPI_E_BUSY");
    assertMapiError(() => msg.createAttach(), "MAPI_E_BUSY");
    assertMapiError(() => msg.getAttachments(), "MAPI_E_BUSY");
    await rejectsMapi(msg.saveChanges(), "MAPI_E_BUSY");
    await rejectsMapi(msg.submit(), "MAPI_E_BUSY");
  } finally {
    await p;
  }
  const q = await store.outgoingQueue();
  assert.equal(q.length, 1, "the in-flight submit went through exactly once");
  assert.equal(q[0].PidTagSubject, "hello");
  assert.equal(q[0].PidTagDisplayTo.includes("b@example.org"), false);
});

test("a failed submit is busy while in flight and leaves the object writable after it settles", async (t) => {
  const store = await openStore(t);
  const msg = store.createMessage();
  const p = msg.submit();
  assertMapiError(() => msg.setProps({ PidTagSubject: "x" }), "MAPI_E_BUSY");
  await rejectsMapi(p, "MAPI_E_NO_RECIPIENTS");
  msg.setProps({ PidTagSubject: "after" });
  assert.equal(msg.getProps(["PidTagSubject"]).PidTagSubject, "after");
});

// ---------------------------------------------------------------- dead after submit

test("after a successful submit every member of the message throws MAPI_E_INVALID_OBJECT (entryId included)", async (t) => {
  const store = await openStore(t);
  const msg = newMessage(store);
  const a = msg.createAttach();
  a.setProps({ PidTagAttachLongFilename: "a.txt", PidTagAttachDataBinary: new Uint8Array([1]) });
  a.saveChanges();
  await msg.submit();
  const dead = (fn) => assertMapiError(fn, "MAPI_E_INVALID_OBJECT");
  dead(() => msg.entryId);
  dead(() => msg.getProps());
  dead(() => msg.getProps(["PidTagSubject"]));
  dead(() => msg.setProps({ PidTagSubject: "x" }));
  dead(() => msg.deleteProps(["PidTagSubject"]));
  dead(() => msg.modifyRecipients("add", [recipient()]));
  dead(() => msg.getRecipients());
  dead(() => msg.removeAllRecipients());
  dead(() => msg.createAttach());
  dead(() => msg.openAttach(0));
  dead(() => msg.deleteAttach(0));
  dead(() => msg.getAttachments());
  await rejectsMapi(() => msg.saveChanges(), "MAPI_E_INVALID_OBJECT");
  await rejectsMapi(() => msg.submit(), "MAPI_E_INVALID_OBJECT");
  msg.free();
  msg.free();
  assert.equal((await store.outgoingQueue()).length, 1, "still queued exactly once");
});

test("after a successful submit every Attachment taken from the message throws MAPI_E_INVALID_OBJECT except free()", async (t) => {
  const store = await openStore(t);
  const msg = newMessage(store);
  const saved = msg.createAttach();
  saved.setProps({ PidTagAttachLongFilename: "a.txt", PidTagAttachDataBinary: new Uint8Array([1]) });
  saved.saveChanges();
  const opened = msg.openAttach(msg.getAttachments()[0].PidTagAttachNumber);
  const unsaved = msg.createAttach();
  await msg.submit();
  for (const att of [saved, opened, unsaved]) {
    assertMapiError(() => att.getProps(), "MAPI_E_INVALID_OBJECT");
    assertMapiError(() => att.setProps({ PidTagAttachLongFilename: "b.txt" }), "MAPI_E_INVALID_OBJECT");
    assertMapiError(() => att.deleteProps(["PidTagAttachLongFilename"]), "MAPI_E_INVALID_OBJECT");
    assertMapiError(() => att.saveChanges(), "MAPI_E_INVALID_OBJECT");
    att.free();
    att.free();
  }
});

test("free() after submit works and the store keeps working", async (t) => {
  const store = await openStore(t);
  const msg = newMessage(store);
  await msg.submit();
  assert.equal(msg.free(), undefined);
  msg.free();
  await assertStoreWorks(store);
});

test("after a failed submit the attachments of the message stay usable", async (t) => {
  const store = await openStore(t);
  const msg = store.createMessage();
  const a = msg.createAttach();
  a.setProps({ PidTagAttachLongFilename: "a.txt" });
  a.saveChanges();
  await rejectsMapi(msg.submit(), "MAPI_E_NO_RECIPIENTS");
  a.setProps({ PidTagAttachLongFilename: "b.txt" });
  a.saveChanges();
  assert.equal(msg.getAttachments()[0].PidTagAttachLongFilename, "b.txt");
});

test("a second submit of the same message through another object rejects MAPI_E_SUBMITTED", async (t) => {
  const store = await openStore(t);
  const draft = await savedDraft(store);
  const other = await store.openMessage(draft.entryId);
  await draft.submit();
  await rejectsMapi(other.submit(), "MAPI_E_SUBMITTED");
  assert.equal((await store.outgoingQueue()).length, 1);
});

// ---------------------------------------------------------------- deferral

test("without sendDelayMs or deferral properties the queue row has no PidTagDeferredSendTime", async (t) => {
  const store = await openStore(t);
  await newMessage(store).submit();
  const [row] = await store.outgoingQueue();
  assert.equal("PidTagDeferredSendTime" in row, false);
});

test("sendDelayMs sets PidTagDeferredSendTime = submit time + delay on the queue row", async (t) => {
  const store = await openStore(t, { sendDelayMs: 30_000 });
  const msg = newMessage(store);
  const before = Date.now();
  await msg.submit();
  const after = Date.now();
  const [row] = await store.outgoingQueue();
  assert.ok(row.PidTagDeferredSendTime instanceof Date, "PidTagDeferredSendTime present");
  const ts = row.PidTagDeferredSendTime.getTime();
  assert.ok(ts >= before + 30_000 && ts <= after + 30_000, `${ts} not in [${before + 30_000}, ${after + 30_000}]`);
  assert.equal(ts - row.PidTagClientSubmitTime.getTime(), 30_000);
});

test("sendDelayMs does not override a PidTagDeferredSendTime the message already has", async (t) => {
  const store = await openStore(t, { sendDelayMs: 30_000 });
  const msg = newMessage(store);
  const when = new Date(Date.now() + 2 * DAY);
  msg.setProps({ PidTagDeferredSendTime: when });
  await msg.submit();
  const [row] = await store.outgoingQueue();
  assert.equal(row.PidTagDeferredSendTime.getTime(), when.getTime());
});

for (const [units, unitMs, label] of [
  [0, MIN, "minutes"],
  [1, HOUR, "hours"],
  [2, DAY, "days"],
  [3, 7 * DAY, "weeks"],
]) {
  test(`PidTagDeferredSendNumber 3 with Units ${units} (${label}) defers to submit time + 3 ${label}`, async (t) => {
    const store = await openStore(t);
    const msg = newMessage(store);
    msg.setProps({ PidTagDeferredSendNumber: 3, PidTagDeferredSendUnits: units });
    const before = Date.now();
    await msg.submit();
    const after = Date.now();
    const [row] = await store.outgoingQueue();
    assert.ok(row.PidTagDeferredSendTime instanceof Date, "PidTagDeferredSendTime present");
    const ts = row.PidTagDeferredSendTime.getTime();
    const delta = 3 * unitMs;
    assert.ok(ts >= before + delta && ts <= after + delta, `${ts} not in [${before + delta}, ${after + delta}]`);
    assert.equal(ts - row.PidTagClientSubmitTime.getTime(), delta);
  });
}

test("PidTagDeferredSendNumber/Units override PidTagDeferredSendTime when both are set", async (t) => {
  const store = await openStore(t);
  const msg = newMessage(store);
  msg.setProps({
    PidTagDeferredSendTime: new Date(Date.now() + 30 * DAY),
    PidTagDeferredSendNumber: 2,
    PidTagDeferredSendUnits: 1,
  });
  await msg.submit();
  const [row] = await store.outgoingQueue();
  assert.equal(row.PidTagDeferredSendTime.getTime() - row.PidTagClientSubmitTime.getTime(), 2 * HOUR);
});

test("PidTagDeferredSendNumber/Units also override sendDelayMs", async (t) => {
  const store = await openStore(t, { sendDelayMs: 30_000 });
  const msg = newMessage(store);
  msg.setProps({ PidTagDeferredSendNumber: 5, PidTagDeferredSendUnits: 0 });
  await msg.submit();
  const [row] = await store.outgoingQueue();
  assert.equal(row.PidTagDeferredSendTime.getTime() - row.PidTagClientSubmitTime.getTime(), 5 * MIN);
});

test("PidTagDeferredDeliveryTime does not make the queue row deferred", async (t) => {
  const store = await openStore(t);
  const msg = newMessage(store);
  msg.setProps({ PidTagDeferredDeliveryTime: new Date(Date.now() + DAY) });
  await msg.submit();
  const [row] = await store.outgoingQueue();
  assert.equal("PidTagDeferredSendTime" in row, false);
});
