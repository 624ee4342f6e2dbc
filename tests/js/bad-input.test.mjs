// Bad input to every public method: each gets a MapiError (the right codeName where
// SPEC.md / DECISIONS.md say which, a message naming what was wrong), and the store —
// and the message the call was made on — keep working afterwards.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { Store, MapiError } from "mapi-outbox";
import {
  ME,
  checkMapi,
  assertMapiError,
  rejectsMapi,
  recipient,
  assertStoreWorks,
  hexToBytes,
} from "./helpers.mjs";

const MB10 = 10 * 1024 * 1024;
const BIG = "x".repeat(MB10);
const BIG_HEX = "a".repeat(MB10);

const INV = "MAPI_E_INVALID_PARAMETER";
const FLAGS = "MAPI_E_UNKNOWN_FLAGS";
const EID = "MAPI_E_INVALID_ENTRYID";

let store;
before(async () => {
  store = await Store.open({ identity: { email: ME }, spooler: false });
});
after(async () => {
  await store.close();
});

/** A saved draft with one recipient and one saved attachment; `att` is that attachment. */
async function fixture() {
  const msg = store.createMessage();
  msg.setProps({ PidTagSubject: "fixture", PidTagBody: "b" });
  msg.modifyRecipients("add", [recipient("fixture@example.org")]);
  const att = msg.createAttach();
  att.setProps({ PidTagAttachLongFilename: "f.txt", PidTagAttachDataBinary: new Uint8Array([1, 2]) });
  att.saveChanges();
  await msg.saveChanges();
  return { msg, att, id: msg.entryId };
}

/** The message (and its attachment) the bad call was made on still work, then the store does. */
async function stillWorks({ msg, att, id }) {
  if (att) {
    att.setProps({ PidTagAttachLongFilename: "g.txt" });
    att.saveChanges();
    assert.equal(att.getProps(["PidTagAttachLongFilename"]).PidTagAttachLongFilename, "g.txt");
  }
  if (msg) {
    msg.setProps({ PidTagSubject: "fixture ok" });
    assert.equal(msg.getProps(["PidTagSubject"]).PidTagSubject, "fixture ok");
    await msg.saveChanges();
    await msg.submit();
    await store.abortSubmit(id);
    await store.deleteMessage(id);
  }
  await assertStoreWorks(store);
}

function label(v) {
  if (typeof v === "string") {
    if (v.length >= MB10) return `a 10 MB string`;
    return JSON.stringify(v.length > 40 ? v.slice(0, 20) + "…" : v);
  }
  if (typeof v === "symbol") return "a Symbol";
  if (typeof v === "bigint") return `${v}n`;
  if (typeof v === "number") {
    if (v === 2 ** 31) return "2**31";
    if (v === 2 ** 53) return "2**53";
    return String(v);
  }
  if (v === null) return "null";
  if (v === undefined) return "undefined";
  if (ArrayBuffer.isView(v)) return `${v.constructor.name}(${v.length})`;
  if (v instanceof Date) return isNaN(v) ? "Invalid Date" : "a Date";
  if (Array.isArray(v)) return `array [${v.map(label).join(", ")}]`;
  if (typeof v === "function") return "a function";
  if (v instanceof Map) return "a Map";
  if (typeof v.toString === "function" && Object.prototype.hasOwnProperty.call(v, "toString")) return "object with toString";
  try {
    const s = JSON.stringify(v, (k, x) => (typeof x === "bigint" ? `${x}n` : typeof x === "symbol" ? "Symbol" : x));
    return s.length > 60 ? s.slice(0, 60) + "…" : s;
  } catch {
    return "an object";
  }
}

function codeText(code) {
  return Array.isArray(code) ? code.join("|") : code ?? "a MapiError";
}

/** A sync method must throw a MapiError. */
function syncCase(name, call, code, mentions, { withAtt = false } = {}) {
  test(`${name} throws ${codeText(code)} and the store keeps working`, async () => {
    const fx = await fixture();
    assertMapiError(() => call(fx), code, { mentions });
    await stillWorks(withAtt ? fx : { ...fx, att: null });
  });
}

