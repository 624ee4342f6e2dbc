// SPEC §5 Store on the memory backend: open/close, folders, createMessage, openMessage,
// abortSubmit, outgoingQueue, contents, deleteMessage, corruptRecordForTesting, events.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Store, MapiError, MessageFlags } from "mapi-outbox";
import {
  ENTRY_ID_RE,
  ME,
  NEW_FLAGS,
  assertMapiError,
  rejectsMapi,
  openStore,
  recipient,
  newMessage,
  savedDraft,
  queued,
  assertStoreWorks,
  hexToBytes,
  unknownId,
  flagsOf,
  nextEvent,
  settle,
} from "./helpers.mjs";

const SUBMITTED_FLAGS = 0x08 | 0x20 | 0x04;

// ---------------------------------------------------------------- exports

test("the package also exports the Message and Attachment classes (DECISIONS), and objects are instances of them", async (t) => {
  const pkg = await import("mapi-outbox");
  assert.deepEqual(
    ["Attachment", "ErrorCode", "MapiError", "Message", "MessageFlags", "Store", "SubmitFlags"].filter((k) => !(k in pkg)),
    [],
  );
  const store = await openStore(t);
  const msg = store.createMessage();
  assert.ok(msg instanceof pkg.Message);
  assert.ok(msg.createAttach() instanceof pkg.Attachment);
});

// ---------------------------------------------------------------- open / close

test("Store.open resolves to a Store on the memory backend", async (t) => {
  const p = Store.open({ identity: { email: ME }, spooler: false });
  assert.ok(p instanceof Promise, "Store.open returns a promise");
  const store = await p;
  t.after(() => store.close());
  assert.ok(store instanceof Store);
  await assertStoreWorks(store);
});

test("Store.open() without options opens a memory store", async () => {
  const store = await Store.open();
  assert.ok(store instanceof Store);
  const msg = store.createMessage();
  assert.match(msg.entryId, ENTRY_ID_RE);
  await msg.saveChanges();
  await store.close();
});

test("Store.open with backend 'memory' and a name works", async (t) => {
  const store = await Store.open({ backend: "memory", name: "x", identity: { email: ME, name: "Me" }, spooler: false });
  t.after(() => store.close());
  await assertStoreWorks(store);
});

test("store.close() resolves, and afterwards every async Store method rejects MAPI_E_INVALID_OBJECT", async () => {
  const store = await openStore(null);
  const draft = await savedDraft(store);
  const id = draft.entryId;
  const closing = store.close();
  assert.ok(closing instanceof Promise);
  assert.equal(await closing, undefined);
  await rejectsMapi(() => store.openMessage(id), "MAPI_E_INVALID_OBJECT");
  await rejectsMapi(() => store.abortSubmit(id), "MAPI_E_INVALID_OBJECT");
  await rejectsMapi(() => store.outgoingQueue(), "MAPI_E_INVALID_OBJECT");
  await rejectsMapi(() => store.contents("drafts"), "MAPI_E_INVALID_OBJECT");
  await rejectsMapi(() => store.deleteMessage(id), "MAPI_E_INVALID_OBJECT");
  await rejectsMapi(() => store.corruptRecordForTesting(id), "MAPI_E_INVALID_OBJECT");
  await rejectsMapi(() => store.flush(), "MAPI_E_INVALID_OBJECT");
});

test("after close the sync Store members createMessage, addEventListener, removeEventListener, registerTransport throw MAPI_E_INVALID_OBJECT", async () => {
  const store = await openStore(null);
  await store.close();
  assertMapiError(() => store.createMessage(), "MAPI_E_INVALID_OBJECT");
  assertMapiError(() => store.addEventListener("queuechange", () => {}), "MAPI_E_INVALID_OBJECT");
  assertMapiError(() => store.removeEventListener("queuechange", () => {}), "MAPI_E_INVALID_OBJECT");
  assertMapiError(
    () => store.registerTransport({ name: "t", addressTypes: ["SMTP"], async send() {} }),
    "MAPI_E_INVALID_OBJECT",
  );
});

test("after close reading store.folders throws MAPI_E_INVALID_OBJECT", async () => {
  const store = await openStore(null);
  await store.close();
  assertMapiError(() => store.folders, "MAPI_E_INVALID_OBJECT");
});

test("a second store.close() is harmless (like a second free())", async () => {
  const store = await openStore(null);
  await store.close();
  await store.close();
});

