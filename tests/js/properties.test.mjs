// SPEC §4 property system on Message: setProps / getProps / deleteProps, type rules,
// hex keys, computed properties, header values, defaults (DECISIONS.md "Properties").
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  ME,
  NEW_FLAGS,
  assertMapiError,
  openStore,
  recipient,
  savedDraft,
  bytesToHex,
} from "./helpers.mjs";

async function fresh(t, extra) {
  const store = await openStore(t, extra);
  return { store, msg: store.createMessage() };
}

const inv = (fn, mentions) => assertMapiError(fn, "MAPI_E_INVALID_PARAMETER", mentions ? { mentions } : undefined);

// ---------------------------------------------------------------- defaults

test("a new message has the DECISIONS defaults: IPM.Note, importance 1, priority 0, sender from identity, UNSENT|FROMME", async (t) => {
  const { msg } = await fresh(t, { identity: { email: ME, name: "Me Myself" } });
  const p = msg.getProps([
    "PidTagMessageClass",
    "PidTagImportance",
    "PidTagPriority",
    "PidTagSenderEmailAddress",
    "PidTagSenderName",
    "PidTagMessageFlags",
  ]);
  assert.deepEqual(p, {
    PidTagMessageClass: "IPM.Note",
    PidTagImportance: 1,
    PidTagPriority: 0,
    PidTagSenderEmailAddress: ME,
    PidTagSenderName: "Me Myself",
    PidTagMessageFlags: NEW_FLAGS,
  });
});

test("a saved draft still has exactly UNSENT|FROMME in PidTagMessageFlags", async (t) => {
  const store = await openStore(t);
  const msg = await savedDraft(store);
  assert.equal(msg.getProps(["PidTagMessageFlags"]).PidTagMessageFlags, NEW_FLAGS);
  const again = await store.openMessage(msg.entryId);
  assert.equal(again.getProps(["PidTagMessageFlags"]).PidTagMessageFlags, NEW_FLAGS);
});

test("getProps() of a new message has the computed properties: DisplayTo/Cc/Bcc '', HasAttachments false, EntryId, MessageSize, no SubmitFlags", async (t) => {
  const { msg } = await fresh(t);
  const p = msg.getProps();
  assert.equal(p.PidTagDisplayTo, "");
  assert.equal(p.PidTagDisplayCc, "");
  assert.equal(p.PidTagDisplayBcc, "");
  assert.equal(p.PidTagHasAttachments, false);
  assert.equal(p.PidTagMessageFlags, NEW_FLAGS);
  assert.ok(Number.isInteger(p.PidTagMessageSize) && p.PidTagMessageSize >= 0);
  assert.ok(p.PidTagEntryId instanceof Uint8Array);
  assert.equal(bytesToHex(p.PidTagEntryId), msg.entryId);
  assert.equal("PidTagSubmitFlags" in p, false);
  assert.equal("PidTagSubject" in p, false);
  assert.equal("PidTagClientSubmitTime" in p, false);
  assert.equal("PidTagInternetMessageId" in p, false);
});

test("getProps(names) leaves absent properties out", async (t) => {
  const { msg } = await fresh(t);
  assert.deepEqual(msg.getProps(["PidTagSubject", "PidTagBody", "PidTagBodyHtml"]), {});
  assert.deepEqual(msg.getProps(["PidTagImportance", "PidTagSubject"]), { PidTagImportance: 1 });
  assert.deepEqual(msg.getProps([]), {});
});

// ---------------------------------------------------------------- PT_UNICODE

test("PT_UNICODE properties round-trip strings, including non-ASCII and empty", async (t) => {
  const { msg } = await fresh(t);
  const body = "Привет, мир 👋\r\nline two\n\ttab";
  msg.setProps({ PidTagSubject: "Отправка сообщения 📨", PidTagBody: body, PidTagBodyHtml: "<p>x</p>" });
  assert.deepEqual(msg.getProps(["PidTagSubject", "PidTagBody", "PidTagBodyHtml"]), {
    PidTagSubject: "Отправка сообщения 📨",
    PidTagBody: body,
    PidTagBodyHtml: "<p>x</p>",
  });
  msg.setProps({ PidTagSubject: "" });
  assert.deepEqual(msg.getProps(["PidTagSubject"]), { PidTagSubject: "" });
});

test("PT_UNICODE rejects non-strings with MAPI_E_INVALID_PARAMETER naming the property", async (t) => {
  const { msg } = await fresh(t);
  for (const v of [42, true, null, new Date(), new Uint8Array(1), ["a"], { a: 1 }, 1n]) {
    inv(() => msg.setProps({ PidTagSubject: v }), "PidTagSubject");
  }
});

