// Shared helpers for the node:test suite. Imports the package by its name only.
import assert from "node:assert/strict";
import { Store, MapiError, ErrorCode, MessageFlags } from "mapi-outbox";

export const ENTRY_ID_RE = /^[0-9a-f]{72}$/;
export const ME = "me@example.org";

/** Checks that `err` is a MapiError with the given codeName (a string, or an array of allowed names). */
export function checkMapi(err, codeName, opts = {}) {
  // opts: { mentions } or, for short, the mention itself (string, RegExp or array of them).
  const mentions =
    typeof opts === "string" || opts instanceof RegExp || Array.isArray(opts) ? opts : opts?.mentions;
  assert.ok(
    err instanceof MapiError,
    `expected a MapiError, got ${err?.constructor?.name ?? typeof err}: ${err?.message ?? String(err)}`,
  );
  assert.ok(err instanceof Error, "MapiError must be an Error");
  assert.equal(err.name, "MapiError");
  if (codeName !== undefined && codeName !== null) {
    const allowed = Array.isArray(codeName) ? codeName : [codeName];
    assert.ok(
      allowed.includes(err.codeName),
      `expected codeName ${allowed.join(" or ")}, got ${err.codeName} (${err.message})`,
    );
    assert.equal(err.code, ErrorCode[err.codeName], `code must match codeName ${err.codeName}`);
  } else {
    assert.equal(typeof err.codeName, "string");
    assert.equal(err.code, ErrorCode[err.codeName], `code ${err.code} must be the ErrorCode of ${err.codeName}`);
  }
  assert.equal(typeof err.message, "string");
  assert.ok(err.message.length > 0, "error message must not be empty");
  for (const m of [].concat(mentions ?? [])) {
    const ok = m instanceof RegExp ? m.test(err.message) : err.message.includes(m);
    assert.ok(ok, `error message should name ${m}: ${JSON.stringify(err.message.slice(0, 300))}`);
  }
  return err;
}

/** A synchronous call must throw a MapiError with the given codeName. */
export function assertMapiError(fn, codeName, opts) {
  let result;
  try {
    result = fn();
  } catch (err) {
    return checkMapi(err, codeName, opts);
  }
  if (result && typeof result.then === "function") {
    result.then(() => {}, () => {});
    assert.fail(`expected a synchronous throw of ${codeName}, but the call returned a promise`);
  }
  assert.fail(`expected ${codeName ?? "a MapiError"} to be thrown, but the call returned ${describe(result)}`);
}

/**
 * An asynchronous call must reject with a MapiError. Pass a promise, or a function
 * returning one (then a synchronous throw is reported as a failure: async methods reject).
 */
export async function rejectsMapi(promiseOrFn, codeName, opts) {
  let p = promiseOrFn;
  if (typeof promiseOrFn === "function") {
    try {
      p = promiseOrFn();
    } catch (err) {
      assert.fail(
        `expected a rejected promise (${codeName ?? "MapiError"}), but the call threw synchronously: ` +
          `${err?.codeName ?? err?.constructor?.name} ${err?.message}`,
      );
    }
  }
  assert.ok(p && typeof p.then === "function", `expected a promise, got ${describe(p)}`);
  try {
    await p;
  } catch (err) {
    return checkMapi(err, codeName, opts);
  }
  assert.fail(`expected a rejection with ${codeName ?? "a MapiError"}, but the promise resolved`);
}

function describe(v) {
  try {
    return typeof v === "object" ? Object.prototype.toString.call(v) : String(v);
  } catch {
    return typeof v;
  }
}

/** Opens a memory store (no spooler) and closes it after the test. */
export async function openStore(t, extra = {}) {
  const store = await Store.open({ identity: { email: ME }, spooler: false, ...extra });
  if (t && typeof t.after === "function") {
    t.after(async () => {
      try {
        await store.close();
      } catch {
        /* already closed by the test */
      }
    });
  }
  return store;
}

export function recipient(email = "a@example.org", type = 1, name) {
  const row = { PidTagRecipientType: type, PidTagEmailAddress: email };
  if (name !== undefined) row.PidTagDisplayName = name;
  return row;
}

/** A new message with a subject and one To recipient (not saved). */
export function newMessage(store, subject = "hello", recipients = [recipient()]) {
  const msg = store.createMessage();
  msg.setProps({ PidTagSubject: subject, PidTagBody: "body of " + subject });
  if (recipients.length) msg.modifyRecipients("add", recipients);
  return msg;
}

/** A saved draft (object kept open, readwrite). */
export async function savedDraft(store, subject = "hello", recipients) {
  const msg = newMessage(store, subject, recipients);
  await msg.saveChanges();
  return msg;
}

