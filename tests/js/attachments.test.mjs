// SPEC §5 attachments: createAttach / Attachment.saveChanges / openAttach / deleteAttach /
// getAttachments, bytes round-trip, HASATTACH and PidTagHasAttachments.
import { test } from "node:test";
import assert from "node:assert/strict";
import { MessageFlags } from "mapi-outbox";
import { NEW_FLAGS, assertMapiError, openStore, savedDraft, sameBytes } from "./helpers.mjs";

const ROW_COLUMNS = ["PidTagAttachLongFilename", "PidTagAttachMimeTag", "PidTagAttachNumber", "PidTagAttachSize"];

function attach(msg, name = "a.pdf", data = new Uint8Array([1, 2, 3]), mime = "application/pdf") {
  const a = msg.createAttach();
  a.setProps({ PidTagAttachLongFilename: name, PidTagAttachMimeTag: mime, PidTagAttachDataBinary: data });
  assert.equal(a.saveChanges(), undefined, "Attachment.saveChanges is synchronous");
  return a;
}

test("a new message has no attachments", async (t) => {
  const store = await openStore(t);
  assert.deepEqual(store.createMessage().getAttachments(), []);
});

test("createAttach + setProps + saveChanges adds a row with exactly number, long filename, size, mime tag", async (t) => {
  const store = await openStore(t);
  const msg = store.createMessage();
  const data = new Uint8Array(1000).fill(7);
  attach(msg, "report.pdf", data);
  const rows = msg.getAttachments();
  assert.equal(rows.length, 1);
  const [row] = rows;
  assert.deepEqual(Object.keys(row).sort(), ROW_COLUMNS);
  assert.ok(Number.isInteger(row.PidTagAttachNumber));
  assert.equal(row.PidTagAttachLongFilename, "report.pdf");
  assert.equal(row.PidTagAttachMimeTag, "application/pdf");
  assert.ok(Number.isInteger(row.PidTagAttachSize) && row.PidTagAttachSize >= 1000, `size ${row.PidTagAttachSize}`);
});

test("Attachment.saveChanges is synchronous (returns undefined, not a promise)", async (t) => {
  const store = await openStore(t);
  const a = store.createMessage().createAttach();
  a.setProps({ PidTagAttachLongFilename: "x.txt" });
  const r = a.saveChanges();
  assert.equal(r, undefined);
});

test("attachments get distinct PidTagAttachNumber values", async (t) => {
  const store = await openStore(t);
  const msg = store.createMessage();
  attach(msg, "one.txt");
  attach(msg, "two.txt");
  attach(msg, "three.txt");
  const rows = msg.getAttachments();
  assert.equal(rows.length, 3);
  assert.equal(new Set(rows.map((r) => r.PidTagAttachNumber)).size, 3);
  assert.deepEqual(rows.map((r) => r.PidTagAttachLongFilename).sort(), ["one.txt", "three.txt", "two.txt"]);
});

test("an attachment has PidTagAttachMethod 1 (by value) by default and its PidTagAttachNumber", async (t) => {
  const store = await openStore(t);
  const msg = store.createMessage();
  const a = attach(msg);
  const p = a.getProps(["PidTagAttachMethod", "PidTagAttachNumber"]);
  assert.equal(p.PidTagAttachMethod, 1);
  assert.equal(p.PidTagAttachNumber, msg.getAttachments()[0].PidTagAttachNumber);
});

test("attachment bytes round-trip exactly through message save and openMessage/openAttach", async (t) => {
  const store = await openStore(t);
  const msg = store.createMessage();
  const data = new Uint8Array(100_003);
  for (let i = 0; i < data.length; i++) data[i] = (i * 131 + 7) & 0xff;
  attach(msg, "data.bin", data, "application/octet-stream");
  await msg.saveChanges();
  const again = await store.openMessage(msg.entryId);
  const [row] = again.getAttachments();
  const a = again.openAttach(row.PidTagAttachNumber);
  const p = a.getProps(["PidTagAttachDataBinary", "PidTagAttachLongFilename", "PidTagAttachMimeTag"]);
  assert.ok(p.PidTagAttachDataBinary instanceof Uint8Array);
  assert.equal(p.PidTagAttachDataBinary.length, data.length);
  assert.ok(sameBytes(p.PidTagAttachDataBinary, data), "bytes differ");
  assert.equal(p.PidTagAttachLongFilename, "data.bin");
  assert.equal(p.PidTagAttachMimeTag, "application/octet-stream");
});

