// A browser stand-in for `node:assert/strict`, for running tests/js/*.test.mjs in Chromium
// (tests/browser/jsuite.test.mjs). The import map of ./index.html maps "node:assert/strict"
// here; Node never loads this file for tests/js (it has the real module).
//
// Only the strict-mode API is provided, with Node 20's semantics, so that a test cannot pass
// in the browser where it would fail in Node:
//   assert(value), ok, equal/strictEqual, notEqual/notStrictEqual (Object.is),
//   deepEqual/deepStrictEqual, notDeepEqual/notDeepStrictEqual (Node's isDeepStrictEqual:
//   prototypes, type tags, own enumerable string and symbol keys, array holes, Date, RegExp,
//   Error name/message, typed arrays byte for byte, ArrayBuffer, Map/Set without order,
//   boxed primitives, cycles), match, doesNotMatch, fail, throws, doesNotThrow, rejects,
//   doesNotReject (error argument: a class, a validation function, a RegExp or an object /
//   Error whose keys must match), ifError.
// tests/browser/jsuite-shims.test.mjs checks this module against the real node:assert/strict
// in Node on a corpus of values and calls; extend both together.
// Anything else is deliberately missing: a test using it fails with "... is not a function".

export class AssertionError extends Error {
  constructor({ message, actual, expected, operator, generatedMessage = false }) {
    super(message);
    this.name = "AssertionError";
    this.code = "ERR_ASSERTION";
    this.actual = actual;
    this.expected = expected;
    this.operator = operator;
    this.generatedMessage = generatedMessage;
  }
}

function argError(code, message) {
  const e = new TypeError(message);
  e.code = code;
  return e;
}

/** Throws `message` when it is an Error, else an AssertionError built from `fields`. */
function fail_(message, fields, generated) {
  if (message instanceof Error) throw message;
  const generatedMessage = message === undefined;
  throw new AssertionError({ ...fields, message: generatedMessage ? generated : String(message), generatedMessage });
}

// ------------------------------------------------------------------ inspect (messages only)

export function inspect(v, depth = 0, seen = new Set()) {
  switch (typeof v) {
    case "string":
      return JSON.stringify(v.length > 500 ? v.slice(0, 500) + "…" : v);
    case "bigint":
      return `${v}n`;
    case "symbol":
      return v.toString();
    case "function":
      return `[Function: ${v.name || "(anonymous)"}]`;
    case "number":
      return Object.is(v, -0) ? "-0" : String(v);
    case "undefined":
      return "undefined";
    case "boolean":
      return String(v);
  }
  if (v === null) return "null";
  if (seen.has(v)) return "[Circular]";
  if (depth > 4) return "[Object]";
  seen.add(v);
  try {
    const sub = (x) => inspect(x, depth + 1, seen);
    const ctor = Object.getPrototypeOf(v) === null ? "[Object: null prototype]" : v.constructor?.name ?? "Object";
    if (Array.isArray(v)) {
      const items = v.slice(0, 50).map(sub);
      if (v.length > 50) items.push(`... ${v.length - 50} more items`);
      return `[${items.join(", ")}]`;
    }
    if (ArrayBuffer.isView(v) && !(v instanceof DataView)) {
      const items = Array.from(v.slice(0, 50), String);
      if (v.length > 50) items.push(`... ${v.length - 50} more items`);
      return `${ctor}(${v.length}) [${items.join(", ")}]`;
    }
    if (v instanceof Date) return isNaN(v) ? "Invalid Date" : v.toISOString();
    if (v instanceof RegExp) return String(v);
    if (v instanceof Error) return `${v.name}: ${v.message}${v.code ? ` [code ${v.code}]` : ""}`;
    if (v instanceof Map) return `Map(${v.size}) {${[...v].slice(0, 50).map(([k, x]) => `${sub(k)} => ${sub(x)}`).join(", ")}}`;
    if (v instanceof Set) return `Set(${v.size}) {${[...v].slice(0, 50).map(sub).join(", ")}}`;
    const keys = [...Object.keys(v), ...Object.getOwnPropertySymbols(v).filter((s) => Object.prototype.propertyIsEnumerable.call(v, s))];
    const body = keys.slice(0, 50).map((k) => `${typeof k === "symbol" ? `[${k.toString()}]` : k}: ${sub(v[k])}`);
    if (keys.length > 50) body.push(`... ${keys.length - 50} more`);
    return `${ctor === "Object" ? "" : ctor + " "}{${body.join(", ")}}`;
  } catch (e) {
    return `[uninspectable: ${e?.message ?? e}]`;
  } finally {
    seen.delete(v);
  }
}