/** Submits a fresh message and returns its entry id. */
export async function queued(store, subject = "queued", recipients) {
  const msg = newMessage(store, subject, recipients);
  const id = msg.entryId;
  await msg.submit();
  msg.free();
  return id;
}

/** A normal create / save / submit / abort cycle must still work on the store. */
export async function assertStoreWorks(store) {
  const msg = store.createMessage();
  msg.setProps({ PidTagSubject: "still works", PidTagBody: "ok" });
  msg.modifyRecipients("add", [recipient("check@example.org")]);
  const id = msg.entryId;
  assert.match(id, ENTRY_ID_RE);
  await msg.saveChanges();
  await msg.submit();
  const q = await store.outgoingQueue();
  assert.ok(q.some((r) => r.entryId === id), "submitted message must be in the outgoing queue");
  await store.abortSubmit(id);
  const q2 = await store.outgoingQueue();
  assert.ok(!q2.some((r) => r.entryId === id), "aborted message must leave the queue");
  const again = await store.openMessage(id);
  assert.equal(again.getProps(["PidTagSubject"]).PidTagSubject, "still works");
  await store.deleteMessage(id);
  again.free();
}

export function hexToBytes(hex) {
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return out;
}

export function bytesToHex(bytes) {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

/** A well-formed entry id of this store that names nothing. */
export function unknownId(store) {
  const prefix = store.folders.drafts.slice(0, 40);
  return prefix + "0123456789abcdef0123456789abcdef";
}

export function flagsOf(msgOrRow) {
  return typeof msgOrRow.getProps === "function"
    ? msgOrRow.getProps(["PidTagMessageFlags"]).PidTagMessageFlags
    : msgOrRow.PidTagMessageFlags;
}

/** Resolves with the next event of `type`, or rejects after `ms`. */
export function nextEvent(store, type, ms = 1000) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      store.removeEventListener(type, fn);
      reject(new Error(`no ${type} event within ${ms} ms`));
    }, ms);
    function fn(ev) {
      clearTimeout(timer);
      store.removeEventListener(type, fn);
      resolve(ev);
    }
    store.addEventListener(type, fn);
  });
}

/** Lets queued microtasks and one macrotask run (events are dispatched asynchronously). */
export function settle() {
  return new Promise((r) => setTimeout(r, 10));
}

// UNSENT | FROMME, spelled out so that a wrong MessageFlags export cannot hide a bug.
export const NEW_FLAGS = 0x08 | 0x20;
export { Store, MapiError, ErrorCode, MessageFlags };

/**
 * A real HTTP server on 127.0.0.1 (port 0) for transport tests, closed after the test.
 * `handler(request, res)` answers; `request` is { method, url, headers, body: Buffer }.
 * The default handler answers 200 with no body. Returns { url, origin, requests, server,
 * close(), setHandler(fn) }; every request lands in `requests` (after its body arrived).
 */
export async function startHttpServer(t, handler) {
  const { createServer } = await import("node:http");
  let current = handler ?? ((_req, res) => res.end());
  const requests = [];
  const server = createServer(async (req, res) => {
    const chunks = [];
    try {
      for await (const c of req) chunks.push(c);
    } catch {
      return; // the client went away mid-body
    }
    const request = { method: req.method, url: req.url, headers: req.headers, body: Buffer.concat(chunks), req, res };
    requests.push(request);
    try {
      await current(request, res);
    } catch (err) {
      if (!res.headersSent) res.statusCode = 599;
      res.end(String(err?.stack ?? err));
    }
  });
  server.keepAliveTimeout = 100;
  await new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", resolve);
  });
  const origin = `http://127.0.0.1:${server.address().port}`;
  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    server.closeAllConnections?.();
    await new Promise((resolve) => server.close(() => resolve()));
  };
  if (t && typeof t.after === "function") t.after(close);
  return {
    origin,
    url: origin + "/send",
    requests,
    server,
    close,
    setHandler(fn) {
      current = fn;
    },
  };
}

// ---------------------------------------------------------------------------------------
// Spooler and transport helpers (SPEC §6)

/** Tiny retry times so that backoff tests run in milliseconds. */
export const FAST_RETRY = Object.freeze({ initialMs: 20, maxMs: 200 });

/**
 * Opens a memory store that runs a spooler (spooler: true unless `extra` says otherwise),
 * with FAST_RETRY, and closes it after the test.
 */
export async function openSpoolStore(t, extra = {}) {
  const store = await Store.open({ identity: { email: ME }, retry: FAST_RETRY, ...extra });
  events(store); // log every event from the start, so that no wait can miss one
  if (t && typeof t.after === "function") {
    t.after(async () => {
      try {
        await store.close();
      } catch {
        /* already closed by the test */
      }
    });
  }
  return store;
}

