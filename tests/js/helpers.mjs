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