// ------------------------------------------------------------------ deep strict equality
// After Node 20's lib/internal/util/comparisons.js, strict mode only.

const tagOf = (v) => Object.prototype.toString.call(v);
const hasOwn = (o, k) => Object.prototype.hasOwnProperty.call(o, k);
const isEnumerable = (o, k) => Object.prototype.propertyIsEnumerable.call(o, k);

const isDate = (v) => {
  try {
    Date.prototype.getTime.call(v);
    return true;
  } catch {
    return false;
  }
};
const isRegExp = (v) => {
  try {
    Object.getOwnPropertyDescriptor(RegExp.prototype, "source").get.call(v);
    return true;
  } catch {
    return false;
  }
};
const isMap = (v) => {
  try {
    Map.prototype.has.call(v, undefined);
    return true;
  } catch {
    return false;
  }
};
const isSet = (v) => {
  try {
    Set.prototype.has.call(v, undefined);
    return true;
  } catch {
    return false;
  }
};
const isArrayBuffer = (v) => {
  try {
    Object.getOwnPropertyDescriptor(ArrayBuffer.prototype, "byteLength").get.call(v);
    return true;
  } catch {
    return false;
  }
};
const isSharedArrayBuffer = (v) => {
  if (typeof SharedArrayBuffer === "undefined") return false;
  try {
    Object.getOwnPropertyDescriptor(SharedArrayBuffer.prototype, "byteLength").get.call(v);
    return true;
  } catch {
    return false;
  }
};
const isAnyArrayBuffer = (v) => isArrayBuffer(v) || isSharedArrayBuffer(v);
const isNativeError = (v) => tagOf(v) === "[object Error]" || v instanceof Error;
const BOXED = [
  [Number, (v) => Number.prototype.valueOf.call(v)],
  [String, (v) => String.prototype.valueOf.call(v)],
  [Boolean, (v) => Boolean.prototype.valueOf.call(v)],
  [BigInt, (v) => BigInt.prototype.valueOf.call(v)],
  [Symbol, (v) => Symbol.prototype.valueOf.call(v)],
];
function unbox(v) {
  for (const [type, valueOf] of BOXED) {
    try {
      return { type, value: valueOf(v) };
    } catch {
      /* not this kind */
    }
  }
  return null;
}