/** An async method must reject with a MapiError (a synchronous throw is a failure). */
function asyncCase(name, call, code, mentions) {
  test(`${name} rejects ${codeText(code)} and the store keeps working`, async () => {
    const fx = await fixture();
    await rejectsMapi(() => call(fx), code, { mentions });
    await stillWorks(fx);
  });
}

/** Where the contract allows either outcome: works, or fails with a MapiError — never anything else. */
function lenientCase(name, call) {
  test(`${name} either works or fails with a MapiError, and the store keeps working`, async () => {
    const fx = await fixture();
    try {
      await call(fx);
    } catch (err) {
      checkMapi(err);
    }
    await stillWorks({ ...fx, msg: null, att: null });
    try {
      fx.msg.free();
    } catch (err) {
      assert.fail(`free() threw: ${err}`);
    }
  });
}

// ------------------------------------------------------------------ value catalogues

const NON_STRINGS = [
  null,
  undefined,
  42,
  NaN,
  Infinity,
  1n,
  true,
  Symbol("s"),
  { nested: { deeper: { deepest: [1, { x: 2 }] } } },
  ["array"],
  { toString: () => "x" },
  new Date(0),
  new Uint8Array([1]),
  () => "fn",
];

const NON_OBJECTS = [null, undefined, 42, NaN, "string", Symbol("s"), true, 1n];

// ------------------------------------------------------------------ entry ids

const BAD_ENTRY_IDS = [
  ...NON_STRINGS.filter((v) => !(v instanceof Uint8Array)),
  "",
  "xyz",
  "abcd",
  "a".repeat(70),
  "a".repeat(74),
  "g".repeat(72),
  "0x" + "a".repeat(70),
  " " + "a".repeat(71),
  "a".repeat(71) + "\n",
  "é".repeat(72),
  BIG_HEX,
  BIG,
  new Uint8Array(0),
  new Uint8Array(35),
  new Uint8Array(37),
  new Uint8Array(MB10),
  new Uint16Array(36),
  [0, 0, 0, 0],
];

for (const bad of BAD_ENTRY_IDS) {
  const l = label(bad);
  asyncCase(`openMessage(${l})`, () => store.openMessage(bad), EID, /entry ?id/i);
  asyncCase(`abortSubmit(${l})`, () => store.abortSubmit(bad), EID, /entry ?id/i);
  asyncCase(`deleteMessage(${l})`, () => store.deleteMessage(bad), EID, /entry ?id/i);
  asyncCase(`corruptRecordForTesting(${l})`, () => store.corruptRecordForTesting(bad), EID, /entry ?id/i);
  asyncCase(`contents(${l})`, () => store.contents(bad), EID, /entry ?id|folder/i);
}

test("a well-formed entry id of another store answers MAPI_E_NOT_FOUND, not a crash", async () => {
  const other = await Store.open({ spooler: false });
  const foreign = other.createMessage();
  await foreign.saveChanges();
  await rejectsMapi(store.openMessage(foreign.entryId), "MAPI_E_NOT_FOUND");
  await rejectsMapi(store.abortSubmit(hexToBytes(foreign.entryId)), "MAPI_E_NOT_FOUND");
  await rejectsMapi(store.contents(other.folders.drafts), "MAPI_E_NOT_FOUND");
  await other.close();
  await assertStoreWorks(store);
});

// ------------------------------------------------------------------ openMessage options

lenientCase("openMessage(id, { access: null })", ({ id }) => store.openMessage(id, { access: null }));
for (const access of [42, Symbol("s"), {}, ["read"], "write", "READ", BIG]) {
  asyncCase(`openMessage(id, { access: ${label(access)} })`, ({ id }) => store.openMessage(id, { access }), FLAGS, /access/);
}
for (const opts of [42, "read", Symbol("s"), true]) {
  asyncCase(`openMessage(id, ${label(opts)})`, ({ id }) => store.openMessage(id, opts), [INV, FLAGS], /option|access/i);
}
lenientCase("openMessage(id, null)", ({ id }) => store.openMessage(id, null));