test("PidTagSubject with CR or LF is rejected with MAPI_E_INVALID_PARAMETER", async (t) => {
  const { msg } = await fresh(t);
  for (const v of ["a\r\nBcc: x@example.org", "a\nb", "a\rb", "\n"]) {
    inv(() => msg.setProps({ PidTagSubject: v }), "PidTagSubject");
  }
  assert.deepEqual(msg.getProps(["PidTagSubject"]), {});
});

test("CR/LF is rejected in every header-bound string: SenderName, SenderEmailAddress, MessageClass, InternetMessageId", async (t) => {
  const { msg } = await fresh(t);
  for (const name of ["PidTagSenderName", "PidTagSenderEmailAddress", "PidTagMessageClass", "PidTagInternetMessageId"]) {
    inv(() => msg.setProps({ [name]: "x\r\ny" }), name);
  }
});

test("PidTagBody may contain CR/LF and may be large (1 MB)", async (t) => {
  const { msg } = await fresh(t);
  const big = "line\r\n".repeat(200_000);
  msg.setProps({ PidTagBody: big });
  assert.equal(msg.getProps(["PidTagBody"]).PidTagBody, big);
});

test("a header-bound string longer than 32 KiB is rejected with MAPI_E_INVALID_PARAMETER", async (t) => {
  const { msg } = await fresh(t);
  inv(() => msg.setProps({ PidTagSubject: "x".repeat(32 * 1024 + 1) }), "PidTagSubject");
  msg.setProps({ PidTagSubject: "x".repeat(1000) });
});

// ---------------------------------------------------------------- PT_LONG

test("PT_LONG round-trips int32 numbers, including the range ends (hex tag 0x80010003)", async (t) => {
  const { msg } = await fresh(t);
  msg.setProps({ PidTagImportance: 2, PidTagPriority: -1 });
  assert.deepEqual(msg.getProps(["PidTagImportance", "PidTagPriority"]), { PidTagImportance: 2, PidTagPriority: -1 });
  for (const v of [0, -1, 2 ** 31 - 1, -(2 ** 31)]) {
    msg.setProps({ "0x80010003": v });
    assert.deepEqual(msg.getProps(["0x80010003"]), { "0x80010003": v });
  }
});

test("PT_LONG rejects non-integers, out-of-int32 numbers, NaN, Infinity and non-numbers", async (t) => {
  const { msg } = await fresh(t);
  for (const v of [1.5, 2 ** 31, -(2 ** 31) - 1, NaN, Infinity, -Infinity, "1", 1n, true, null, new Date(0)]) {
    inv(() => msg.setProps({ "0x80010003": v }), "0x80010003");
  }
  assert.deepEqual(msg.getProps(["0x80010003"]), {});
});

test("range checks: Importance 0..2, Priority -1..1, DeferredSendNumber 0..999, DeferredSendUnits 0..3", async (t) => {
  const { msg } = await fresh(t);
  for (const v of [-1, 3]) inv(() => msg.setProps({ PidTagImportance: v }), "PidTagImportance");
  for (const v of [-2, 2]) inv(() => msg.setProps({ PidTagPriority: v }), "PidTagPriority");
  for (const v of [-1, 1000]) inv(() => msg.setProps({ PidTagDeferredSendNumber: v }), "PidTagDeferredSendNumber");
  for (const v of [-1, 4]) inv(() => msg.setProps({ PidTagDeferredSendUnits: v }), "PidTagDeferredSendUnits");
  msg.setProps({ PidTagImportance: 0, PidTagPriority: 1, PidTagDeferredSendNumber: 999, PidTagDeferredSendUnits: 3 });
  assert.deepEqual(
    msg.getProps(["PidTagImportance", "PidTagPriority", "PidTagDeferredSendNumber", "PidTagDeferredSendUnits"]),
    { PidTagImportance: 0, PidTagPriority: 1, PidTagDeferredSendNumber: 999, PidTagDeferredSendUnits: 3 },
  );
});

// ---------------------------------------------------------------- PT_BOOLEAN

test("PT_BOOLEAN round-trips booleans and rejects 1, 'true' and null", async (t) => {
  const { msg } = await fresh(t);
  msg.setProps({ PidTagDeleteAfterSubmit: true });
  assert.deepEqual(msg.getProps(["PidTagDeleteAfterSubmit"]), { PidTagDeleteAfterSubmit: true });
  msg.setProps({ PidTagDeleteAfterSubmit: false });
  assert.deepEqual(msg.getProps(["PidTagDeleteAfterSubmit"]), { PidTagDeleteAfterSubmit: false });
  for (const v of [1, 0, "true", null]) inv(() => msg.setProps({ PidTagDeleteAfterSubmit: v }), "PidTagDeleteAfterSubmit");
});

