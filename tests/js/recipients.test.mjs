// SPEC §4/§5 recipients: modifyRecipients add/modify/remove, getRecipients,
// removeAllRecipients, address validation, PidTagDisplayTo/Cc/Bcc.
import { test } from "node:test";
import assert from "node:assert/strict";
import { assertMapiError, openStore, recipient } from "./helpers.mjs";

async function fresh(t) {
  const store = await openStore(t);
  return { store, msg: store.createMessage() };
}

const inv = (fn, mentions) => assertMapiError(fn, "MAPI_E_INVALID_PARAMETER", mentions ? { mentions } : undefined);

test("a new message has an empty recipient table", async (t) => {
  const { msg } = await fresh(t);
  assert.deepEqual(msg.getRecipients(), []);
});

test("modifyRecipients('add') assigns distinct integer PidTagRowid values and keeps the given properties", async (t) => {
  const { msg } = await fresh(t);
  assert.equal(
    msg.modifyRecipients("add", [
      { PidTagRecipientType: 1, PidTagEmailAddress: "alice@example.org", PidTagDisplayName: "Alice", PidTagAddressType: "SMTP" },
      { PidTagRecipientType: 2, PidTagEmailAddress: "bob@example.org", PidTagDisplayName: "Bob", PidTagAddressType: "SMTP" },
    ]),
    undefined,
  );
  const rows = msg.getRecipients();
  assert.equal(rows.length, 2);
  const [a, b] = rows;
  assert.ok(Number.isInteger(a.PidTagRowid) && Number.isInteger(b.PidTagRowid));
  assert.notEqual(a.PidTagRowid, b.PidTagRowid);
  assert.deepEqual(a, {
    PidTagRowid: a.PidTagRowid,
    PidTagRecipientType: 1,
    PidTagEmailAddress: "alice@example.org",
    PidTagDisplayName: "Alice",
    PidTagAddressType: "SMTP",
  });
  assert.deepEqual(b, {
    PidTagRowid: b.PidTagRowid,
    PidTagRecipientType: 2,
    PidTagEmailAddress: "bob@example.org",
    PidTagDisplayName: "Bob",
    PidTagAddressType: "SMTP",
  });
});

test("'add' defaults PidTagAddressType to SMTP and PidTagRecipientType to 1 (To)", async (t) => {
  const { msg } = await fresh(t);
  msg.modifyRecipients("add", [{ PidTagEmailAddress: "x@example.org" }]);
  const [row] = msg.getRecipients();
  assert.equal(row.PidTagAddressType, "SMTP");
  assert.equal(row.PidTagRecipientType, 1);
  assert.equal(row.PidTagEmailAddress, "x@example.org");
});

test("a PidTagRowid given in an 'add' row is ignored and a fresh one assigned", async (t) => {
  const { msg } = await fresh(t);
  msg.modifyRecipients("add", [recipient("a@example.org")]);
  const first = msg.getRecipients()[0].PidTagRowid;
  msg.modifyRecipients("add", [{ ...recipient("b@example.org"), PidTagRowid: first }]);
  const rows = msg.getRecipients();
  assert.equal(rows.length, 2);
  assert.equal(new Set(rows.map((r) => r.PidTagRowid)).size, 2);
  assert.equal(rows.find((r) => r.PidTagRowid === first).PidTagEmailAddress, "a@example.org");
});

test("add calls append: rows accumulate across calls", async (t) => {
  const { msg } = await fresh(t);
  msg.modifyRecipients("add", [recipient("a@example.org")]);
  msg.modifyRecipients("add", [recipient("b@example.org"), recipient("c@example.org")]);
  assert.deepEqual(
    msg.getRecipients().map((r) => r.PidTagEmailAddress).sort(),
    ["a@example.org", "b@example.org", "c@example.org"],
  );
});

test("modifyRecipients('modify') replaces all properties of the row with that rowid", async (t) => {
  const { msg } = await fresh(t);
  msg.modifyRecipients("add", [recipient("a@example.org", 1, "Ann"), recipient("keep@example.org", 1, "Keep")]);
  const [a, keep] = msg.getRecipients();
  msg.modifyRecipients("modify", [{ PidTagRowid: a.PidTagRowid, PidTagRecipientType: 3, PidTagEmailAddress: "z@example.org" }]);
  const rows = msg.getRecipients();
  assert.equal(rows.length, 2);
  const m = rows.find((r) => r.PidTagRowid === a.PidTagRowid);
  assert.equal(m.PidTagEmailAddress, "z@example.org");
  assert.equal(m.PidTagRecipientType, 3);
  assert.equal("PidTagDisplayName" in m, false, "the old display name is gone: modify replaces the whole row");
  assert.deepEqual(rows.find((r) => r.PidTagRowid === keep.PidTagRowid), keep);
});