test("all attachment properties round-trip: filename, long filename, mime tag, content id", async (t) => {
  const store = await openStore(t);
  const msg = store.createMessage();
  const a = msg.createAttach();
  const props = {
    PidTagAttachLongFilename: "Отчёт за май.pdf",
    PidTagAttachFilename: "REPORT.PDF",
    PidTagAttachMimeTag: "image/png",
    PidTagAttachContentId: "img1@example.org",
    PidTagAttachMethod: 1,
  };
  a.setProps(props);
  a.saveChanges();
  await msg.saveChanges();
  const again = await store.openMessage(msg.entryId);
  const b = again.openAttach(again.getAttachments()[0].PidTagAttachNumber);
  assert.deepEqual(b.getProps(Object.keys(props)), props);
});

test("an attachment not saved before the message is saved is lost", async (t) => {
  const store = await openStore(t);
  const msg = store.createMessage();
  const a = msg.createAttach();
  a.setProps({ PidTagAttachLongFilename: "lost.txt", PidTagAttachDataBinary: new Uint8Array([1]) });
  await msg.saveChanges();
  const again = await store.openMessage(msg.entryId);
  assert.deepEqual(again.getAttachments(), []);
  assert.equal(again.getProps(["PidTagMessageFlags"]).PidTagMessageFlags & MessageFlags.HASATTACH, 0);
  assert.equal(again.getProps(["PidTagHasAttachments"]).PidTagHasAttachments, false);
});

test("HASATTACH and PidTagHasAttachments follow the attachment table at each save", async (t) => {
  const store = await openStore(t);
  const msg = store.createMessage();
  await msg.saveChanges();
  assert.equal(msg.getProps(["PidTagMessageFlags"]).PidTagMessageFlags, NEW_FLAGS);
  assert.equal(msg.getProps(["PidTagHasAttachments"]).PidTagHasAttachments, false);

  attach(msg, "a.txt");
  await msg.saveChanges();
  assert.equal(msg.getProps(["PidTagMessageFlags"]).PidTagMessageFlags, NEW_FLAGS | MessageFlags.HASATTACH);
  assert.equal(msg.getProps(["PidTagHasAttachments"]).PidTagHasAttachments, true);
  const stored = await store.openMessage(msg.entryId, { access: "read" });
  assert.equal(stored.getProps(["PidTagMessageFlags"]).PidTagMessageFlags, NEW_FLAGS | MessageFlags.HASATTACH);
  assert.equal((await store.contents("drafts"))[0].PidTagMessageFlags, NEW_FLAGS | MessageFlags.HASATTACH);

  msg.deleteAttach(msg.getAttachments()[0].PidTagAttachNumber);
  await msg.saveChanges();
  assert.equal(msg.getProps(["PidTagMessageFlags"]).PidTagMessageFlags, NEW_FLAGS);
  assert.equal(msg.getProps(["PidTagHasAttachments"]).PidTagHasAttachments, false);
  assert.equal((await store.contents("drafts"))[0].PidTagMessageFlags, NEW_FLAGS);
});

test("deleteAttach removes the row; openAttach and deleteAttach of that number then throw MAPI_E_NOT_FOUND", async (t) => {
  const store = await openStore(t);
  const msg = store.createMessage();
  attach(msg, "one.txt");
  attach(msg, "two.txt");
  const [one, two] = msg.getAttachments();
  assert.equal(msg.deleteAttach(one.PidTagAttachNumber), undefined);
  assert.deepEqual(msg.getAttachments(), [two]);
  assertMapiError(() => msg.openAttach(one.PidTagAttachNumber), "MAPI_E_NOT_FOUND");
  assertMapiError(() => msg.deleteAttach(one.PidTagAttachNumber), "MAPI_E_NOT_FOUND");
});

test("openAttach/deleteAttach of a number that never existed throws MAPI_E_NOT_FOUND", async (t) => {
  const store = await openStore(t);
  const msg = store.createMessage();
  assertMapiError(() => msg.openAttach(4242), "MAPI_E_NOT_FOUND", { mentions: "4242" });
  assertMapiError(() => msg.deleteAttach(4242), "MAPI_E_NOT_FOUND", { mentions: "4242" });
});