// ------------------------------------------------------------------ Message.setProps

for (const bad of [...NON_OBJECTS, [], [["PidTagSubject", "x"]], new Map([["PidTagSubject", "x"]]), new Date(0)]) {
  syncCase(`setProps(${label(bad)})`, ({ msg }) => msg.setProps(bad), INV, /prop/i);
}

const BAD_VALUES = {
  PidTagSubject: [...NON_STRINGS, BIG, "a\r\nb"],
  PidTagBody: [null, 42, Symbol("s"), { a: 1 }, ["x"], 1n],
  PidTagImportance: ["1", NaN, Infinity, -Infinity, 2 ** 31, -(2 ** 31) - 1, 1.5, null, undefined, Symbol("s"), {}, [1], 1n, 3, -1],
  "0x80010003": [2 ** 31, -(2 ** 31) - 1, 2 ** 53, 1.5, NaN, Infinity, "7", 7n, null],
  PidTagDeleteAfterSubmit: ["true", 1, 0, null, undefined, Symbol("s"), {}],
  PidTagDeferredSendTime: ["2030-01-01", 0, Date.now(), new Date(NaN), {}, null, Symbol("s")],
  "0x80030102": ["ab", [1, 2], 42, null, {}, Symbol("s"), BIG],
  "0x80040014": [2n ** 63n, -(2n ** 63n) - 1n, 2n ** 100n, 5, "5", null, NaN],
  "0x8005101F": ["a", [null], [1], [Symbol("s")], [["a"]], null, { 0: "a", length: 1 }, [BIG.slice(0, 10), 1]],
  "0x80061003": [[1.5], [2 ** 31], [NaN], ["1"], 1],
};
for (const [key, values] of Object.entries(BAD_VALUES)) {
  for (const bad of values) {
    syncCase(`setProps({ ${key}: ${label(bad)} })`, ({ msg }) => msg.setProps({ [key]: bad }), INV, key);
  }
}

const BAD_KEYS = ["PidTagNope", "", "0x", "0xZZZZZZZZ", "0x8001001F00", "0x8001", "8001001F", "pidtagsubject", "constructor", "toString"];
for (const key of BAD_KEYS) {
  syncCase(`setProps with unknown key ${JSON.stringify(key)}`, ({ msg }) => msg.setProps({ [key]: "x" }), INV, key || /prop|name|key/i);
}
syncCase(`setProps with a "__proto__" own key`, ({ msg }) => msg.setProps(JSON.parse('{"__proto__": "x"}')), INV, "__proto__");
syncCase("setProps with a 10 MB key", ({ msg }) => msg.setProps({ [BIG]: "x" }), INV);
syncCase(
  "setProps with a nested object as the whole value bag",
  ({ msg }) => msg.setProps({ PidTagSubject: { PidTagSubject: { PidTagSubject: "x" } } }),
  INV,
  "PidTagSubject",
);

test("setProps with a bad value changes nothing (all-or-nothing) and the message still submits", async () => {
  const fx = await fixture();
  assertMapiError(() => fx.msg.setProps({ PidTagSubject: "new", PidTagImportance: NaN }), INV, "PidTagImportance");
  assert.equal(fx.msg.getProps(["PidTagSubject"]).PidTagSubject, "fixture");
  await stillWorks(fx);
});

// ------------------------------------------------------------------ Message.getProps / deleteProps

for (const bad of [42, "PidTagSubject", {}, Symbol("s"), true, [42], [null], [undefined], [Symbol("s")], [{}], [["PidTagSubject"]], ["PidTagNope"], [BIG], [NaN]]) {
  syncCase(`getProps(${label(bad)})`, ({ msg }) => msg.getProps(bad), INV, /prop|name/i);
}
lenientCase("getProps(null)", ({ msg }) => msg.getProps(null));

for (const bad of [null, undefined, 42, "PidTagSubject", {}, Symbol("s"), [42], [null], [Symbol("s")], ["PidTagNope"], [BIG], [["PidTagSubject"]]]) {
  syncCase(`deleteProps(${label(bad)})`, ({ msg }) => msg.deleteProps(bad), INV, /prop|name/i);
}