// ---------------------------------------------------------------- PT_SYSTIME

test("PT_SYSTIME round-trips a Date to the millisecond and returns a Date", async (t) => {
  const { msg } = await fresh(t);
  const d = new Date(Date.UTC(2031, 4, 6, 7, 8, 9, 123));
  msg.setProps({ PidTagDeferredDeliveryTime: d });
  const got = msg.getProps(["PidTagDeferredDeliveryTime"]).PidTagDeferredDeliveryTime;
  assert.ok(got instanceof Date);
  assert.equal(got.getTime(), d.getTime());
  const old = new Date(Date.UTC(1601, 0, 1, 0, 0, 0, 1));
  msg.setProps({ "0x80020040": old });
  assert.equal(msg.getProps(["0x80020040"])["0x80020040"].getTime(), old.getTime());
});

test("PT_SYSTIME rejects numbers, strings and an Invalid Date", async (t) => {
  const { msg } = await fresh(t);
  for (const v of [Date.now(), "2030-01-01T00:00:00Z", new Date(NaN), null, {}]) {
    inv(() => msg.setProps({ PidTagDeferredDeliveryTime: v }), "PidTagDeferredDeliveryTime");
  }
});

// ---------------------------------------------------------------- PT_BINARY

test("PT_BINARY round-trips a Uint8Array with every byte value, as a copy", async (t) => {
  const { msg } = await fresh(t);
  const bytes = Uint8Array.from({ length: 256 }, (_, i) => i);
  msg.setProps({ "0x80030102": bytes });
  bytes[0] = 99;
  const got = msg.getProps(["0x80030102"])["0x80030102"];
  assert.ok(got instanceof Uint8Array);
  assert.equal(got.length, 256);
  assert.deepEqual([...got], Array.from({ length: 256 }, (_, i) => i));
  msg.setProps({ "0x80030102": new Uint8Array(0) });
  assert.equal(msg.getProps(["0x80030102"])["0x80030102"].length, 0);
});

test("PT_BINARY rejects strings, plain arrays and numbers", async (t) => {
  const { msg } = await fresh(t);
  for (const v of ["00ff", [0, 255], 5, null, {}]) inv(() => msg.setProps({ "0x80030102": v }), "0x80030102");
});

// ---------------------------------------------------------------- PT_I8

test("PT_I8 round-trips bigints over the whole i64 range", async (t) => {
  const { msg } = await fresh(t);
  for (const v of [0n, 123n, -5n, 2n ** 63n - 1n, -(2n ** 63n)]) {
    msg.setProps({ "0x80040014": v });
    assert.deepEqual(msg.getProps(["0x80040014"]), { "0x80040014": v });
  }
});

test("PT_I8 rejects numbers and bigints outside i64", async (t) => {
  const { msg } = await fresh(t);
  for (const v of [2n ** 63n, -(2n ** 63n) - 1n, 2n ** 64n, 5, "5", null]) {
    inv(() => msg.setProps({ "0x80040014": v }), "0x80040014");
  }
});

// ---------------------------------------------------------------- multi-valued

test("multi-valued types round-trip arrays: MV_UNICODE, MV_LONG, MV_BINARY, MV_I8, MV_SYSTIME", async (t) => {
  const { msg } = await fresh(t);
  const d1 = new Date(Date.UTC(2020, 0, 1));
  msg.setProps({
    "0x8005101F": ["a", "Б", ""],
    "0x80061003": [1, -2, 2 ** 31 - 1],
    "0x80071102": [new Uint8Array([1, 2]), new Uint8Array([])],
    "0x80081014": [1n, -(2n ** 63n)],
    "0x80091040": [d1],
  });
  const p = msg.getProps(["0x8005101F", "0x80061003", "0x80071102", "0x80081014", "0x80091040"]);
  assert.deepEqual(p["0x8005101F"], ["a", "Б", ""]);
  assert.deepEqual(p["0x80061003"], [1, -2, 2 ** 31 - 1]);
  assert.equal(p["0x80071102"].length, 2);
  assert.deepEqual([...p["0x80071102"][0]], [1, 2]);
  assert.ok(p["0x80071102"][1] instanceof Uint8Array);
  assert.deepEqual(p["0x80081014"], [1n, -(2n ** 63n)]);
  assert.ok(p["0x80091040"][0] instanceof Date);
  assert.equal(p["0x80091040"][0].getTime(), d1.getTime());
});

