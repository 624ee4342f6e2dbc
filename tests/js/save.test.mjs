// SPEC §5 Message.saveChanges: keepOpen, force, MAPI_E_OBJECT_CHANGED,
// MAPI_E_OBJECT_DELETED, MAPI_E_NO_ACCESS, and failed saves leave the object as it was.
import { test } from "node:test";
import assert from "node:assert/strict";
import { assertMapiError, rejectsMapi, openStore, recipient, savedDraft, queued } from "./helpers.mjs";

test("saveChanges returns a promise resolving to undefined; the object stays writable (keepOpen readwrite)", async (t) => {
  const store = await openStore(t);
  const msg = store.createMessage();
  msg.setProps({ PidTagSubject: "one" });
  const p = msg.saveChanges();
  assert.ok(p instanceof Promise);
  assert.equal(await p, undefined);
  msg.setProps({ PidTagSubject: "two" });
  await msg.saveChanges({ keepOpen: "readwrite" });
  msg.setProps({ PidTagSubject: "three" });
  await msg.saveChanges();
  const again = await store.openMessage(msg.entryId);
  assert.equal(again.getProps(["PidTagSubject"]).PidTagSubject, "three");
});

test("after saveChanges({ keepOpen: 'readonly' }) reads work and every write throws MAPI_E_NO_ACCESS", async (t) => {
  const store = await openStore(t);
  const msg = store.createMessage();
  msg.setProps({ PidTagSubject: "frozen" });
  msg.modifyRecipients("add", [recipient()]);
  const a = msg.createAttach();
  a.setProps({ PidTagAttachLongFilename: "a.txt" });
  a.saveChanges();
  await msg.saveChanges({ keepOpen: "readonly" });
  assert.equal(msg.getProps(["PidTagSubject"]).PidTagSubject, "frozen");
  assert.equal(msg.getRecipients().length, 1);
  const num = msg.getAttachments()[0].PidTagAttachNumber;
  assertMapiError(() => msg.setProps({ PidTagSubject: "x" }), "MAPI_E_NO_ACCESS");
  assertMapiError(() => msg.deleteProps(["PidTagSubject"]), "MAPI_E_NO_ACCESS");
  assertMapiError(() => msg.modifyRecipients("add", [recipient("b@example.org")]), "MAPI_E_NO_ACCESS");
  assertMapiError(() => msg.removeAllRecipients(), "MAPI_E_NO_ACCESS");
  assertMapiError(() => msg.createAttach(), "MAPI_E_NO_ACCESS");
  assertMapiError(() => msg.deleteAttach(num), "MAPI_E_NO_ACCESS");
  assert.equal(msg.getProps(["PidTagSubject"]).PidTagSubject, "frozen");
});

test("saveChanges with keepOpen other than readwrite/readonly rejects MAPI_E_UNKNOWN_FLAGS and changes nothing", async (t) => {
  const store = await openStore(t);
  const msg = await savedDraft(store, "orig");
  msg.setProps({ PidTagSubject: "pending" });
  for (const keepOpen of ["read", "READONLY", "", "write"]) {
    await rejectsMapi(() => msg.saveChanges({ keepOpen }), "MAPI_E_UNKNOWN_FLAGS", { mentions: /keepOpen/ });
  }
  const other = await store.openMessage(msg.entryId, { access: "read" });
  assert.equal(other.getProps(["PidTagSubject"]).PidTagSubject, "orig");
  assert.equal(msg.getProps(["PidTagSubject"]).PidTagSubject, "pending");
  msg.setProps({ PidTagSubject: "still writable" });
});

test("two objects on one message: after A saves, B's save rejects MAPI_E_OBJECT_CHANGED", async (t) => {
  const store = await openStore(t);
  const id = (await savedDraft(store, "base")).entryId;
  const a = await store.openMessage(id);
  const b = await store.openMessage(id);
  a.setProps({ PidTagSubject: "from A" });
  await a.saveChanges();
  b.setProps({ PidTagSubject: "from B" });
  await rejectsMapi(b.saveChanges(), "MAPI_E_OBJECT_CHANGED");
  const now = await store.openMessage(id, { access: "read" });
  assert.equal(now.getProps(["PidTagSubject"]).PidTagSubject, "from A");
});

test("the object that created the message conflicts too: a save through another object makes its save MAPI_E_OBJECT_CHANGED", async (t) => {
  const store = await openStore(t);
  const creator = await savedDraft(store, "base");
  const other = await store.openMessage(creator.entryId);
  other.setProps({ PidTagBody: "other" });
  await other.saveChanges();
  creator.setProps({ PidTagBody: "creator" });
  await rejectsMapi(creator.saveChanges(), "MAPI_E_OBJECT_CHANGED");
});