test("after close, messages of the store throw MAPI_E_INVALID_OBJECT except free()", async () => {
  const store = await openStore(null);
  const msg = await savedDraft(store);
  const att = msg.createAttach();
  await store.close();
  assertMapiError(() => msg.getProps(), "MAPI_E_INVALID_OBJECT");
  assertMapiError(() => msg.setProps({ PidTagSubject: "x" }), "MAPI_E_INVALID_OBJECT");
  await rejectsMapi(() => msg.saveChanges(), "MAPI_E_INVALID_OBJECT");
  await rejectsMapi(() => msg.submit(), "MAPI_E_INVALID_OBJECT");
  assertMapiError(() => att.setProps({ PidTagAttachLongFilename: "a.txt" }), "MAPI_E_INVALID_OBJECT");
  att.free();
  msg.free();
  msg.free();
});

// ---------------------------------------------------------------- folders

test("store.folders has exactly drafts, outbox, sent, inbox: four distinct 72-char lowercase hex ids", async (t) => {
  const store = await openStore(t);
  const f = store.folders;
  assert.deepEqual(Object.keys(f).sort(), ["drafts", "inbox", "outbox", "sent"]);
  for (const k of Object.keys(f)) assert.match(f[k], ENTRY_ID_RE, k);
  assert.equal(new Set(Object.values(f)).size, 4);
  assert.deepEqual({ ...store.folders }, { ...f }, "folder ids are stable");
});

test("folder ids start with 4 zero flag bytes and share the store uid with message ids", async (t) => {
  const store = await openStore(t);
  const f = store.folders;
  const msgId = store.createMessage().entryId;
  for (const id of [...Object.values(f), msgId]) {
    assert.equal(id.slice(0, 8), "00000000");
    assert.equal(id.slice(8, 40), f.drafts.slice(8, 40));
  }
});

// ---------------------------------------------------------------- createMessage

test("createMessage returns a message with a 72-hex entry id, distinct for each message", async (t) => {
  const store = await openStore(t);
  const a = store.createMessage();
  const b = store.createMessage();
  assert.match(a.entryId, ENTRY_ID_RE);
  assert.match(b.entryId, ENTRY_ID_RE);
  assert.notEqual(a.entryId, b.entryId);
  assert.ok(!Object.values(store.folders).includes(a.entryId));
});

test("createMessage: the new message is not in contents('drafts') until its first save, then it is", async (t) => {
  const store = await openStore(t);
  const msg = store.createMessage();
  msg.setProps({ PidTagSubject: "draft" });
  assert.deepEqual(await store.contents("drafts"), []);
  for (const f of ["outbox", "sent", "inbox"]) assert.deepEqual(await store.contents(f), []);
  await msg.saveChanges();
  const rows = await store.contents("drafts");
  assert.equal(rows.length, 1);
  assert.equal(rows[0].entryId, msg.entryId);
  assert.equal(rows[0].PidTagSubject, "draft");
});

test("a created but never saved message answers MAPI_E_NOT_FOUND to openMessage", async (t) => {
  const store = await openStore(t);
  const msg = store.createMessage();
  await rejectsMapi(store.openMessage(msg.entryId), "MAPI_E_NOT_FOUND");
});

// ---------------------------------------------------------------- openMessage

test("openMessage of a draft returns a readwrite Message with the saved properties", async (t) => {
  const store = await openStore(t);
  const draft = newMessage(store, "open me");
  const id = draft.entryId;
  await draft.saveChanges();
  const msg = await store.openMessage(id);
  assert.equal(msg.entryId, id);
  assert.equal(msg.getProps(["PidTagSubject"]).PidTagSubject, "open me");
  msg.setProps({ PidTagSubject: "edited" });
  await msg.saveChanges();
  const again = await store.openMessage(id, { access: "read" });
  assert.equal(again.getProps(["PidTagSubject"]).PidTagSubject, "edited");
});

test("openMessage sees only saved changes (the message is transacted)", async (t) => {
  const store = await openStore(t);
  const draft = await savedDraft(store, "saved");
  draft.setProps({ PidTagSubject: "pending" });
  const other = await store.openMessage(draft.entryId, { access: "read" });
  assert.equal(other.getProps(["PidTagSubject"]).PidTagSubject, "saved");
});

test("openMessage of a queued message with access readwrite rejects MAPI_E_SUBMITTED", async (t) => {
  const store = await openStore(t);
  const id = await queued(store);
  await rejectsMapi(store.openMessage(id, { access: "readwrite" }), "MAPI_E_SUBMITTED", { mentions: id });
});

test("openMessage of a queued message with the default access rejects MAPI_E_SUBMITTED", async (t) => {
  const store = await openStore(t);
  const id = await queued(store);
  await rejectsMapi(store.openMessage(id), "MAPI_E_SUBMITTED");
});