test("deleteAttach is transacted: the stored copy keeps the attachment until the message is saved", async (t) => {
  const store = await openStore(t);
  const msg = store.createMessage();
  attach(msg);
  await msg.saveChanges();
  msg.deleteAttach(msg.getAttachments()[0].PidTagAttachNumber);
  const other = await store.openMessage(msg.entryId, { access: "read" });
  assert.equal(other.getAttachments().length, 1);
  await msg.saveChanges();
  const after = await store.openMessage(msg.entryId, { access: "read" });
  assert.equal(after.getAttachments().length, 0);
});

test("an attachment opened with openAttach can be changed and saved", async (t) => {
  const store = await openStore(t);
  const msg = store.createMessage();
  attach(msg, "old.txt");
  await msg.saveChanges();
  const num = msg.getAttachments()[0].PidTagAttachNumber;
  const a = msg.openAttach(num);
  a.setProps({ PidTagAttachLongFilename: "new.txt", PidTagAttachDataBinary: new Uint8Array([5, 6]) });
  a.saveChanges();
  await msg.saveChanges();
  const again = await store.openMessage(msg.entryId);
  assert.equal(again.getAttachments()[0].PidTagAttachLongFilename, "new.txt");
  assert.deepEqual([...again.openAttach(num).getProps(["PidTagAttachDataBinary"]).PidTagAttachDataBinary], [5, 6]);
});

test("PidTagAttachNumber and PidTagAttachSize are computed: writes throw MAPI_E_COMPUTED", async (t) => {
  const store = await openStore(t);
  const a = store.createMessage().createAttach();
  assertMapiError(() => a.setProps({ PidTagAttachNumber: 5 }), "MAPI_E_COMPUTED", { mentions: "PidTagAttachNumber" });
  assertMapiError(() => a.setProps({ PidTagAttachSize: 5 }), "MAPI_E_COMPUTED", { mentions: "PidTagAttachSize" });
  assertMapiError(() => a.deleteProps(["PidTagAttachSize"]), "MAPI_E_COMPUTED");
});

test("attachment setProps applies the type rules and CR/LF check", async (t) => {
  const store = await openStore(t);
  const a = store.createMessage().createAttach();
  const inv = (props, name) => assertMapiError(() => a.setProps(props), "MAPI_E_INVALID_PARAMETER", { mentions: name });
  inv({ PidTagAttachDataBinary: "abc" }, "PidTagAttachDataBinary");
  inv({ PidTagAttachDataBinary: [1, 2] }, "PidTagAttachDataBinary");
  inv({ PidTagAttachLongFilename: 5 }, "PidTagAttachLongFilename");
  inv({ PidTagAttachLongFilename: "a\r\nb.txt" }, "PidTagAttachLongFilename");
  inv({ PidTagAttachFilename: "a\nb.txt" }, "PidTagAttachFilename");
  inv({ PidTagAttachMimeTag: "text/plain\r\nX: y" }, "PidTagAttachMimeTag");
  inv({ PidTagAttachContentId: "a\rb" }, "PidTagAttachContentId");
  inv({ PidTagAttachMethod: 1.5 }, "PidTagAttachMethod");
  inv({ PidTagNoSuchAttachProp: 1 }, "PidTagNoSuchAttachProp");
});

test("attachment deleteProps removes a property", async (t) => {
  const store = await openStore(t);
  const a = store.createMessage().createAttach();
  a.setProps({ PidTagAttachMimeTag: "text/plain", PidTagAttachLongFilename: "x.txt" });
  a.deleteProps(["PidTagAttachMimeTag"]);
  assert.deepEqual(a.getProps(["PidTagAttachMimeTag", "PidTagAttachLongFilename"]), { PidTagAttachLongFilename: "x.txt" });
});

test("attachment free() is allowed twice; a freed attachment throws MAPI_E_INVALID_OBJECT", async (t) => {
  const store = await openStore(t);
  const msg = store.createMessage();
  const a = attach(msg);
  a.free();
  a.free();
  assertMapiError(() => a.getProps(), "MAPI_E_INVALID_OBJECT");
  assert.equal(msg.getAttachments().length, 1, "freeing the object does not delete the attachment");
});

test("a freed message throws MAPI_E_INVALID_OBJECT; a second free() does not throw", async (t) => {
  const store = await openStore(t);
  const msg = await savedDraft(store);
  msg.free();
  msg.free();
  assertMapiError(() => msg.getProps(), "MAPI_E_INVALID_OBJECT");
  assertMapiError(() => msg.setProps({ PidTagSubject: "x" }), "MAPI_E_INVALID_OBJECT");
});
