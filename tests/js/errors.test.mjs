// SPEC §3 (errors) and the exported flag tables of §4.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Store, MapiError, ErrorCode, MessageFlags, SubmitFlags } from "mapi-outbox";

const EXPECTED_CODES = {
  MAPI_E_CALL_FAILED: 0x80004005,
  MAPI_E_NO_SUPPORT: 0x80040102,
  MAPI_E_UNKNOWN_FLAGS: 0x80040106,
  MAPI_E_INVALID_ENTRYID: 0x80040107,
  MAPI_E_INVALID_OBJECT: 0x80040108,
  MAPI_E_OBJECT_CHANGED: 0x80040109,
  MAPI_E_OBJECT_DELETED: 0x8004010a,
  MAPI_E_BUSY: 0x8004010b,
  MAPI_E_NOT_ENOUGH_DISK: 0x8004010d,
  MAPI_E_NOT_FOUND: 0x8004010f,
  MAPI_E_UNABLE_TO_ABORT: 0x80040114,
  MAPI_E_NETWORK_ERROR: 0x80040115,
  MAPI_E_COMPUTED: 0x8004011a,
  MAPI_E_CORRUPT_DATA: 0x8004011b,
  MAPI_E_TOO_BIG: 0x80040305,
  MAPI_E_WAIT: 0x80040500,
  MAPI_E_CANCEL: 0x80040501,
  MAPI_E_NOT_ME: 0x80040502,
  MAPI_E_NOT_IN_QUEUE: 0x80040601,
  MAPI_E_NO_RECIPIENTS: 0x80040607,
  MAPI_E_SUBMITTED: 0x80040608,
  MAPI_E_NO_ACCESS: 0x80070005,
  MAPI_E_INVALID_PARAMETER: 0x80070057,
};

test("ErrorCode maps exactly the 23 names of SPEC §3 to their unsigned HRESULT values", () => {
  assert.deepEqual({ ...ErrorCode }, EXPECTED_CODES);
  assert.deepEqual(Object.keys(ErrorCode).sort(), Object.keys(EXPECTED_CODES).sort());
  for (const v of Object.values(ErrorCode)) {
    assert.ok(Number.isInteger(v) && v > 0 && v <= 0xffffffff, `${v} must be an unsigned 32-bit number`);
  }
});

test("ErrorCode is frozen: assignments and additions throw in strict mode and change nothing", () => {
  assert.ok(Object.isFrozen(ErrorCode));
  assert.throws(() => {
    ErrorCode.MAPI_E_BUSY = 1;
  }, TypeError);
  assert.throws(() => {
    ErrorCode.MAPI_E_NEW = 1;
  }, TypeError);
  assert.equal(ErrorCode.MAPI_E_BUSY, 0x8004010b);
  assert.equal("MAPI_E_NEW" in ErrorCode, false);
});

test("MessageFlags has exactly READ, UNMODIFIED, SUBMIT, UNSENT, HASATTACH, FROMME, RESEND with the §4 bits", () => {
  assert.deepEqual(
    { ...MessageFlags },
    { READ: 0x1, UNMODIFIED: 0x2, SUBMIT: 0x4, UNSENT: 0x8, HASATTACH: 0x10, FROMME: 0x20, RESEND: 0x80 },
  );
});

test("SubmitFlags has exactly LOCKED 0x1 and PREPROCESS 0x2", () => {
  assert.deepEqual({ ...SubmitFlags }, { LOCKED: 0x1, PREPROCESS: 0x2 });
});

test("new MapiError(number, message) sets name, code, codeName and message and is an Error", () => {
  const err = new MapiError(0x80040607, "no one to send to");
  assert.ok(err instanceof MapiError);
  assert.ok(err instanceof Error);
  assert.equal(err.name, "MapiError");
  assert.equal(err.code, 0x80040607);
  assert.equal(err.codeName, "MAPI_E_NO_RECIPIENTS");
  assert.equal(err.message, "no one to send to");
  assert.equal(typeof err.stack, "string");
});

test("new MapiError(name, message) accepts the MAPI name and fills in the numeric code", () => {
  const err = new MapiError("MAPI_E_WAIT", "try again later");
  assert.equal(err.code, 0x80040500);
  assert.equal(err.codeName, "MAPI_E_WAIT");
  assert.equal(err.message, "try again later");
  assert.equal(err.name, "MapiError");
});

test("new MapiError(code) without a message still has a string message", () => {
  const err = new MapiError(ErrorCode.MAPI_E_NOT_ME);
  assert.equal(err.codeName, "MAPI_E_NOT_ME");
  assert.equal(err.code, 0x80040502);
  assert.equal(typeof err.message, "string");
});

test("MapiError round-trips every ErrorCode entry by number and by name", () => {
  for (const [name, value] of Object.entries(EXPECTED_CODES)) {
    const byNum = new MapiError(value, "x");
    assert.equal(byNum.codeName, name);
    assert.equal(byNum.code, value);
    const byName = new MapiError(name, "x");
    assert.equal(byName.code, value);
    assert.equal(byName.codeName, name);
  }
});

test("MapiError codes are unsigned: 0x80070057 is 2147942487, not negative", () => {
  const err = new MapiError("MAPI_E_INVALID_PARAMETER", "x");
  assert.equal(err.code, 2147942487);
});

test("errors thrown by the library are instances of the exported MapiError", async () => {
  const store = await Store.open({ identity: { email: "me@example.org" }, spooler: false });
  try {
    let caught;
    try {
      store.createMessage().setProps({ PidTagMessageFlags: 1 });
    } catch (e) {
      caught = e;
    }
    assert.ok(caught instanceof MapiError);
    assert.ok(caught instanceof Error);
    assert.equal(caught.name, "MapiError");
    assert.equal(caught.code, 0x8004011a);
    assert.equal(caught.codeName, "MAPI_E_COMPUTED");
    assert.match(caught.message, /PidTagMessageFlags/);
  } finally {
    await store.close();
  }
});