test("openMessage of a queued message with access read returns a read-only Message showing SUBMIT", async (t) => {
  const store = await openStore(t);
  const id = await queued(store, "ro");
  const msg = await store.openMessage(id, { access: "read" });
  assert.equal(msg.entryId, id);
  const p = msg.getProps(["PidTagSubject", "PidTagMessageFlags"]);
  assert.equal(p.PidTagSubject, "ro");
  assert.equal(p.PidTagMessageFlags, SUBMITTED_FLAGS);
  assert.equal(msg.getRecipients().length, 1);
});

test("writes through a read-only queued message throw MAPI_E_NO_ACCESS", async (t) => {
  const store = await openStore(t);
  const m = newMessage(store, "ro");
  const a = m.createAttach();
  a.setProps({ PidTagAttachLongFilename: "a.txt", PidTagAttachDataBinary: new Uint8Array([1]) });
  a.saveChanges();
  const id = m.entryId;
  await m.submit();
  const msg = await store.openMessage(id, { access: "read" });
  const num = msg.getAttachments()[0].PidTagAttachNumber;
  assertMapiError(() => msg.setProps({ PidTagSubject: "x" }), "MAPI_E_NO_ACCESS");
  assertMapiError(() => msg.deleteProps(["PidTagSubject"]), "MAPI_E_NO_ACCESS");
  assertMapiError(() => msg.modifyRecipients("add", [recipient("b@example.org")]), "MAPI_E_NO_ACCESS");
  assertMapiError(() => msg.removeAllRecipients(), "MAPI_E_NO_ACCESS");
  assertMapiError(() => msg.createAttach(), "MAPI_E_NO_ACCESS");
  assertMapiError(() => msg.deleteAttach(num), "MAPI_E_NO_ACCESS");
  assert.equal(msg.getProps(["PidTagSubject"]).PidTagSubject, "ro", "nothing changed");
  assert.equal(msg.getAttachments().length, 1);
});

test("an attachment opened from a read-only message is read-only (setProps throws MAPI_E_NO_ACCESS)", async (t) => {
  const store = await openStore(t);
  const m = newMessage(store, "ro");
  const a = m.createAttach();
  a.setProps({ PidTagAttachLongFilename: "a.txt", PidTagAttachDataBinary: new Uint8Array([1]) });
  a.saveChanges();
  const id = m.entryId;
  await m.submit();
  const msg = await store.openMessage(id, { access: "read" });
  const att = msg.openAttach(msg.getAttachments()[0].PidTagAttachNumber);
  assert.equal(att.getProps(["PidTagAttachLongFilename"]).PidTagAttachLongFilename, "a.txt");
  assertMapiError(() => att.setProps({ PidTagAttachLongFilename: "b.txt" }), "MAPI_E_NO_ACCESS");
});

test("submit of a read-only object of a queued message rejects MAPI_E_SUBMITTED", async (t) => {
  const store = await openStore(t);
  const id = await queued(store);
  const msg = await store.openMessage(id, { access: "read" });
  await rejectsMapi(msg.submit(), "MAPI_E_SUBMITTED");
  assert.equal((await store.outgoingQueue()).length, 1, "still queued once");
});

test("openMessage of a draft with access read gives an object whose writes throw MAPI_E_NO_ACCESS", async (t) => {
  const store = await openStore(t);
  const draft = await savedDraft(store);
  const msg = await store.openMessage(draft.entryId, { access: "read" });
  assertMapiError(() => msg.setProps({ PidTagSubject: "x" }), "MAPI_E_NO_ACCESS");
});

test("openMessage of an unknown well-formed id rejects MAPI_E_NOT_FOUND", async (t) => {
  const store = await openStore(t);
  const id = unknownId(store);
  await rejectsMapi(store.openMessage(id), "MAPI_E_NOT_FOUND", { mentions: id });
});

test("openMessage of a malformed entry id rejects MAPI_E_INVALID_ENTRYID", async (t) => {
  const store = await openStore(t);
  const good = (await savedDraft(store)).entryId;
  for (const bad of ["", "xyz", good.slice(0, 70), good + "00", "zz" + good.slice(2), good.slice(0, 71) + "g"]) {
    await rejectsMapi(store.openMessage(bad), "MAPI_E_INVALID_ENTRYID", { mentions: /entry ?id/i });
  }
  await rejectsMapi(store.openMessage(new Uint8Array(35)), "MAPI_E_INVALID_ENTRYID");
});

test("openMessage accepts the Uint8Array form of the entry id", async (t) => {
  const store = await openStore(t);
  const id = (await savedDraft(store, "bytes")).entryId;
  const msg = await store.openMessage(hexToBytes(id));
  assert.equal(msg.entryId, id);
  assert.equal(msg.getProps(["PidTagSubject"]).PidTagSubject, "bytes");
});

test("openMessage accepts upper-case hex entry ids", async (t) => {
  const store = await openStore(t);
  const id = (await savedDraft(store, "upper")).entryId;
  const msg = await store.openMessage(id.toUpperCase());
  assert.equal(msg.entryId, id);
});