test("multi-valued types reject non-arrays and arrays with an element of the wrong type", async (t) => {
  const { msg } = await fresh(t);
  inv(() => msg.setProps({ "0x8005101F": "a" }), "0x8005101F");
  inv(() => msg.setProps({ "0x8005101F": ["a", 1] }), "0x8005101F");
  inv(() => msg.setProps({ "0x80061003": [1.5] }), "0x80061003");
  inv(() => msg.setProps({ "0x80061003": [2 ** 31] }), "0x80061003");
  inv(() => msg.setProps({ "0x80081014": [1] }), "0x80081014");
  inv(() => msg.setProps({ "0x80071102": [[1]] }), "0x80071102");
});

// ---------------------------------------------------------------- hex keys

test("hex keys come back as 0x + 8 upper-case hex digits, whatever case was written", async (t) => {
  const { msg } = await fresh(t);
  msg.setProps({ "0x8001001f": "lower", "0x8002001F": "upper" });
  const all = msg.getProps();
  assert.equal(all["0x8001001F"], "lower");
  assert.equal(all["0x8002001F"], "upper");
  assert.equal("0x8001001f" in all, false);
  assert.deepEqual(msg.getProps(["0x8001001f"]), { "0x8001001F": "lower" });
});

test("a hex key of a known tag reads and writes the canonical property and comes back by its name", async (t) => {
  const { msg } = await fresh(t);
  msg.setProps({ "0x0037001F": "via hex" });
  assert.deepEqual(msg.getProps(["PidTagSubject"]), { PidTagSubject: "via hex" });
  assert.deepEqual(msg.getProps(["0x0037001F"]), { PidTagSubject: "via hex" });
  assert.equal("0x0037001F" in msg.getProps(), false);
});

test("a hex tag of an unsupported type (PT_STRING8, PT_CLSID, PT_DOUBLE) is rejected with MAPI_E_INVALID_PARAMETER", async (t) => {
  const { msg } = await fresh(t);
  for (const key of ["0x8001001E", "0x80010048", "0x80010005"]) inv(() => msg.setProps({ [key]: "x" }), key);
});

test("an unknown canonical name is rejected with MAPI_E_INVALID_PARAMETER by setProps, getProps and deleteProps", async (t) => {
  const { msg } = await fresh(t);
  inv(() => msg.setProps({ PidTagNoSuchThing: "x" }), "PidTagNoSuchThing");
  inv(() => msg.getProps(["PidTagNoSuchThing"]), "PidTagNoSuchThing");
  inv(() => msg.deleteProps(["PidTagNoSuchThing"]), "PidTagNoSuchThing");
  inv(() => msg.setProps({ subject: "x" }), "subject");
  inv(() => msg.setProps({ "0x123": "x" }), "0x123");
});

// ---------------------------------------------------------------- computed

const COMPUTED = {
  PidTagMessageFlags: 1,
  PidTagSubmitFlags: 0,
  PidTagMessageSize: 10,
  PidTagHasAttachments: true,
  PidTagDisplayTo: "x",
  PidTagDisplayCc: "x",
  PidTagDisplayBcc: "x",
  PidTagEntryId: new Uint8Array(36),
};

for (const [name, value] of Object.entries(COMPUTED)) {
  test(`setProps of computed ${name} throws MAPI_E_COMPUTED naming it`, async (t) => {
    const { msg } = await fresh(t);
    const before = msg.getProps();
    assertMapiError(() => msg.setProps({ [name]: value }), "MAPI_E_COMPUTED", { mentions: name });
    assert.deepEqual(msg.getProps(), before);
  });
  test(`deleteProps of computed ${name} throws MAPI_E_COMPUTED`, async (t) => {
    const { msg } = await fresh(t);
    assertMapiError(() => msg.deleteProps([name]), "MAPI_E_COMPUTED", { mentions: name });
  });
}

test("a computed property written through its hex tag (0x0E070003) throws MAPI_E_COMPUTED", async (t) => {
  const { msg } = await fresh(t);
  assertMapiError(() => msg.setProps({ "0x0E070003": 1 }), "MAPI_E_COMPUTED");
});

// ---------------------------------------------------------------- all-or-nothing, deleteProps