// ------------------------------------------------------------------ Message.modifyRecipients

for (const op of ["ADD", "delete", "", BIG, "add "]) {
  syncCase(`modifyRecipients(${label(op)}, rows)`, ({ msg }) => msg.modifyRecipients(op, [recipient()]), FLAGS, /op|add|modify|remove/i);
}
for (const op of [null, undefined, 42, NaN, Symbol("s"), {}, ["add"], true]) {
  syncCase(`modifyRecipients(${label(op)}, rows)`, ({ msg }) => msg.modifyRecipients(op, [recipient()]), [FLAGS, INV], /op|add|modify|remove/i);
}

for (const rows of [null, undefined, 42, "a@example.org", Symbol("s"), {}, recipient(), [null], [42], ["a@example.org"], [[]], [Symbol("s")], [undefined]]) {
  syncCase(`modifyRecipients("add", ${label(rows)})`, ({ msg }) => msg.modifyRecipients("add", rows), INV, /row|recipient/i);
}

const BAD_RECIPIENT_PROPS = {
  PidTagEmailAddress: [null, undefined, 42, Symbol("s"), {}, [], BIG, "a@example.org\r\nBcc: b@example.org", "", "no-at-sign", NaN],
  PidTagRecipientType: [NaN, Infinity, 2 ** 31, 1.5, "1", 1n, 0, 4, null, Symbol("s")],
  PidTagDisplayName: [42, BIG, {}, null, Symbol("s"), "A\nB"],
  PidTagAddressType: [42, null, "SM\r\nTP", BIG],
};
for (const [key, values] of Object.entries(BAD_RECIPIENT_PROPS)) {
  for (const bad of values) {
    syncCase(
      `modifyRecipients("add", [{ ${key}: ${label(bad)} }])`,
      ({ msg }) => msg.modifyRecipients("add", [{ ...recipient("ok@example.org"), [key]: bad }]),
      INV,
      key,
    );
  }
}
syncCase(
  `modifyRecipients("add", [{ unknown key }])`,
  ({ msg }) => msg.modifyRecipients("add", [{ ...recipient(), PidTagNope: 1 }]),
  INV,
  "PidTagNope",
);

for (const rowid of ["1", NaN, 1.5, Infinity, 2 ** 31, Symbol("s"), {}, 1n]) {
  syncCase(
    `modifyRecipients("modify", [{ PidTagRowid: ${label(rowid)} }])`,
    ({ msg }) => msg.modifyRecipients("modify", [{ PidTagRowid: rowid, PidTagEmailAddress: "z@example.org" }]),
    INV,
    "PidTagRowid",
  );
  syncCase(
    `modifyRecipients("remove", [{ PidTagRowid: ${label(rowid)} }])`,
    ({ msg }) => msg.modifyRecipients("remove", [{ PidTagRowid: rowid }]),
    INV,
    "PidTagRowid",
  );
}
for (const op of ["modify", "remove"]) {
  syncCase(
    `modifyRecipients("${op}", [row without PidTagRowid])`,
    ({ msg }) => msg.modifyRecipients(op, [{ PidTagEmailAddress: "z@example.org" }]),
    [INV, "MAPI_E_NOT_FOUND"],
    /rowid/i,
  );
  syncCase(
    `modifyRecipients("${op}", [{ PidTagRowid: null }])`,
    ({ msg }) => msg.modifyRecipients(op, [{ PidTagRowid: null, PidTagEmailAddress: "z@example.org" }]),
    [INV, "MAPI_E_NOT_FOUND"],
    /rowid/i,
  );
}

// ------------------------------------------------------------------ attachments: openAttach / deleteAttach