test("openMessage with an access value other than readwrite/read rejects MAPI_E_UNKNOWN_FLAGS", async (t) => {
  const store = await openStore(t);
  const id = (await savedDraft(store)).entryId;
  for (const access of ["write", "READ", "", "readonly"]) {
    await rejectsMapi(store.openMessage(id, { access }), "MAPI_E_UNKNOWN_FLAGS", { mentions: /access/ });
  }
});

test("openMessage of a folder id rejects MAPI_E_NOT_FOUND", async (t) => {
  const store = await openStore(t);
  await rejectsMapi(store.openMessage(store.folders.drafts), "MAPI_E_NOT_FOUND");
});

// ---------------------------------------------------------------- abortSubmit

test("abortSubmit of a queued message resolves, empties the queue and puts it back in Drafts with the same id", async (t) => {
  const store = await openStore(t);
  const id = await queued(store, "undo me");
  assert.deepEqual((await store.contents("outbox")).map((r) => r.entryId), [id]);
  assert.equal(await store.abortSubmit(id), undefined);
  assert.deepEqual(await store.outgoingQueue(), []);
  assert.deepEqual(await store.contents("outbox"), []);
  const drafts = await store.contents("drafts");
  assert.deepEqual(drafts.map((r) => r.entryId), [id]);
  assert.equal(drafts[0].PidTagMessageFlags & MessageFlags.SUBMIT, 0);
});

test("after abortSubmit SUBMIT is cleared, UNSENT kept and PidTagSubmitFlags absent", async (t) => {
  const store = await openStore(t);
  const id = await queued(store);
  await store.abortSubmit(id);
  const msg = await store.openMessage(id);
  const p = msg.getProps();
  assert.equal(p.PidTagMessageFlags, NEW_FLAGS);
  assert.equal("PidTagSubmitFlags" in p, false);
});

test("an aborted message can be reopened readwrite, edited, saved and submitted again", async (t) => {
  const store = await openStore(t);
  const id = await queued(store, "first");
  await store.abortSubmit(id);
  const msg = await store.openMessage(id, { access: "readwrite" });
  msg.setProps({ PidTagSubject: "second" });
  msg.modifyRecipients("add", [recipient("b@example.org", 2, "Bee")]);
  await msg.saveChanges();
  await msg.submit();
  const q = await store.outgoingQueue();
  assert.equal(q.length, 1);
  assert.equal(q[0].entryId, id);
  assert.equal(q[0].PidTagSubject, "second");
  assert.equal(q[0].PidTagDisplayCc, "Bee");
});

test("abortSubmit twice: the second rejects MAPI_E_NOT_IN_QUEUE", async (t) => {
  const store = await openStore(t);
  const id = await queued(store);
  await store.abortSubmit(id);
  await rejectsMapi(store.abortSubmit(id), "MAPI_E_NOT_IN_QUEUE");
});

test("abortSubmit of a message never submitted rejects MAPI_E_NOT_IN_QUEUE", async (t) => {
  const store = await openStore(t);
  const id = (await savedDraft(store)).entryId;
  await rejectsMapi(store.abortSubmit(id), "MAPI_E_NOT_IN_QUEUE", { mentions: id });
});

test("abortSubmit of an unknown id rejects MAPI_E_NOT_FOUND", async (t) => {
  const store = await openStore(t);
  await rejectsMapi(store.abortSubmit(unknownId(store)), "MAPI_E_NOT_FOUND");
});

test("abortSubmit of a created but never saved message rejects MAPI_E_NOT_FOUND", async (t) => {
  const store = await openStore(t);
  const msg = store.createMessage();
  await rejectsMapi(store.abortSubmit(msg.entryId), "MAPI_E_NOT_FOUND");
});

test("abortSubmit of a malformed entry id rejects MAPI_E_INVALID_ENTRYID", async (t) => {
  const store = await openStore(t);
  for (const bad of ["nope", "ab", "g".repeat(72), "a".repeat(74)]) {
    await rejectsMapi(store.abortSubmit(bad), "MAPI_E_INVALID_ENTRYID", { mentions: /entry ?id/i });
  }
});

test("abortSubmit accepts the Uint8Array form of the entry id", async (t) => {
  const store = await openStore(t);
  const id = await queued(store);
  await store.abortSubmit(hexToBytes(id));
  assert.deepEqual(await store.outgoingQueue(), []);
});

test("abortSubmit takes out only the named message; the others stay queued in order", async (t) => {
  const store = await openStore(t);
  const a = await queued(store, "a");
  const b = await queued(store, "b");
  const c = await queued(store, "c");
  await store.abortSubmit(b);
  assert.deepEqual((await store.outgoingQueue()).map((r) => r.entryId), [a, c]);
});