test("setProps validates everything before changing anything", async (t) => {
  const { msg } = await fresh(t);
  inv(() => msg.setProps({ PidTagSubject: "ok", PidTagBody: "ok", PidTagImportance: 7 }), "PidTagImportance");
  assert.deepEqual(msg.getProps(["PidTagSubject", "PidTagBody", "PidTagImportance"]), { PidTagImportance: 1 });
  assertMapiError(() => msg.setProps({ PidTagSubject: "ok", PidTagMessageFlags: 0 }), "MAPI_E_COMPUTED");
  assert.deepEqual(msg.getProps(["PidTagSubject"]), {});
});

test("deleteProps removes properties; getProps then leaves them out", async (t) => {
  const { msg } = await fresh(t);
  msg.setProps({ PidTagSubject: "s", PidTagBody: "b", "0x80010003": 5 });
  msg.deleteProps(["PidTagSubject", "0x80010003"]);
  assert.deepEqual(msg.getProps(["PidTagSubject", "PidTagBody", "0x80010003"]), { PidTagBody: "b" });
});

test("deleteProps validates everything before deleting anything", async (t) => {
  const { msg } = await fresh(t);
  msg.setProps({ PidTagSubject: "s" });
  assertMapiError(() => msg.deleteProps(["PidTagSubject", "PidTagMessageFlags"]), "MAPI_E_COMPUTED");
  inv(() => msg.deleteProps(["PidTagSubject", "PidTagBogus"]), "PidTagBogus");
  assert.deepEqual(msg.getProps(["PidTagSubject"]), { PidTagSubject: "s" });
});

test("deleted properties stay deleted after saveChanges and reopen", async (t) => {
  const store = await openStore(t);
  const msg = await savedDraft(store, "s");
  msg.deleteProps(["PidTagSubject"]);
  await msg.saveChanges();
  const again = await store.openMessage(msg.entryId);
  assert.deepEqual(again.getProps(["PidTagSubject"]), {});
});

test("every property type survives saveChanges and openMessage", async (t) => {
  const store = await openStore(t);
  const msg = store.createMessage();
  const d = new Date(Date.UTC(2030, 1, 2, 3, 4, 5, 6));
  msg.setProps({
    PidTagSubject: "типы",
    PidTagImportance: 2,
    PidTagDeleteAfterSubmit: true,
    PidTagDeferredDeliveryTime: d,
    "0x80030102": new Uint8Array([0, 1, 254, 255]),
    "0x80040014": -(2n ** 62n),
    "0x8005101F": ["x", "y"],
  });
  await msg.saveChanges();
  const p = (await store.openMessage(msg.entryId)).getProps([
    "PidTagSubject",
    "PidTagImportance",
    "PidTagDeleteAfterSubmit",
    "PidTagDeferredDeliveryTime",
    "0x80030102",
    "0x80040014",
    "0x8005101F",
  ]);
  assert.equal(p.PidTagSubject, "типы");
  assert.equal(p.PidTagImportance, 2);
  assert.equal(p.PidTagDeleteAfterSubmit, true);
  assert.equal(p.PidTagDeferredDeliveryTime.getTime(), d.getTime());
  assert.deepEqual([...p["0x80030102"]], [0, 1, 254, 255]);
  assert.equal(p["0x80040014"], -(2n ** 62n));
  assert.deepEqual(p["0x8005101F"], ["x", "y"]);
});

// ---------------------------------------------------------------- message size

test("PidTagMessageSize grows by the UTF-8 size of a longer body (DECISIONS formula)", async (t) => {
  const store = await openStore(t);
  const msg = store.createMessage();
  msg.setProps({ PidTagBody: "x" });
  await msg.saveChanges();
  const small = msg.getProps(["PidTagMessageSize"]).PidTagMessageSize;
  msg.setProps({ PidTagBody: "x".repeat(1001) });
  await msg.saveChanges();
  const big = msg.getProps(["PidTagMessageSize"]).PidTagMessageSize;
  assert.equal(big - small, 1000);
  msg.setProps({ PidTagBody: "я".repeat(1001) }); // 2 bytes each in UTF-8
  await msg.saveChanges();
  assert.equal(msg.getProps(["PidTagMessageSize"]).PidTagMessageSize - small, 2001);
});

test("PidTagMessageSize counts recipients too", async (t) => {
  const store = await openStore(t);
  const msg = await savedDraft(store, "s", []);
  const before = msg.getProps(["PidTagMessageSize"]).PidTagMessageSize;
  msg.modifyRecipients("add", [recipient("someone@example.org", 1, "Someone")]);
  await msg.saveChanges();
  assert.ok(msg.getProps(["PidTagMessageSize"]).PidTagMessageSize > before + "someone@example.org".length);
});