function bytesOf(view) {
  return new Uint8Array(view.buffer, view.byteOffset, view.byteLength);
}
function sameBytes(a, b) {
  if (a.byteLength !== b.byteLength) return false;
  for (let i = 0; i < a.byteLength; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Own enumerable keys that are not array indices (strict mode: symbols too). */
function nonIndexKeys(v) {
  const keys = Object.keys(v).filter((k) => !/^(0|[1-9][0-9]*)$/.test(k) || Number(k) >= 2 ** 32 - 1);
  for (const s of Object.getOwnPropertySymbols(v)) if (isEnumerable(v, s)) keys.push(s);
  return keys;
}

const kNoIterator = 0;
const kIsArray = 1;
const kIsSet = 2;
const kIsMap = 3;

function innerDeepEqual(a, b, memos) {
  if (a === b) return a !== 0 || Object.is(a, b);
  if (typeof a !== "object") return typeof a === "number" && Number.isNaN(a) && Number.isNaN(b);
  if (typeof b !== "object" || a === null || b === null) return false;
  if (Object.getPrototypeOf(a) !== Object.getPrototypeOf(b)) return false;
  const aTag = tagOf(a);
  if (aTag !== tagOf(b)) return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    const keysA = nonIndexKeys(a);
    if (keysA.length !== nonIndexKeys(b).length) return false;
    return keyCheck(a, b, memos, kIsArray, keysA);
  } else if (aTag === "[object Object]") {
    return keyCheck(a, b, memos, kNoIterator);
  } else if (isDate(a)) {
    if (!isDate(b) || Date.prototype.getTime.call(a) !== Date.prototype.getTime.call(b)) return false;
  } else if (isRegExp(a)) {
    if (!isRegExp(b) || a.source !== b.source || a.flags !== b.flags || a.lastIndex !== b.lastIndex) return false;
  } else if (isNativeError(a)) {
    if (!isNativeError(b) || a.message !== b.message || a.name !== b.name) return false;
  } else if (ArrayBuffer.isView(a)) {
    if (!ArrayBuffer.isView(b) || !sameBytes(bytesOf(a), bytesOf(b))) return false;
    const keysA = nonIndexKeys(a);
    if (keysA.length !== nonIndexKeys(b).length) return false;
    return keyCheck(a, b, memos, kNoIterator, keysA);
  } else if (isSet(a)) {
    if (!isSet(b) || a.size !== b.size) return false;
    return keyCheck(a, b, memos, kIsSet);
  } else if (isMap(a)) {
    if (!isMap(b) || a.size !== b.size) return false;
    return keyCheck(a, b, memos, kIsMap);
  } else if (isAnyArrayBuffer(a)) {
    if (!isAnyArrayBuffer(b) || !sameBytes(new Uint8Array(a), new Uint8Array(b))) return false;
  } else if (unbox(a)) {
    const ua = unbox(a);
    const ub = unbox(b);
    if (!ub || ua.type !== ub.type || !Object.is(ua.value, ub.value)) return false;
  } else if (
    Array.isArray(b) ||
    ArrayBuffer.isView(b) ||
    isSet(b) ||
    isMap(b) ||
    isDate(b) ||
    isRegExp(b) ||
    isAnyArrayBuffer(b) ||
    unbox(b) ||
    isNativeError(b)
  ) {
    return false;
  }
  return keyCheck(a, b, memos, kNoIterator);
}

function keyCheck(a, b, memos, iterationType, aKeys) {
  const givenKeys = aKeys !== undefined;
  if (!givenKeys) {
    aKeys = Object.keys(a);
    if (aKeys.length !== Object.keys(b).length) return false;
  }
  for (const k of aKeys) if (!isEnumerable(b, k)) return false;
  if (!givenKeys) {
    const symA = Object.getOwnPropertySymbols(a);
    let count = 0;
    for (const s of symA) {
      if (isEnumerable(a, s)) {
        if (!isEnumerable(b, s)) return false;
        aKeys.push(s);
        count++;
      } else if (isEnumerable(b, s)) {
        return false;
      }
    }
    const enumB = Object.getOwnPropertySymbols(b).filter((s) => isEnumerable(b, s));
    if (enumB.length !== count) return false;
  }
  if (
    aKeys.length === 0 &&
    (iterationType === kNoIterator || (iterationType === kIsArray && a.length === 0) || a.size === 0)
  ) {
    return true;
  }
  if (memos === undefined) {
    memos = { a: new Map(), b: new Map(), position: 0 };
  } else {
    const ma = memos.a.get(a);
    if (ma !== undefined) {
      const mb = memos.b.get(b);
      if (mb !== undefined) return ma === mb;
    }
    memos.position++;
  }
  memos.a.set(a, memos.position);
  memos.b.set(b, memos.position);
  const eq = objEquiv(a, b, aKeys, memos, iterationType);
  memos.a.delete(a);
  memos.b.delete(b);
  return eq;
}

function objEquiv(a, b, keys, memos, iterationType) {
  if (iterationType === kIsSet) {
    if (!setEquiv(a, b, memos)) return false;
  } else if (iterationType === kIsMap) {
    if (!mapEquiv(a, b, memos)) return false;
  } else if (iterationType === kIsArray) {
    for (let i = 0; i < a.length; i++) {
      if (hasOwn(a, i)) {
        if (!hasOwn(b, i) || !innerDeepEqual(a[i], b[i], memos)) return false;
      } else if (hasOwn(b, i)) {
        return false;
      } else {
        // A hole: compare the remaining own keys as such.
        const keysA = Object.keys(a);
        for (; i < keysA.length; i++) {
          const key = keysA[i];
          if (!hasOwn(b, key) || !innerDeepEqual(a[key], b[key], memos)) return false;
        }
        return keysA.length === Object.keys(b).length;
      }
    }
  }
  for (const key of keys) {
    if (!innerDeepEqual(a[key], b[key], memos)) return false;
  }
  return true;
}

function setEquiv(a, b, memos) {
  let objects = null;
  for (const v of a) {
    if (typeof v === "object" && v !== null) (objects ??= new Set()).add(v);
    else if (!b.has(v)) return false;
  }
  if (objects !== null) {
    for (const v of b) {
      if (typeof v === "object" && v !== null) {
        let found = false;
        for (const w of objects) {
          if (innerDeepEqual(v, w, memos)) {
            objects.delete(w);
            found = true;
            break;
          }
        }
        if (!found) return false;
      }
    }
    return objects.size === 0;
  }
  return true;
}

function mapEquiv(a, b, memos) {
  let objects = null;
  for (const [k, v] of a) {
    if (typeof k === "object" && k !== null) {
      (objects ??= new Set()).add(k);
    } else {
      const w = b.get(k);
      if ((w === undefined && !b.has(k)) || !innerDeepEqual(v, w, memos)) return false;
    }
  }
  if (objects !== null) {
    for (const [k, v] of b) {
      if (typeof k === "object" && k !== null) {
        let found = false;
        for (const k2 of objects) {
          if (innerDeepEqual(k, k2, memos) && innerDeepEqual(v, a.get(k2), memos)) {
            objects.delete(k2);
            found = true;
            break;
          }
        }
        if (!found) return false;
      }
    }
    return objects.size === 0;
  }
  return true;
}

export function isDeepStrictEqual(a, b) {
  return innerDeepEqual(a, b, undefined);
}

// ------------------------------------------------------------------ the assertions

function ok(...args) {
  if (args.length === 0) {
    throw new AssertionError({
      message: "No value argument passed to `assert.ok()`",
      actual: undefined,
      expected: true,
      operator: "==",
      generatedMessage: true,
    });
  }
  const [value, message] = args;
  if (!value) {
    fail_(message, { actual: value, expected: true, operator: "==" }, `The expression evaluated to a falsy value:\n\n  assert.ok(${inspect(value)})\n`);
  }
}

function strictEqual(actual, expected, message) {
  if (!Object.is(actual, expected)) {
    fail_(
      message,
      { actual, expected, operator: "strictEqual" },
      `Expected values to be strictly equal:\n\n${inspect(actual)} !== ${inspect(expected)}\n`,
    );
  }
}

function notStrictEqual(actual, expected, message) {
  if (Object.is(actual, expected)) {
    fail_(message, { actual, expected, operator: "notStrictEqual" }, `Expected "actual" to be strictly unequal to: ${inspect(expected)}`);
  }
}

function deepStrictEqual(actual, expected, message) {
  if (!isDeepStrictEqual(actual, expected)) {
    fail_(
      message,
      { actual, expected, operator: "deepStrictEqual" },
      `Expected values to be strictly deep-equal:\n+ actual - expected\n\n+ ${inspect(actual)}\n- ${inspect(expected)}\n`,
    );
  }
}

function notDeepStrictEqual(actual, expected, message) {
  if (isDeepStrictEqual(actual, expected)) {
    fail_(message, { actual, expected, operator: "notDeepStrictEqual" }, `Expected "actual" not to be strictly deep-equal to: ${inspect(expected)}`);
  }
}

function fail(message = "Failed") {
  if (message instanceof Error) throw message;
  throw new AssertionError({ message: String(message), actual: undefined, expected: undefined, operator: "fail" });
}

function checkRegExp(name, regexp) {
  if (!isRegExp(regexp)) {
    throw argError("ERR_INVALID_ARG_TYPE", `The "regexp" argument must be an instance of RegExp. Received ${inspect(regexp)}`);
  }
}

function match(string, regexp, message) {
  checkRegExp("match", regexp);
  if (typeof string !== "string" || RegExp.prototype.exec.call(regexp, string) === null) {
    fail_(
      message,
      { actual: string, expected: regexp, operator: "match" },
      typeof string !== "string"
        ? `The "string" argument must be of type string. Received type ${typeof string} (${inspect(string)})`
        : `The input did not match the regular expression ${inspect(regexp)}. Input:\n\n${inspect(string)}\n`,
    );
  }
}

function doesNotMatch(string, regexp, message) {
  checkRegExp("doesNotMatch", regexp);
  if (typeof string !== "string" || RegExp.prototype.exec.call(regexp, string) !== null) {
    fail_(
      message,
      { actual: string, expected: regexp, operator: "doesNotMatch" },
      typeof string !== "string"
        ? `The "string" argument must be of type string. Received type ${typeof string} (${inspect(string)})`
        : `The input was expected to not match the regular expression ${inspect(regexp)}. Input:\n\n${inspect(string)}\n`,
    );
  }
}

// ---- throws / rejects (after Node 20's expectsError / expectsNoError / expectedException)

const NO_EXCEPTION = Symbol("no exception");

function invalidErrorArg(error) {
  return argError(
    "ERR_INVALID_ARG_TYPE",
    `The "error" argument must be of type function or an instance of Error, RegExp, or Object. Received ${inspect(error)}`,
  );
}

/** Node's expectedException: does `actual` satisfy `expected`? Throws an AssertionError if not. */
function expectedException(actual, expected, message, operator) {
  if (typeof expected !== "function") {
    if (isRegExp(expected)) {
      const str = String(actual);
      if (RegExp.prototype.exec.call(expected, str) !== null) return;
      fail_(
        message,
        { actual, expected, operator },
        `The input did not match the regular expression ${inspect(expected)}. Input:\n\n${inspect(str)}\n`,
      );
    }
    if (typeof actual !== "object" || actual === null) {
      fail_(message, { actual, expected, operator }, `Expected values to be strictly deep-equal:\n+ actual - expected\n\n+ ${inspect(actual)}\n- ${inspect(expected)}\n`);
    }
    const keys = Object.keys(expected);
    if (expected instanceof Error) keys.push("name", "message");
    else if (keys.length === 0) throw argError("ERR_INVALID_ARG_VALUE", "The argument 'error' may not be an empty object. Received {}");
    for (const key of keys) {
      if (typeof actual[key] === "string" && isRegExp(expected[key]) && RegExp.prototype.exec.call(expected[key], actual[key]) !== null) {
        continue;
      }
      if (!(key in actual) || !isDeepStrictEqual(actual[key], expected[key])) {
        fail_(
          message,
          { actual, expected, operator },
          `Expected values to be strictly deep-equal at key ${JSON.stringify(key)}:\n+ actual - expected\n\n+ ${inspect(actual[key])}\n- ${inspect(expected[key])}\n`,
        );
      }
    }
    return;
  }
  if (expected.prototype !== undefined && actual instanceof expected) return;
  if (Error.isPrototypeOf(expected)) {
    fail_(
      message,
      { actual, expected, operator },
      `The error is expected to be an instance of "${expected.name}". Received ${actual instanceof Error ? `"${actual.constructor?.name}"` : inspect(actual)}\n\n${actual?.message ?? ""}`,
    );
  }
  const res = Reflect.apply(expected, {}, [actual]);
  if (res !== true) {
    fail_(
      message,
      { actual, expected, operator },
      `The ${expected.name ? `"${expected.name}" validation function` : "validation function"} is expected to return "true". Received ${inspect(res)}\n\nCaught error:\n\n${inspect(actual)}`,
    );
  }
}

function expectsError(operator, actual, args) {
  let [error, message] = args;
  if (typeof error === "string") {
    if (args.length === 2) throw invalidErrorArg(error);
    if (typeof actual === "object" && actual !== null) {
      if (actual.message === error) {
        throw argError("ERR_AMBIGUOUS_ARGUMENT", `The "error/message" argument is ambiguous. The error message "${actual.message}" is identical to the message.`);
      }
    } else if (actual === error) {
      throw argError("ERR_AMBIGUOUS_ARGUMENT", `The "error/message" argument is ambiguous. The error "${actual}" is identical to the message.`);
    }
    message = error;
    error = undefined;
  } else if (error != null && typeof error !== "object" && typeof error !== "function") {
    throw invalidErrorArg(error);
  }
  if (actual === NO_EXCEPTION) {
    let details = "";
    if (error && error.name) details += ` (${error.name})`;
    details += message ? `: ${message}` : ".";
    const kind = operator === "rejects" ? "rejection" : "exception";
    throw new AssertionError({ message: `Missing expected ${kind}${details}`, actual: undefined, expected: error, operator });
  }
  if (!error) return;
  expectedException(actual, error, message, operator);
}

function hasMatchingError(actual, expected) {
  if (typeof expected !== "function") {
    if (isRegExp(expected)) return RegExp.prototype.exec.call(expected, String(actual)) !== null;
    throw argError("ERR_INVALID_ARG_TYPE", `The "expected" argument must be of type function or an instance of RegExp. Received ${inspect(expected)}`);
  }
  if (expected.prototype !== undefined && actual instanceof expected) return true;
  if (Error.isPrototypeOf(expected)) return false;
  return Reflect.apply(expected, {}, [actual]) === true;
}

function expectsNoError(operator, actual, args) {
  if (actual === NO_EXCEPTION) return;
  let [error, message] = args;
  if (typeof error === "string") {
    message = error;
    error = undefined;
  }
  if (!error || hasMatchingError(actual, error)) {
    const details = message ? `: ${message}` : ".";
    const kind = operator === "doesNotReject" ? "rejection" : "exception";
    throw new AssertionError({
      message: `Got unwanted ${kind}${details}\nActual message: "${actual?.message}"`,
      actual,
      expected: error,
      operator,
    });
  }
  throw actual;
}

function getActual(fn) {
  if (typeof fn !== "function") {
    throw argError("ERR_INVALID_ARG_TYPE", `The "fn" argument must be of type function. Received ${inspect(fn)}`);
  }
  try {
    fn();
  } catch (e) {
    return e;
  }
  return NO_EXCEPTION;
}

const isPromiseLike = (p) =>
  p instanceof Promise || (p !== null && typeof p === "object" && typeof p.then === "function" && typeof p.catch === "function");

async function waitForActual(promiseFn) {
  let p;
  if (typeof promiseFn === "function") {
    p = promiseFn();
    if (!isPromiseLike(p)) {
      throw argError("ERR_INVALID_RETURN_VALUE", `Expected instance of Promise to be returned from the "promiseFn" function but got ${inspect(p)}.`);
    }
  } else if (isPromiseLike(promiseFn)) {
    p = promiseFn;
  } else {
    throw argError("ERR_INVALID_ARG_TYPE", `The "promiseFn" argument must be of type function or an instance of Promise. Received ${inspect(promiseFn)}`);
  }
  try {
    await p;
  } catch (e) {
    return e;
  }
  return NO_EXCEPTION;
}

function throws(fn, ...args) {
  expectsError("throws", getActual(fn), args);
}

function doesNotThrow(fn, ...args) {
  expectsNoError("doesNotThrow", getActual(fn), args);
}

async function rejects(promiseFn, ...args) {
  expectsError("rejects", await waitForActual(promiseFn), args);
}

async function doesNotReject(promiseFn, ...args) {
  expectsNoError("doesNotReject", await waitForActual(promiseFn), args);
}

function ifError(value) {
  if (value !== null && value !== undefined) {
    let message = "ifError got unwanted exception: ";
    if (typeof value === "object" && typeof value.message === "string") {
      message += value.message.length === 0 && value.constructor ? value.constructor.name : value.message;
    } else {
      message += inspect(value);
    }
    const err = new AssertionError({ message, actual: value, expected: null, operator: "ifError" });
    if (value instanceof Error && typeof value.stack === "string") err.stack = `${err.name}: ${message}\n${value.stack}`;
    throw err;
  }
}

function assert(...args) {
  return ok(...args);
}

Object.assign(assert, {
  AssertionError,
  ok,
  equal: strictEqual,
  strictEqual,
  notEqual: notStrictEqual,
  notStrictEqual,
  deepEqual: deepStrictEqual,
  deepStrictEqual,
  notDeepEqual: notDeepStrictEqual,
  notDeepStrictEqual,
  fail,
  match,
  doesNotMatch,
  throws,
  doesNotThrow,
  rejects,
  doesNotReject,
  ifError,
});
assert.strict = assert;

export default assert;
export {
  ok,
  strictEqual as equal,
  strictEqual,
  notStrictEqual as notEqual,
  notStrictEqual,
  deepStrictEqual as deepEqual,
  deepStrictEqual,
  notDeepStrictEqual as notDeepEqual,
  notDeepStrictEqual,
  fail,
  match,
  doesNotMatch,
  throws,
  doesNotThrow,
  rejects,
  doesNotReject,
  ifError,
  assert as strict,
};