test("abortSubmit of a deferred message (sendDelayMs) succeeds", async (t) => {
  const store = await openStore(t, { sendDelayMs: 60_000 });
  const id = await queued(store);
  await store.abortSubmit(id);
  assert.deepEqual(await store.outgoingQueue(), []);
});

// ---------------------------------------------------------------- outgoingQueue

const QUEUE_COLUMNS = [
  "entryId",
  "PidTagClientSubmitTime",
  "PidTagDisplayTo",
  "PidTagDisplayCc",
  "PidTagDisplayBcc",
  "PidTagMessageFlags",
  "PidTagMessageSize",
  "PidTagPriority",
  "PidTagSenderName",
  "PidTagSubject",
  "PidTagSubmitFlags",
  "attempts",
  "lastError",
  "nextAttemptAt",
].sort();

test("outgoingQueue of a new store is an empty array", async (t) => {
  const store = await openStore(t);
  const q = store.outgoingQueue();
  assert.ok(q instanceof Promise);
  assert.deepEqual(await q, []);
});

test("outgoingQueue lists messages in ascending submit order", async (t) => {
  const store = await openStore(t);
  // Save in one order, submit in another: the queue follows the submits.
  const m1 = await savedDraft(store, "one");
  const m2 = await savedDraft(store, "two");
  const m3 = await savedDraft(store, "three");
  const ids = [m3.entryId, m1.entryId, m2.entryId];
  await m3.submit();
  await m1.submit();
  await m2.submit();
  const q = await store.outgoingQueue();
  assert.deepEqual(q.map((r) => r.entryId), ids);
  assert.deepEqual(q.map((r) => r.PidTagSubject), ["three", "one", "two"]);
});

test("outgoingQueue rows have exactly the §5 columns (no PidTagDeferredSendTime when unset) with the right values", async (t) => {
  const store = await openStore(t, { identity: { email: ME, name: "Me Myself" } });
  const msg = store.createMessage();
  msg.setProps({ PidTagSubject: "columns", PidTagBody: "b", PidTagPriority: 1 });
  msg.modifyRecipients("add", [
    recipient("alice@example.org", 1, "Alice"),
    recipient("bob@example.org", 1, "Bob"),
    recipient("carol@example.org", 2, "Carol"),
    recipient("dave@example.org", 3, "Dave"),
  ]);
  const id = msg.entryId;
  const before = Date.now();
  await msg.submit();
  const after = Date.now();
  const [row, ...rest] = await store.outgoingQueue();
  assert.equal(rest.length, 0);
  assert.deepEqual(Object.keys(row).sort(), QUEUE_COLUMNS);
  assert.equal(row.entryId, id);
  assert.equal(row.PidTagSubject, "columns");
  assert.equal(row.PidTagDisplayTo, "Alice; Bob");
  assert.equal(row.PidTagDisplayCc, "Carol");
  assert.equal(row.PidTagDisplayBcc, "Dave");
  assert.equal(row.PidTagMessageFlags, SUBMITTED_FLAGS);
  assert.ok(Number.isInteger(row.PidTagMessageSize) && row.PidTagMessageSize > 0);
  assert.equal(row.PidTagPriority, 1);
  assert.equal(row.PidTagSenderName, "Me Myself");
  assert.equal(row.PidTagSubmitFlags, 0);
  assert.ok(row.PidTagClientSubmitTime instanceof Date);
  assert.ok(row.PidTagClientSubmitTime.getTime() >= before && row.PidTagClientSubmitTime.getTime() <= after);
  assert.equal(row.attempts, 0);
  assert.equal(row.lastError, null);
  assert.equal(row.nextAttemptAt, null);
});

test("outgoingQueue row carries PidTagDeferredSendTime when the message has one", async (t) => {
  const store = await openStore(t);
  const msg = newMessage(store, "later");
  const when = new Date(Date.now() + 3_600_000);
  msg.setProps({ PidTagDeferredSendTime: when });
  await msg.submit();
  const [row] = await store.outgoingQueue();
  assert.deepEqual(Object.keys(row).sort(), [...QUEUE_COLUMNS, "PidTagDeferredSendTime"].sort());
  assert.ok(row.PidTagDeferredSendTime instanceof Date);
  assert.equal(row.PidTagDeferredSendTime.getTime(), when.getTime());
});

test("outgoingQueue rows show HASATTACH for a message with an attachment", async (t) => {
  const store = await openStore(t);
  const msg = newMessage(store, "att");
  const a = msg.createAttach();
  a.setProps({ PidTagAttachLongFilename: "a.bin", PidTagAttachDataBinary: new Uint8Array([1, 2, 3]) });
  a.saveChanges();
  await msg.submit();
  const [row] = await store.outgoingQueue();
  assert.equal(row.PidTagMessageFlags, SUBMITTED_FLAGS | MessageFlags.HASATTACH);
});