for (const bad of [null, undefined, "0", 1.5, NaN, Infinity, Symbol("s"), {}, [0], 0n, BIG, true]) {
  syncCase(`openAttach(${label(bad)})`, ({ msg }) => msg.openAttach(bad), INV, /attach|number/i);
  syncCase(`deleteAttach(${label(bad)})`, ({ msg }) => msg.deleteAttach(bad), INV, /attach|number/i);
}
for (const bad of [-1, 2 ** 31, 2 ** 53, -(2 ** 31) - 1]) {
  syncCase(`openAttach(${label(bad)})`, ({ msg }) => msg.openAttach(bad), [INV, "MAPI_E_NOT_FOUND"], /attach|number/i);
  syncCase(`deleteAttach(${label(bad)})`, ({ msg }) => msg.deleteAttach(bad), [INV, "MAPI_E_NOT_FOUND"], /attach|number/i);
}

// ------------------------------------------------------------------ Attachment.setProps / getProps / deleteProps

for (const bad of [...NON_OBJECTS, [], [["PidTagAttachLongFilename", "x"]]]) {
  syncCase(`attachment.setProps(${label(bad)})`, ({ att }) => att.setProps(bad), INV, /prop/i, { withAtt: true });
}
const BAD_ATTACH_VALUES = {
  PidTagAttachDataBinary: ["abc", [1, 2], 42, null, {}, Symbol("s"), BIG],
  PidTagAttachLongFilename: [42, BIG, Symbol("s"), null, {}, "a\r\nb"],
  PidTagAttachMimeTag: [42, "text/plain\nX: y", null],
  PidTagAttachMethod: [1.5, NaN, "1", 2 ** 31, null],
  PidTagNope: ["x"],
};
for (const [key, values] of Object.entries(BAD_ATTACH_VALUES)) {
  for (const bad of values) {
    syncCase(`attachment.setProps({ ${key}: ${label(bad)} })`, ({ att }) => att.setProps({ [key]: bad }), INV, key, { withAtt: true });
  }
}
for (const bad of [42, "PidTagAttachLongFilename", {}, Symbol("s"), [42], [null], ["PidTagNope"], [BIG]]) {
  syncCase(`attachment.getProps(${label(bad)})`, ({ att }) => att.getProps(bad), INV, /prop|name/i, { withAtt: true });
  syncCase(`attachment.deleteProps(${label(bad)})`, ({ att }) => att.deleteProps(bad), INV, /prop|name/i, { withAtt: true });
}
for (const bad of [null, undefined]) {
  syncCase(`attachment.deleteProps(${label(bad)})`, ({ att }) => att.deleteProps(bad), INV, /prop|name/i, { withAtt: true });
}

// ------------------------------------------------------------------ Message.saveChanges options

lenientCase("saveChanges({ keepOpen: null })", ({ msg }) => msg.saveChanges({ keepOpen: null }));
lenientCase("saveChanges({ force: null })", ({ msg }) => msg.saveChanges({ force: null }));
for (const keepOpen of [42, Symbol("s"), {}, ["readonly"], "read", BIG]) {
  asyncCase(
    `saveChanges({ keepOpen: ${label(keepOpen)} })`,
    ({ msg }) => msg.saveChanges({ keepOpen }),
    typeof keepOpen === "string" ? FLAGS : [FLAGS, INV],
    /keepOpen/,
  );
}
for (const force of ["yes", 1, Symbol("s"), {}]) {
  asyncCase(`saveChanges({ force: ${label(force)} })`, ({ msg }) => msg.saveChanges({ force }), INV, /force/);
}
for (const opts of [42, "readonly", Symbol("s"), true, 1n]) {
  asyncCase(`saveChanges(${label(opts)})`, ({ msg }) => msg.saveChanges(opts), [INV, FLAGS], /option|keepOpen|save/i);
}
lenientCase("saveChanges(null)", ({ msg }) => msg.saveChanges(null));

test("a saveChanges rejected for bad options leaves the object as it was and saves nothing", async () => {
  const fx = await fixture();
  fx.msg.setProps({ PidTagSubject: "pending" });
  await rejectsMapi(() => fx.msg.saveChanges({ keepOpen: "bogus" }), FLAGS, /keepOpen/);
  assert.equal(fx.msg.getProps(["PidTagSubject"]).PidTagSubject, "pending");
  const other = await store.openMessage(fx.id, { access: "read" });
  assert.equal(other.getProps(["PidTagSubject"]).PidTagSubject, "fixture");
  other.free();
  await stillWorks(fx);
});