test("modifyRecipients('modify') of an unknown rowid throws MAPI_E_NOT_FOUND naming the rowid", async (t) => {
  const { msg } = await fresh(t);
  msg.modifyRecipients("add", [recipient()]);
  const rowid = msg.getRecipients()[0].PidTagRowid + 1000;
  assertMapiError(
    () => msg.modifyRecipients("modify", [{ PidTagRowid: rowid, PidTagEmailAddress: "z@example.org" }]),
    "MAPI_E_NOT_FOUND",
    { mentions: String(rowid) },
  );
});

test("modifyRecipients('remove') deletes by rowid and leaves the other rows (and their rowids) alone", async (t) => {
  const { msg } = await fresh(t);
  msg.modifyRecipients("add", [recipient("a@example.org"), recipient("b@example.org"), recipient("c@example.org")]);
  const [a, b, c] = msg.getRecipients();
  msg.modifyRecipients("remove", [{ PidTagRowid: b.PidTagRowid }]);
  assert.deepEqual(msg.getRecipients(), [a, c]);
});

test("modifyRecipients('remove') of an unknown rowid throws MAPI_E_NOT_FOUND and removes nothing", async (t) => {
  const { msg } = await fresh(t);
  msg.modifyRecipients("add", [recipient("a@example.org"), recipient("b@example.org")]);
  const [a] = msg.getRecipients();
  assertMapiError(
    () => msg.modifyRecipients("remove", [{ PidTagRowid: a.PidTagRowid }, { PidTagRowid: 987654 }]),
    "MAPI_E_NOT_FOUND",
    { mentions: "987654" },
  );
  assert.equal(msg.getRecipients().length, 2);
});

test("removeAllRecipients empties the table and clears PidTagDisplayTo", async (t) => {
  const store = await openStore(t);
  const msg = store.createMessage();
  msg.modifyRecipients("add", [recipient("a@example.org", 1, "A"), recipient("b@example.org", 2, "B")]);
  await msg.saveChanges();
  msg.removeAllRecipients();
  assert.deepEqual(msg.getRecipients(), []);
  await msg.saveChanges();
  assert.deepEqual(msg.getProps(["PidTagDisplayTo", "PidTagDisplayCc"]), { PidTagDisplayTo: "", PidTagDisplayCc: "" });
});

test("an unknown op throws MAPI_E_UNKNOWN_FLAGS", async (t) => {
  const { msg } = await fresh(t);
  for (const op of ["delete", "ADD", "", "replace"]) {
    assertMapiError(() => msg.modifyRecipients(op, [recipient()]), "MAPI_E_UNKNOWN_FLAGS");
  }
  assert.deepEqual(msg.getRecipients(), []);
});

test("an invalid SMTP address is rejected with MAPI_E_INVALID_PARAMETER naming PidTagEmailAddress", async (t) => {
  const { msg } = await fresh(t);
  for (const email of ["not-an-address", "a@", "@example.org", "a b@example.org", "", "a@@example.org", "<a@example.org>"]) {
    inv(() => msg.modifyRecipients("add", [recipient(email)]), "PidTagEmailAddress");
  }
  assert.deepEqual(msg.getRecipients(), []);
});

test("'modify' also validates the address", async (t) => {
  const { msg } = await fresh(t);
  msg.modifyRecipients("add", [recipient("a@example.org")]);
  const [a] = msg.getRecipients();
  inv(() => msg.modifyRecipients("modify", [{ PidTagRowid: a.PidTagRowid, PidTagEmailAddress: "broken" }]), "PidTagEmailAddress");
  assert.deepEqual(msg.getRecipients(), [a]);
});

test("a row without PidTagEmailAddress is rejected with MAPI_E_INVALID_PARAMETER", async (t) => {
  const { msg } = await fresh(t);
  inv(() => msg.modifyRecipients("add", [{ PidTagRecipientType: 1, PidTagDisplayName: "Nobody" }]), "PidTagEmailAddress");
});

test("a non-SMTP address type skips the addr-spec check", async (t) => {
  const { msg } = await fresh(t);
  msg.modifyRecipients("add", [{ PidTagAddressType: "X400", PidTagEmailAddress: "c=US;a= ;p=Org;s=Smith" }]);
  const [row] = msg.getRecipients();
  assert.equal(row.PidTagAddressType, "X400");
  assert.equal(row.PidTagEmailAddress, "c=US;a= ;p=Org;s=Smith");
});