// ---------------------------------------------------------------- contents

const CONTENTS_COLUMNS = [
  "entryId",
  "PidTagSubject",
  "PidTagMessageClass",
  "PidTagMessageFlags",
  "PidTagMessageSize",
  "PidTagDisplayTo",
].sort();

test("contents rows of a draft have exactly entryId, Subject, MessageClass, MessageFlags, MessageSize, DisplayTo", async (t) => {
  const store = await openStore(t);
  const msg = newMessage(store, "cols", [recipient("a@example.org", 1, "Ann")]);
  await msg.saveChanges();
  const [row] = await store.contents("drafts");
  assert.deepEqual(Object.keys(row).sort(), CONTENTS_COLUMNS);
  assert.equal(row.entryId, msg.entryId);
  assert.equal(row.PidTagSubject, "cols");
  assert.equal(row.PidTagMessageClass, "IPM.Note");
  assert.equal(row.PidTagMessageFlags, NEW_FLAGS);
  assert.ok(Number.isInteger(row.PidTagMessageSize) && row.PidTagMessageSize > 0);
  assert.equal(row.PidTagDisplayTo, "Ann");
});

test("contents rows of a submitted message in the Outbox also carry PidTagClientSubmitTime", async (t) => {
  const store = await openStore(t);
  const id = await queued(store, "out");
  const [row, ...rest] = await store.contents("outbox");
  assert.equal(rest.length, 0);
  assert.deepEqual(Object.keys(row).sort(), [...CONTENTS_COLUMNS, "PidTagClientSubmitTime"].sort());
  assert.equal(row.entryId, id);
  assert.ok(row.PidTagClientSubmitTime instanceof Date);
  assert.equal(row.PidTagMessageFlags, SUBMITTED_FLAGS);
  assert.deepEqual(await store.contents("drafts"), []);
});

test("contents accepts a folder entry id (string and Uint8Array) and gives the same rows as the name", async (t) => {
  const store = await openStore(t);
  await savedDraft(store, "a");
  await savedDraft(store, "b");
  await queued(store, "q");
  for (const name of ["drafts", "outbox", "sent", "inbox"]) {
    const byName = await store.contents(name);
    assert.deepEqual(await store.contents(store.folders[name]), byName, name);
    assert.deepEqual(await store.contents(hexToBytes(store.folders[name])), byName, name);
  }
  assert.equal((await store.contents("drafts")).length, 2);
});

test("contents lists newest first: most recently saved first", async (t) => {
  const store = await openStore(t);
  const a = await savedDraft(store, "a");
  const b = await savedDraft(store, "b");
  const c = await savedDraft(store, "c");
  assert.deepEqual((await store.contents("drafts")).map((r) => r.PidTagSubject), ["c", "b", "a"]);
  a.setProps({ PidTagSubject: "a2" });
  await a.saveChanges();
  assert.deepEqual((await store.contents("drafts")).map((r) => r.entryId), [a.entryId, c.entryId, b.entryId]);
});

test("contents('outbox') lists the most recently submitted first", async (t) => {
  const store = await openStore(t);
  const a = await queued(store, "a");
  const b = await queued(store, "b");
  const c = await queued(store, "c");
  assert.deepEqual((await store.contents("outbox")).map((r) => r.entryId), [c, b, a]);
});

test("an aborted message moved back to Drafts is the newest row there", async (t) => {
  const store = await openStore(t);
  const q = await queued(store, "q");
  const d1 = (await savedDraft(store, "d1")).entryId;
  const d2 = (await savedDraft(store, "d2")).entryId;
  await store.abortSubmit(q);
  assert.deepEqual((await store.contents("drafts")).map((r) => r.entryId), [q, d2, d1]);
});

test("contents of an unknown folder name rejects MAPI_E_INVALID_ENTRYID; a message id rejects MAPI_E_NOT_FOUND", async (t) => {
  const store = await openStore(t);
  const id = (await savedDraft(store)).entryId;
  await rejectsMapi(store.contents("Drafts2"), "MAPI_E_INVALID_ENTRYID");
  await rejectsMapi(store.contents(id), "MAPI_E_NOT_FOUND");
  await rejectsMapi(store.contents(unknownId(store)), "MAPI_E_NOT_FOUND");
});

// ---------------------------------------------------------------- deleteMessage