/** A promise with its resolve/reject exposed. */
export function deferred() {
  let resolve, reject;
  const promise = new Promise((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/**
 * A transport that records every call in `calls` ({ outgoing, signal, at }) and answers
 * with `behave(outgoing, { signal }, call)` (default: resolve with nothing at once).
 */
export function fakeTransport({ name = "fake", addressTypes = ["SMTP"], behave } = {}) {
  const calls = [];
  return {
    name,
    addressTypes,
    calls,
    send(outgoing, ctx) {
      const call = { outgoing, signal: ctx?.signal, at: Date.now() };
      calls.push(call);
      return behave ? behave(outgoing, ctx, call) : Promise.resolve();
    },
  };
}

/** Resolves with the first event of `type` whose event passes `pred`, or rejects after `ms`. */
export function waitForEvent(store, type, pred = () => true, ms = 3000) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      store.removeEventListener(type, fn);
      reject(new Error(`no matching ${type} event within ${ms} ms`));
    }, ms);
    function fn(ev) {
      let ok = false;
      try {
        ok = pred(ev);
      } catch {
        ok = false;
      }
      if (!ok) return;
      clearTimeout(timer);
      store.removeEventListener(type, fn);
      resolve(ev);
    }
    store.addEventListener(type, fn);
  });
}

/** Records every event of the given types as { type, detail, at } into the returned array. */
export function recordEvents(store, types) {
  const seen = [];
  for (const type of types) store.addEventListener(type, (ev) => seen.push({ type, detail: ev.detail, at: Date.now() }));
  return seen;
}

/** Polls `cond` every few ms until it is truthy (resolves with its value), or rejects after `ms`. */
export async function until(cond, ms = 3000, what = "condition") {
  const end = Date.now() + ms;
  for (;;) {
    const v = await cond();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** Waits `ms` milliseconds. */
export function sleep(ms) {
  return new Promise((r) => setTimeout(r, ms));
}

/**
 * Bytes as a string, one char per byte (what Buffer's "latin1" gives; without Buffer, so the
 * suite also runs in a browser: tests/browser/jsuite.test.mjs).
 */
export function latin1(bytes) {
  const u8 = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes);
  let s = "";
  for (let i = 0; i < u8.length; i += 8192) s += String.fromCharCode.apply(null, u8.subarray(i, i + 8192));
  return s;
}

/** Whether two byte sequences hold the same bytes (Buffer.equals, without Buffer). */
export function sameBytes(a, b) {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** The header block of RFC 5322 bytes as a string (up to the first empty line). */
export function mimeHeaders(bytes) {
  const text = latin1(bytes);
  const end = text.indexOf("\r\n\r\n");
  return end < 0 ? text : text.slice(0, end + 2);
}

export const EVENT_TYPES = Object.freeze(["queuechange", "submitted", "sending", "sent", "retry", "aborted", "ndr"]);
const eventLogs = new WeakMap();

/**
 * The event log of a store: an array of { type, detail, at } with every event since the
 * log was made (openSpoolStore makes it at open), and `wait(type, pred, ms)` resolving with
 * the first matching event, past or future (pred: a function of the record, or an entry id
 * matched against detail.entryId).
 */
export function events(store) {
  let log = eventLogs.get(store);
  if (log) return log;
  log = [];
  const waiters = new Set();
  for (const type of EVENT_TYPES) {
    store.addEventListener(type, (ev) => {
      const rec = { type, detail: ev.detail, at: Date.now() };
      log.push(rec);
      for (const w of [...waiters]) {
        if (w.type === type && w.pred(rec)) {
          waiters.delete(w);
          clearTimeout(w.timer);
          w.resolve(rec);
        }
      }
    });
  }
  const asPred = (pred) => {
    if (typeof pred === "string") return (r) => r.detail?.entryId === pred;
    return pred ?? (() => true);
  };
  log.wait = (type, pred, ms = 3000) => {
    const p = asPred(pred);
    const hit = log.find((r) => r.type === type && p(r));
    if (hit) return Promise.resolve(hit);
    return new Promise((resolve, reject) => {
      const w = { type, pred: p, resolve };
      w.timer = setTimeout(() => {
        waiters.delete(w);
        reject(new Error(`no matching ${type} event within ${ms} ms (seen: ${log.map((r) => r.type).join(", ") || "none"})`));
      }, ms);
      waiters.add(w);
    });
  };
  log.of = (type, pred) => {
    const p = asPred(pred);
    return log.filter((r) => r.type === type && p(r));
  };
  eventLogs.set(store, log);
  return log;
}