// ------------------------------------------------------------------ event listeners, registerTransport, createMessage

for (const type of [null, undefined, 42, Symbol("s"), {}, ["submitted"]]) {
  syncCase(`addEventListener(${label(type)}, fn)`, () => store.addEventListener(type, () => {}), INV, /type|event/i);
}
for (const fn of [null, undefined, 42, "fn", Symbol("s"), 1n]) {
  syncCase(`addEventListener("submitted", ${label(fn)})`, () => store.addEventListener("submitted", fn), INV, /listener|handler|callback|function/i);
}
for (const type of [42, Symbol("s"), {}]) {
  syncCase(`removeEventListener(${label(type)}, fn)`, () => store.removeEventListener(type, () => {}), INV, /type|event/i);
}
for (const fn of [42, "fn", Symbol("s")]) {
  syncCase(`removeEventListener("submitted", ${label(fn)})`, () => store.removeEventListener("submitted", fn), INV, /listener|handler|callback|function/i);
}

for (const bad of [null, undefined, 42, "gateway", Symbol("s"), {}, [], { name: 42, addressTypes: "SMTP", send: 1 }]) {
  syncCase(`registerTransport(${label(bad)})`, () => store.registerTransport(bad), null);
}

lenientCase("createMessage(null)", () => {
  const m = store.createMessage(null);
  m.free();
});
lenientCase("createMessage(42, Symbol())", () => {
  const m = store.createMessage(42, Symbol("s"));
  m.free();
});
lenientCase("outgoingQueue(Symbol())", () => store.outgoingQueue(Symbol("s")));

// ------------------------------------------------------------------ Store.open options

function openCase(name, options, code, mentions) {
  test(`Store.open(${name}) rejects ${codeText(code)} and other stores keep working`, async () => {
    await rejectsMapi(() => Store.open(options), code, { mentions });
    await assertStoreWorks(store);
    const s = await Store.open({ identity: { email: ME }, spooler: false });
    await assertStoreWorks(s);
    await s.close();
  });
}

for (const opts of [42, "memory", Symbol("s"), true, [], 1n]) openCase(label(opts), opts, INV, /option/i);
openCase("{ bogus: 1 }", { bogus: 1 }, INV, "bogus");
openCase("{ spoolr: false } (typo)", { spoolr: false }, INV, "spoolr");
openCase('{ backend: "sqlite" }', { backend: "sqlite" }, FLAGS, "backend");
for (const b of [42, Symbol("s"), {}, BIG]) openCase(`{ backend: ${label(b)} }`, { backend: b }, [FLAGS, INV], "backend");
openCase('{ backend: "indexeddb" } in Node', { backend: "indexeddb" }, "MAPI_E_NO_SUPPORT");
for (const n of [42, Symbol("s"), {}]) openCase(`{ name: ${label(n)} }`, { name: n }, INV, "name");
for (const id of [42, "me@example.org", Symbol("s"), {}, [ME], { email: 42 }, { email: "not an email" }, { email: "me@example.org\r\n" }, { email: BIG }, { email: ME, name: 42 }, { email: ME, name: "x\r\ny" }, { email: ME, nested: { a: 1 } }]) {
  openCase(`{ identity: ${label(id)} }`, { identity: id }, INV, /identity|email|name|nested/);
}
for (const v of ["yes", 1, Symbol("s")]) openCase(`{ spooler: ${label(v)} }`, { spooler: v }, INV, "spooler");
for (const v of [-1, NaN, Infinity, "5", Symbol("s"), 5n]) openCase(`{ sendDelayMs: ${label(v)} }`, { sendDelayMs: v }, INV, "sendDelayMs");
for (const v of [-1, NaN, Infinity, "1", 1.5]) openCase(`{ maxMessageSize: ${label(v)} }`, { maxMessageSize: v }, INV, "maxMessageSize");
for (const v of [-1, NaN, Infinity, "10", 1.5]) openCase(`{ maxRecipients: ${label(v)} }`, { maxRecipients: v }, INV, "maxRecipients");
for (const v of [42, "x"]) openCase(`{ retry: ${label(v)} }`, { retry: v }, INV, "retry");
openCase("{ retry: { initialMs: -1 } }", { retry: { initialMs: -1 } }, INV, "initialMs");
openCase('{ retry: { initialMs: "1" } }', { retry: { initialMs: "1" } }, INV, "initialMs");
openCase("{ retry: { maxMs: NaN } }", { retry: { maxMs: NaN } }, INV, "maxMs");
openCase("{ retry: { bogus: 1 } }", { retry: { bogus: 1 } }, INV, "bogus");
openCase("{ transports: 42 }", { transports: 42 }, null);
openCase("{ transport: 42 }", { transport: 42 }, null);
function openLenient(name, options) {
  test(`Store.open(${name}) either opens a store or rejects with a MapiError`, async () => {
    let s;
    try {
      s = await Store.open(options);
    } catch (err) {
      checkMapi(err);
    }
    if (s) {
      await assertStoreWorks(s);
      await s.close();
    }
    await assertStoreWorks(store);
  });
}
for (const key of ["backend", "name", "identity", "spooler", "sendDelayMs", "maxMessageSize", "maxRecipients", "retry"]) {
  openLenient(`{ ${key}: null }`, { [key]: null, spooler: key === "spooler" ? null : false });
}