test("deleteMessage of a draft resolves; then the id answers MAPI_E_NOT_FOUND everywhere", async (t) => {
  const store = await openStore(t);
  const id = (await savedDraft(store)).entryId;
  assert.equal(await store.deleteMessage(id), undefined);
  assert.deepEqual(await store.contents("drafts"), []);
  await rejectsMapi(store.openMessage(id), "MAPI_E_NOT_FOUND");
  await rejectsMapi(store.deleteMessage(id), "MAPI_E_NOT_FOUND");
  await rejectsMapi(store.abortSubmit(id), "MAPI_E_NOT_FOUND");
});

test("deleteMessage of a queued message rejects MAPI_E_SUBMITTED and leaves it queued", async (t) => {
  const store = await openStore(t);
  const id = await queued(store);
  await rejectsMapi(store.deleteMessage(id), "MAPI_E_SUBMITTED", { mentions: id });
  assert.deepEqual((await store.outgoingQueue()).map((r) => r.entryId), [id]);
  await store.abortSubmit(id);
  await store.deleteMessage(id);
  await rejectsMapi(store.openMessage(id), "MAPI_E_NOT_FOUND");
});

test("deleteMessage of an unknown id rejects MAPI_E_NOT_FOUND and of a malformed id MAPI_E_INVALID_ENTRYID", async (t) => {
  const store = await openStore(t);
  await rejectsMapi(store.deleteMessage(unknownId(store)), "MAPI_E_NOT_FOUND");
  await rejectsMapi(store.deleteMessage("1234"), "MAPI_E_INVALID_ENTRYID");
});

test("deleteMessage accepts the Uint8Array form of the entry id", async (t) => {
  const store = await openStore(t);
  const id = (await savedDraft(store)).entryId;
  await store.deleteMessage(hexToBytes(id));
  assert.deepEqual(await store.contents("drafts"), []);
});

// ---------------------------------------------------------------- corrupt data

test("submit of a message whose stored copy was corrupted rejects MAPI_E_CORRUPT_DATA and queues nothing", async (t) => {
  const store = await openStore(t);
  const msg = await savedDraft(store, "fragile");
  const id = msg.entryId;
  assert.equal(await store.corruptRecordForTesting(id), undefined);
  await rejectsMapi(msg.submit(), "MAPI_E_CORRUPT_DATA");
  assert.deepEqual(await store.outgoingQueue(), []);
  // The object is still valid and writable.
  assert.equal(msg.entryId, id);
  assert.equal(msg.getProps(["PidTagSubject"]).PidTagSubject, "fragile");
  msg.setProps({ PidTagSubject: "fragile 2" });
});

test("corrupt-data recovery: setProps + saveChanges rewrites the record, then submit succeeds with everything intact", async (t) => {
  const store = await openStore(t);
  const msg = newMessage(store, "recover", [recipient("a@example.org", 1, "Ann"), recipient("b@example.org", 2, "Ben")]);
  const att = msg.createAttach();
  att.setProps({ PidTagAttachLongFilename: "r.bin", PidTagAttachDataBinary: new Uint8Array([9, 8, 7]) });
  att.saveChanges();
  await msg.saveChanges();
  const id = msg.entryId;
  await store.corruptRecordForTesting(id);
  await rejectsMapi(msg.submit(), "MAPI_E_CORRUPT_DATA");
  msg.setProps({ PidTagSubject: "recovered" });
  await msg.saveChanges();
  await msg.submit();
  const q = await store.outgoingQueue();
  assert.deepEqual(q.map((r) => r.entryId), [id]);
  assert.equal(q[0].PidTagSubject, "recovered");
  assert.equal(q[0].PidTagDisplayTo, "Ann");
  assert.equal(q[0].PidTagDisplayCc, "Ben");
  const ro = await store.openMessage(id, { access: "read" });
  assert.equal(ro.getRecipients().length, 2);
  const rows = ro.getAttachments();
  assert.equal(rows.length, 1);
  const data = ro.openAttach(rows[0].PidTagAttachNumber).getProps(["PidTagAttachDataBinary"]).PidTagAttachDataBinary;
  assert.deepEqual([...data], [9, 8, 7]);
});

test("openMessage of a corrupted record rejects MAPI_E_CORRUPT_DATA", async (t) => {
  const store = await openStore(t);
  const id = (await savedDraft(store)).entryId;
  await store.corruptRecordForTesting(id);
  await rejectsMapi(store.openMessage(id), "MAPI_E_CORRUPT_DATA");
});

test("corruptRecordForTesting of a malformed id rejects MAPI_E_INVALID_ENTRYID", async (t) => {
  const store = await openStore(t);
  await rejectsMapi(store.corruptRecordForTesting("xyz"), "MAPI_E_INVALID_ENTRYID");
});

// ---------------------------------------------------------------- events

