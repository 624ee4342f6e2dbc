// Hostile callers (issue 11): revoked Proxies, throwing traps and getters, detached buffers,
// huge sparse arrays, giant buffers, lone surrogates and header-shaped text. Every call gets a
// MapiError (sync methods throw one, async ones reject with one, nothing hangs), the caller's
// own exception rides along as `cause`, nothing is silently changed, and the module keeps
// working for every store afterwards.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { Store, MapiError, httpTransport, jmapTransport } from "mapi-outbox";
import { ME, checkMapi, assertMapiError, rejectsMapi, recipient, assertStoreWorks } from "./helpers.mjs";

const INV = "MAPI_E_INVALID_PARAMETER";

let store;
before(async () => {
  store = await Store.open({ identity: { email: ME }, spooler: false });
});
after(async () => {
  await store.close();
});

function revoked(target = {}) {
  const { proxy, revoke } = Proxy.revocable(target, {});
  revoke();
  return proxy;
}
const boom = () => new Error("the caller's own trap");
function trapping(trap, target = {}) {
  const err = boom();
  return { err, proxy: new Proxy(target, { [trap]: () => { throw err; } }) };
}
function detached(n = 8) {
  const u = new Uint8Array(n);
  structuredClone(u.buffer, { transfer: [u.buffer] });
  assert.equal(u.byteLength, 0, "the buffer is detached");
  return u;
}
/** Settles within `ms`, or fails: a promise that never settles is a defect. */
async function settlesSoon(p, ms = 5000) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`the promise did not settle within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([p, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
async function rejectsSoon(fn, codeName, mentions) {
  let p;
  try {
    p = fn();
  } catch (e) {
    assert.fail(`threw synchronously instead of rejecting: ${e?.name} ${e?.message}`);
  }
  return rejectsMapi(settlesSoon(p), codeName, mentions);
}
async function stillWorks() {
  await assertStoreWorks(store);
  const other = await Store.open({ identity: { email: ME }, spooler: false });
  await assertStoreWorks(other);
  await other.close();
}

// --- 1. no panic: sizes are bounded before anything is allocated ---------------------------

test("a sparse recipients array of length 1e8 is refused with MAPI_E_TOO_BIG, no panic", async () => {
  const m = store.createMessage();
  for (const op of ["add", "modify"]) {
    const rows = [];
    rows.length = 1e8;
    assertMapiError(() => m.modifyRecipients(op, rows), "MAPI_E_TOO_BIG", "100000");
  }
  await stillWorks();
});

test("getProps/deleteProps names: a sparse array of 1e8 and a Proxy with length 2^32-1 are refused", async () => {
  const m = store.createMessage();
  const sparse = [];
  sparse.length = 1e8;
  const long = new Proxy([], { get: (t, k) => (k === "length" ? 2 ** 32 - 1 : Reflect.get(t, k)) });
  for (const names of [sparse, long]) {
    assertMapiError(() => m.getProps(names), "MAPI_E_TOO_BIG");
    assertMapiError(() => m.deleteProps(names), "MAPI_E_TOO_BIG");
  }
  await stillWorks();
});

test("a 2 GiB Uint8Array in setProps is MAPI_E_TOO_BIG naming the property, no capacity-overflow panic", async () => {
  const m = store.createMessage();
  let big;
  try {
    big = new Uint8Array(2 ** 31);
  } catch {
    return; // this engine cannot even make one
  }
  assertMapiError(() => m.setProps({ "0x80020102": big }), "MAPI_E_TOO_BIG", "0x80020102");
  const att = m.createAttach();
  assertMapiError(() => att.setProps({ PidTagAttachDataBinary: big }), "MAPI_E_TOO_BIG", "PidTagAttachDataBinary");
  await stillWorks();
});

test("attachments adding up past the draft limit are refused at attachment saveChanges; the store is not left busy", async () => {
  const s = await Store.open({ identity: { email: ME }, spooler: false, maxMessageSize: 1024 });
  try {
    const m = s.createMessage();
    m.modifyRecipients("add", [recipient()]);
    const chunk = new Uint8Array(100 * 1024 * 1024);
    let refused = null;
    for (let i = 0; i < 4 && !refused; i++) {
      const a = m.createAttach();
      a.setProps({ PidTagAttachDataBinary: chunk, PidTagAttachLongFilename: `part${i}.bin` });
      try {
        a.saveChanges();
      } catch (e) {
        refused = e;
      }
      a.free();
    }
    checkMapi(refused, "MAPI_E_TOO_BIG", "256 MiB");
    await m.saveChanges(); // what was attached before the limit still saves
    await assertStoreWorks(s);
  } finally {
    await s.close();
  }
});

test("maxMessageSize above 1 GiB is refused by Store.open", async () => {
  await rejectsSoon(() => Store.open({ maxMessageSize: 2 ** 31 }), INV, "maxMessageSize");
});

// --- 3. every promise settles; async methods never throw -----------------------------------

const HOSTILE_IDS = () => [
  ["a detached Uint8Array", detached(36)],
  ["a revoked Proxy", revoked()],
  ["a Proxy whose get trap throws", trapping("get").proxy],
  ["a Proxy whose getPrototypeOf trap throws", trapping("getPrototypeOf").proxy],
];

for (const method of ["openMessage", "abortSubmit", "deleteMessage", "corruptRecordForTesting", "sendNow", "retryNow", "contents"]) {
  test(`${method} given hostile entry ids rejects with a MapiError instead of hanging or throwing`, async () => {
    for (const [what, v] of HOSTILE_IDS()) {
      const err = await rejectsSoon(() => store[method](v), null);
      assert.ok(err instanceof MapiError, `${what}`);
    }
    await stillWorks();
  });
}

test("openMessage options whose ownKeys trap throws reject with INVALID_PARAMETER, the trap's error as cause", async () => {
  const draft = store.createMessage();
  await draft.saveChanges();
  const id = draft.entryId;
  const { err, proxy } = trapping("ownKeys");
  const e = await rejectsSoon(() => store.openMessage(id, proxy), INV, "openMessage options");
  assert.equal(e.cause, err);
  await rejectsSoon(() => store.openMessage(id, revoked()), INV);
  await stillWorks();
});

test("saveChanges(hostile options) rejects, never throws", async () => {
  const m = store.createMessage();
  await rejectsSoon(() => m.saveChanges(revoked()), INV);
  await rejectsSoon(() => m.saveChanges(trapping("ownKeys").proxy), INV);
  await rejectsSoon(() => m.saveChanges(trapping("getPrototypeOf").proxy), INV);
  await m.saveChanges();
});

test("saveChanges(a 12 MiB Uint8Array) is refused as not a plain object, without reading 12 million keys", async () => {
  const m = store.createMessage();
  const start = Date.now();
  await rejectsSoon(() => m.saveChanges(new Uint8Array(12 * 1024 * 1024)), INV, "plain object");
  await rejectsSoon(() => store.openMessage("00", new Uint8Array(1024)), null);
  await rejectsSoon(() => Store.open(new Uint8Array(12 * 1024 * 1024)), INV, "plain object");
  // Not a timing test: reading the keys took 9-20 s; being refused by type takes no time.
  assert.ok(Date.now() - start < 5000);
});

// --- 4 and 5. revoked Proxies, throwing traps, detached buffers: MapiError with the cause --

test("revoked Proxies anywhere in the sync API throw INVALID_PARAMETER", async () => {
  const m = store.createMessage();
  assertMapiError(() => m.setProps(revoked()), INV, "setProps");
  assertMapiError(() => m.getProps(revoked([])), INV);
  assertMapiError(() => m.deleteProps(revoked([])), INV);
  assertMapiError(() => m.modifyRecipients("add", revoked([])), INV);
  assertMapiError(() => m.modifyRecipients("add", [revoked()]), INV);
  assertMapiError(() => m.setProps({ PidTagSubject: revoked() }), INV, "PidTagSubject");
  assertMapiError(() => m.setProps({ PidTagClientSubmitTime: revoked(new Date()) }), INV);
  assertMapiError(() => store.registerTransport(revoked()), INV);
  assertMapiError(() => store.registerTransport({ name: "t", addressTypes: revoked([]), send() {} }), INV);
  await rejectsSoon(() => Store.open(revoked()), INV);
  await rejectsSoon(() => Store.open({ identity: revoked() }), INV);
  await stillWorks();
});

test("a detached Uint8Array as a binary property is INVALID_PARAMETER naming it, not an empty value", async () => {
  const m = store.createMessage();
  assertMapiError(() => m.setProps({ "0x80020102": detached() }), INV, /0x80020102.*detached/);
  const att = m.createAttach();
  assertMapiError(() => att.setProps({ PidTagAttachDataBinary: detached() }), INV, "PidTagAttachDataBinary");
  assert.equal(att.getProps(["PidTagAttachDataBinary"]).PidTagAttachDataBinary, undefined, "nothing was set");
  assertMapiError(() => m.setProps({ 0x10090102: detached() }), INV);
  await stillWorks();
});

test("the caller's trap exceptions come back as the cause of an INVALID_PARAMETER", async () => {
  const m = store.createMessage();
  for (const trap of ["ownKeys", "getOwnPropertyDescriptor", "get", "getPrototypeOf"]) {
    const props = trapping(trap, { PidTagSubject: "x" });
    const e1 = assertMapiError(() => m.setProps(props.proxy), INV);
    assert.equal(e1.cause, props.err, `setProps ${trap}: cause`);
    const row = trapping(trap, recipient());
    const e2 = assertMapiError(() => m.modifyRecipients("add", [row.proxy]), INV);
    assert.equal(e2.cause, row.err, `recipient row ${trap}: cause`);
    const opts = trapping(trap, { identity: { email: ME } });
    const e3 = await rejectsSoon(() => Store.open(opts.proxy), INV);
    assert.equal(e3.cause, opts.err, `Store.open ${trap}: cause`);
  }
  const names = trapping("get", ["PidTagSubject"]);
  assert.equal(assertMapiError(() => m.getProps(names.proxy), INV).cause, names.err);
  assert.equal(assertMapiError(() => m.deleteProps(names.proxy), INV).cause, names.err);
  const getter = boom();
  const withGetter = Object.defineProperty({}, "PidTagSubject", { enumerable: true, get() { throw getter; } });
  const e = assertMapiError(() => m.setProps(withGetter), INV, "PidTagSubject");
  assert.equal(e.cause, getter);
  assert.deepEqual(m.getProps(["PidTagSubject"]), {}, "nothing of a refused call was set");
  await stillWorks();
});

test("httpTransport options with throwing traps give a MapiError", async () => {
  for (const trap of ["ownKeys", "get", "getPrototypeOf"]) {
    const { proxy } = trapping(trap, { url: "http://127.0.0.1:1/" });
    assert.throws(() => httpTransport(proxy), (e) => e instanceof MapiError, trap);
  }
  assert.throws(() => httpTransport(revoked()), (e) => e instanceof MapiError);
  for (const trap of ["ownKeys", "get", "getPrototypeOf"]) {
    const { proxy } = trapping(trap, { sessionUrl: "http://127.0.0.1:1/jmap" });
    assert.throws(() => jmapTransport(proxy), (e) => e instanceof MapiError, `jmap ${trap}`);
  }
  assert.throws(() => jmapTransport(revoked()), (e) => e instanceof MapiError);
});

// --- 6. free() from inside a call ----------------------------------------------------------

test("free() called from a getter during getProps/deleteProps gives a MapiError, and the module lives on", async () => {
  for (const method of ["getProps", "deleteProps"]) {
    const m = store.createMessage();
    const names = ["PidTagSubject"];
    Object.defineProperty(names, 0, { get() { m.free(); return "PidTagSubject"; } });
    assert.throws(() => m[method](names), (e) => e instanceof MapiError, method);
    // Whatever state the object is in now, every further call answers with a MapiError.
    try {
      m.getProps();
    } catch (e) {
      checkMapi(e, null);
    }
    m.free();
  }
  await stillWorks();
});

// --- 8. lone surrogates are refused, not replaced -----------------------------------------

test("lone UTF-16 surrogates are refused with INVALID_PARAMETER naming the property", async () => {
  const m = store.createMessage();
  for (const [key, v] of [
    ["PidTagSubject", "a\uD800b"],
    ["PidTagBody", "x\uDC00"],
    ["PidTagMessageClass", "IPM.Note\uD83D"],
    ["PidTagSenderName", "\uDFFFname"],
  ]) {
    assertMapiError(() => m.setProps({ [key]: v }), INV, [key, "surrogate"]);
  }
  assertMapiError(() => m.modifyRecipients("add", [recipient("a@example.org", 1, "n\uD800")]), INV, "surrogate");
  assertMapiError(() => m.setProps({ "0x8001101F": ["ok", "bad\uD800"] }), INV, "surrogate");
  await rejectsSoon(() => Store.open({ identity: { email: ME, name: "Me\uDC00" } }), INV, "surrogate");
  // A well-formed pair is a character like any other.
  m.setProps({ PidTagSubject: "smile \uD83D\uDE00" });
  assert.equal(m.getProps(["PidTagSubject"]).PidTagSubject, "smile \u{1F600}");
});

// --- 9. one envelope recipient per address ------------------------------------------------

test("the same address as To and Bcc is in rcptTo once", async () => {
  const seen = [];
  const s = await Store.open({
    identity: { email: ME },
    transport: {
      name: "capture",
      addressTypes: ["SMTP"],
      async send(o) {
        seen.push([...o.rcptTo]);
      },
    },
  });
  try {
    const m = s.createMessage();
    m.setProps({ PidTagSubject: "dup", PidTagBody: "b" });
    m.modifyRecipients("add", [
      recipient("same@example.org", 1),
      recipient("other@example.org", 2),
      recipient("same@example.org", 3),
      recipient("SAME@example.org", 2),
    ]);
    await m.submit();
    await s.flush();
    assert.deepEqual(seen, [["same@example.org", "other@example.org"]]);
  } finally {
    await s.close();
  }
});

// --- newcomer surprises (issue 14) --------------------------------------------------------

test("new Store() / new Message() / new Attachment() throw MAPI_E_NO_SUPPORT saying what to use", async () => {
  const { Message, Attachment } = await import("mapi-outbox");
  assertMapiError(() => new Store(), "MAPI_E_NO_SUPPORT", "Store.open");
  assertMapiError(() => new Message(), "MAPI_E_NO_SUPPORT", "createMessage");
  assertMapiError(() => new Attachment(), "MAPI_E_NO_SUPPORT", "createAttach");
});

// --- a hostile transport: what it settles with is read by catching code too ---------------

test("a transport rejecting with a revoked Proxy (or resolving with hostile values) leaves nothing locked: retried, flush settles, abort works", async () => {
  const answers = [
    () => Promise.reject(revoked()),
    () => Promise.reject(trapping("get").proxy),
    () => Promise.resolve(revoked()),
    () => Promise.resolve({ failed: revoked([]) }),
    () => Promise.resolve({ failed: trapping("get", []).proxy }),
  ];
  for (const [i, answer] of answers.entries()) {
    let calls = 0;
    const s = await Store.open({
      identity: { email: ME },
      retry: { initialMs: 60_000, maxMs: 60_000 },
      transports: [{ name: "hostile", addressTypes: ["SMTP"], send: () => (calls++, answer()) }],
    });
    try {
      const m = s.createMessage();
      m.setProps({ PidTagSubject: `hostile answer ${i}` });
      m.modifyRecipients("add", [recipient()]);
      const id = m.entryId;
      await m.submit();
      const r = await settlesSoon(s.flush());
      assert.equal(calls, 1, `answer ${i}: one attempt`);
      assert.equal(r.remaining, 1, `answer ${i}: an unreadable answer is not taken as delivery`);
      const [row] = await s.outgoingQueue();
      assert.equal(row.PidTagSubmitFlags & 1, 0, `answer ${i}: not left locked`);
      assert.equal(typeof row.lastError, "string");
      await s.abortSubmit(id); // not MAPI_E_UNABLE_TO_ABORT
    } finally {
      await s.close();
    }
  }
});