test("PidTagRecipientType outside 1..3 or not an integer is rejected with MAPI_E_INVALID_PARAMETER", async (t) => {
  const { msg } = await fresh(t);
  for (const type of [0, 4, -1, 1.5, "1", null]) {
    inv(() => msg.modifyRecipients("add", [{ PidTagRecipientType: type, PidTagEmailAddress: "a@example.org" }]), "PidTagRecipientType");
  }
});

test("CR/LF in a recipient display name or address type is rejected with MAPI_E_INVALID_PARAMETER", async (t) => {
  const { msg } = await fresh(t);
  inv(() => msg.modifyRecipients("add", [recipient("a@example.org", 1, "Eve\r\nBcc: x@example.org")]), "PidTagDisplayName");
  inv(() => msg.modifyRecipients("add", [{ PidTagEmailAddress: "a@example.org", PidTagAddressType: "SM\nTP" }]), "PidTagAddressType");
});

test("an unknown property name in a recipient row is rejected with MAPI_E_INVALID_PARAMETER", async (t) => {
  const { msg } = await fresh(t);
  inv(() => msg.modifyRecipients("add", [{ ...recipient(), PidTagNotARecipientProp: "x" }]), "PidTagNotARecipientProp");
});

test("modifyRecipients validates every row before changing anything", async (t) => {
  const { msg } = await fresh(t);
  inv(() => msg.modifyRecipients("add", [recipient("ok@example.org"), recipient("bad address")]));
  assert.deepEqual(msg.getRecipients(), []);
});

test("PidTagDisplayTo/Cc/Bcc are the display names of To/Cc/Bcc rows joined by '; '", async (t) => {
  const store = await openStore(t);
  const msg = store.createMessage();
  msg.modifyRecipients("add", [
    recipient("alice@example.org", 1, "Alice"),
    recipient("carol@example.org", 2, "Carol"),
    recipient("bob@example.org", 1, "Bob"),
    recipient("dave@example.org", 3, "Dave"),
    recipient("erin@example.org", 3, "Erin"),
  ]);
  await msg.saveChanges();
  const expected = { PidTagDisplayTo: "Alice; Bob", PidTagDisplayCc: "Carol", PidTagDisplayBcc: "Dave; Erin" };
  assert.deepEqual(msg.getProps(["PidTagDisplayTo", "PidTagDisplayCc", "PidTagDisplayBcc"]), expected);
  const again = await store.openMessage(msg.entryId);
  assert.deepEqual(again.getProps(["PidTagDisplayTo", "PidTagDisplayCc", "PidTagDisplayBcc"]), expected);
});

test("PidTagDisplayTo follows modify and remove", async (t) => {
  const store = await openStore(t);
  const msg = store.createMessage();
  msg.modifyRecipients("add", [recipient("a@example.org", 1, "A"), recipient("b@example.org", 1, "B")]);
  const [a, b] = msg.getRecipients();
  msg.modifyRecipients("modify", [{ PidTagRowid: a.PidTagRowid, PidTagRecipientType: 2, PidTagEmailAddress: "a@example.org", PidTagDisplayName: "A2" }]);
  await msg.saveChanges();
  assert.deepEqual(msg.getProps(["PidTagDisplayTo", "PidTagDisplayCc"]), { PidTagDisplayTo: "B", PidTagDisplayCc: "A2" });
  msg.modifyRecipients("remove", [{ PidTagRowid: b.PidTagRowid }]);
  await msg.saveChanges();
  assert.deepEqual(msg.getProps(["PidTagDisplayTo", "PidTagDisplayCc"]), { PidTagDisplayTo: "", PidTagDisplayCc: "A2" });
});

test("recipients survive saveChanges and openMessage, rowids included", async (t) => {
  const store = await openStore(t);
  const msg = store.createMessage();
  msg.modifyRecipients("add", [recipient("a@example.org", 1, "A"), recipient("b@example.org", 3)]);
  const rows = msg.getRecipients();
  await msg.saveChanges();
  const again = await store.openMessage(msg.entryId);
  assert.deepEqual(again.getRecipients(), rows);
});

test("recipient changes are transacted: not visible to another object until saved", async (t) => {
  const store = await openStore(t);
  const msg = store.createMessage();
  msg.modifyRecipients("add", [recipient("a@example.org")]);
  await msg.saveChanges();
  msg.modifyRecipients("add", [recipient("b@example.org")]);
  const other = await store.openMessage(msg.entryId, { access: "read" });
  assert.equal(other.getRecipients().length, 1);
});