test("submit fires queuechange and submitted {entryId, submissionId} with event.detail", async (t) => {
  const store = await openStore(t);
  const seen = [];
  store.addEventListener("queuechange", (e) => seen.push(e.type));
  const submitted = nextEvent(store, "submitted");
  const msg = newMessage(store);
  const id = msg.entryId;
  await msg.submit();
  const ev = await submitted;
  await settle();
  assert.equal(ev.type, "submitted");
  assert.deepEqual(Object.keys(ev.detail).sort(), ["entryId", "submissionId"]);
  assert.equal(ev.detail.entryId, id);
  assert.equal(typeof ev.detail.submissionId, "string");
  assert.ok(ev.detail.submissionId.length > 0);
  assert.ok(seen.length >= 1, "queuechange fired");
  assert.ok(seen.every((x) => x === "queuechange"));
});

test("each submission gets a new submissionId", async (t) => {
  const store = await openStore(t);
  const ids = [];
  store.addEventListener("submitted", (e) => ids.push(e.detail.submissionId));
  const id = await queued(store);
  await store.abortSubmit(id);
  const msg = await store.openMessage(id);
  await msg.submit();
  await queued(store, "other");
  await settle();
  assert.equal(ids.length, 3);
  assert.equal(new Set(ids).size, 3);
});

test("abortSubmit fires aborted {entryId} and queuechange", async (t) => {
  const store = await openStore(t);
  const id = await queued(store);
  await settle();
  let changes = 0;
  store.addEventListener("queuechange", () => changes++);
  const aborted = nextEvent(store, "aborted");
  await store.abortSubmit(id);
  const ev = await aborted;
  await settle();
  assert.equal(ev.type, "aborted");
  assert.deepEqual({ ...ev.detail }, { entryId: id });
  assert.ok(changes >= 1, "queuechange fired on abort");
});

test("events are dispatched asynchronously, after the call that caused them", async (t) => {
  const store = await openStore(t);
  const id = await queued(store);
  await settle();
  let fired = false;
  store.addEventListener("aborted", () => {
    fired = true;
  });
  const p = store.abortSubmit(id);
  assert.equal(fired, false);
  await p;
  await settle();
  assert.equal(fired, true);
});

test("a listener object with handleEvent receives events", async (t) => {
  const store = await openStore(t);
  const got = [];
  store.addEventListener("submitted", { handleEvent: (e) => got.push(e.detail.entryId) });
  const id = await queued(store);
  await settle();
  assert.deepEqual(got, [id]);
});

test("removeEventListener stops a listener from being called", async (t) => {
  const store = await openStore(t);
  let calls = 0;
  const fn = () => calls++;
  store.addEventListener("submitted", fn);
  await queued(store, "1");
  await settle();
  assert.equal(calls, 1);
  store.removeEventListener("submitted", fn);
  await queued(store, "2");
  await settle();
  assert.equal(calls, 1);
});

test("a throwing listener does not break the store or the other listeners", async (t) => {
  const store = await openStore(t);
  const got = [];
  store.addEventListener("submitted", () => {
    throw new Error("listener bug");
  });
  store.addEventListener("queuechange", () => {
    throw new MapiError("MAPI_E_CALL_FAILED", "listener bug");
  });
  store.addEventListener("submitted", (e) => got.push(e.detail.entryId));
  const id = await queued(store);
  await settle();
  assert.deepEqual(got, [id]);
  await store.abortSubmit(id);
  await assertStoreWorks(store);
});

test("no submitted/queuechange event fires for a submit that fails", async (t) => {
  const store = await openStore(t);
  const events = [];
  store.addEventListener("submitted", () => events.push("submitted"));
  store.addEventListener("queuechange", () => events.push("queuechange"));
  const msg = store.createMessage();
  await rejectsMapi(msg.submit(), "MAPI_E_NO_RECIPIENTS");
  await settle();
  assert.deepEqual(events, []);
});

// ---------------------------------------------------------------- isolation

test("two memory stores with the same name do not share data or events", async (t) => {
  const a = await openStore(t, { name: "same" });
  const b = await openStore(t, { name: "same" });
  let bEvents = 0;
  b.addEventListener("submitted", () => bEvents++);
  b.addEventListener("queuechange", () => bEvents++);
  const draft = await savedDraft(a, "only in a");
  const qid = await queued(a, "queued in a");
  await settle();
  assert.deepEqual(await b.contents("drafts"), []);
  assert.deepEqual(await b.contents("outbox"), []);
  assert.deepEqual(await b.outgoingQueue(), []);
  await rejectsMapi(b.openMessage(draft.entryId), "MAPI_E_NOT_FOUND");
  await rejectsMapi(b.abortSubmit(qid), "MAPI_E_NOT_FOUND");
  assert.equal(bEvents, 0);
  assert.equal((await a.contents("drafts")).length, 1);
});