test("a failed save (MAPI_E_OBJECT_CHANGED) leaves the object as it was, and force:true then wins", async (t) => {
  const store = await openStore(t);
  const id = (await savedDraft(store, "base")).entryId;
  const a = await store.openMessage(id);
  const b = await store.openMessage(id);
  a.setProps({ PidTagSubject: "from A" });
  await a.saveChanges();
  b.setProps({ PidTagSubject: "from B", PidTagBody: "B body" });
  b.modifyRecipients("add", [recipient("bee@example.org", 2, "Bee")]);
  await rejectsMapi(b.saveChanges(), "MAPI_E_OBJECT_CHANGED");
  assert.deepEqual(b.getProps(["PidTagSubject", "PidTagBody"]), { PidTagSubject: "from B", PidTagBody: "B body" });
  assert.equal(b.getRecipients().length, 2);
  b.setProps({ PidTagImportance: 2 });
  await b.saveChanges({ force: true });
  const now = await store.openMessage(id, { access: "read" });
  assert.deepEqual(now.getProps(["PidTagSubject", "PidTagBody", "PidTagImportance"]), {
    PidTagSubject: "from B",
    PidTagBody: "B body",
    PidTagImportance: 2,
  });
  assert.equal(now.getRecipients().length, 2);
});

test("the same object can save repeatedly without conflicting with itself", async (t) => {
  const store = await openStore(t);
  const a = await savedDraft(store, "1");
  for (const s of ["2", "3", "4"]) {
    a.setProps({ PidTagSubject: s });
    await a.saveChanges();
  }
  assert.equal((await store.contents("drafts"))[0].PidTagSubject, "4");
});

test("after a conflicting save, B can reopen and save normally", async (t) => {
  const store = await openStore(t);
  const id = (await savedDraft(store, "base")).entryId;
  const a = await store.openMessage(id);
  const b = await store.openMessage(id);
  a.setProps({ PidTagSubject: "a" });
  await a.saveChanges();
  b.setProps({ PidTagSubject: "b" });
  await rejectsMapi(b.saveChanges(), "MAPI_E_OBJECT_CHANGED");
  const c = await store.openMessage(id);
  c.setProps({ PidTagSubject: "c" });
  await c.saveChanges();
});

test("saveChanges of an object whose message was deleted meanwhile rejects MAPI_E_OBJECT_DELETED and leaves the object as it was", async (t) => {
  const store = await openStore(t);
  const msg = await savedDraft(store, "doomed");
  msg.setProps({ PidTagSubject: "pending" });
  await store.deleteMessage(msg.entryId);
  await rejectsMapi(msg.saveChanges(), "MAPI_E_OBJECT_DELETED");
  assert.equal(msg.getProps(["PidTagSubject"]).PidTagSubject, "pending");
  await rejectsMapi(msg.saveChanges({ force: true }), "MAPI_E_OBJECT_DELETED");
  assert.deepEqual(await store.contents("drafts"), [], "the deleted message is not resurrected");
});

test("submit of an object whose message was deleted meanwhile rejects MAPI_E_OBJECT_DELETED and queues nothing", async (t) => {
  const store = await openStore(t);
  const msg = await savedDraft(store, "doomed");
  await store.deleteMessage(msg.entryId);
  await rejectsMapi(msg.submit(), "MAPI_E_OBJECT_DELETED");
  assert.deepEqual(await store.outgoingQueue(), []);
});

test("saveChanges of an object whose message was queued through another object rejects MAPI_E_SUBMITTED", async (t) => {
  const store = await openStore(t);
  const id = (await savedDraft(store, "x", [recipient()])).entryId;
  const a = await store.openMessage(id);
  const b = await store.openMessage(id);
  await a.submit();
  b.setProps({ PidTagSubject: "late edit" });
  await rejectsMapi(b.saveChanges(), "MAPI_E_SUBMITTED");
  await rejectsMapi(b.submit(), "MAPI_E_SUBMITTED");
  assert.equal((await store.outgoingQueue()).length, 1);
  assert.equal((await store.outgoingQueue())[0].PidTagSubject, "x");
});

test("an object opened after abortSubmit saves normally (no stale conflict)", async (t) => {
  const store = await openStore(t);
  const id = await queued(store, "q");
  await store.abortSubmit(id);
  const m = await store.openMessage(id);
  m.setProps({ PidTagSubject: "edited" });
  await m.saveChanges();
  assert.equal((await store.contents("drafts"))[0].PidTagSubject, "edited");
});