test("Store.open(null) either opens a store or rejects with a MapiError", async () => {
  let s;
  try {
    s = await Store.open(null);
  } catch (err) {
    checkMapi(err);
  }
  if (s) {
    await assertStoreWorks(s);
    await s.close();
  }
  await assertStoreWorks(store);
});

// ------------------------------------------------------------------ sizes

test("a 10 MB PidTagBody is accepted, and submit with maxMessageSize 1 MiB rejects MAPI_E_TOO_BIG", async () => {
  const small = await Store.open({ identity: { email: ME }, spooler: false, maxMessageSize: 1024 * 1024 });
  try {
    const msg = small.createMessage();
    msg.setProps({ PidTagSubject: "huge", PidTagBody: BIG });
    msg.modifyRecipients("add", [recipient()]);
    assert.equal(msg.getProps(["PidTagBody"]).PidTagBody.length, MB10);
    await msg.saveChanges();
    await rejectsMapi(() => msg.submit(), "MAPI_E_TOO_BIG");
    assert.deepEqual(await small.outgoingQueue(), []);
    msg.setProps({ PidTagBody: "short" });
    await msg.submit();
    assert.equal((await small.outgoingQueue()).length, 1);
    await assertStoreWorks(small);
  } finally {
    await small.close();
  }
});

test("a 10 MB PidTagBody survives save and reopen intact", async () => {
  const msg = store.createMessage();
  msg.setProps({ PidTagBody: BIG });
  await msg.saveChanges();
  const again = await store.openMessage(msg.entryId);
  const body = again.getProps(["PidTagBody"]).PidTagBody;
  assert.equal(body.length, MB10);
  assert.ok(body === BIG);
  await store.deleteMessage(msg.entryId);
  await assertStoreWorks(store);
});

test("a 10 MB attachment is accepted and round-trips", async () => {
  const msg = store.createMessage();
  const data = new Uint8Array(MB10);
  data[0] = 1;
  data[MB10 - 1] = 2;
  const a = msg.createAttach();
  a.setProps({ PidTagAttachLongFilename: "big.bin", PidTagAttachDataBinary: data });
  a.saveChanges();
  await msg.saveChanges();
  const again = await store.openMessage(msg.entryId);
  const got = again.openAttach(again.getAttachments()[0].PidTagAttachNumber).getProps(["PidTagAttachDataBinary"]).PidTagAttachDataBinary;
  assert.equal(got.length, MB10);
  assert.equal(got[0], 1);
  assert.equal(got[MB10 - 1], 2);
  await store.deleteMessage(msg.entryId);
  await assertStoreWorks(store);
});
