// httpTransport (issue 4, SPEC §6): the reference transport, against a real HTTP server on
// 127.0.0.1 started by each test (Node's http module, port 0).
import { test } from "node:test";
import assert from "node:assert/strict";
import { httpTransport, jmapTransport, MapiError, ErrorCode } from "mapi-outbox";
import { checkMapi, assertMapiError, startHttpServer } from "./helpers.mjs";

const SUBMISSION = "5f0c2a9e-0000-4000-8000-00000000abcd";

/** An outgoing object as the spooler builds it (SPEC §6). */
function outgoing(extra = {}) {
  const mime = new TextEncoder().encode(
    "From: me@example.org\r\nTo: a@example.org\r\nSubject: hi\r\nMessage-ID: <m1@example.org>\r\n\r\nbody\r\n",
  );
  return {
    submissionId: SUBMISSION,
    entryId: "00".repeat(36),
    messageId: "<m1@example.org>",
    mime,
    mailFrom: "me@example.org",
    rcptTo: ["a@example.org", "hidden@example.org"],
    recipients: [
      { PidTagRowid: 1, PidTagRecipientType: 1, PidTagEmailAddress: "a@example.org", PidTagAddressType: "SMTP" },
      { PidTagRowid: 2, PidTagRecipientType: 3, PidTagEmailAddress: "hidden@example.org", PidTagAddressType: "SMTP" },
    ],
    attempt: 1,
    possibleDuplicate: false,
    ...extra,
  };
}

/** Sends through the transport and returns the rejection (fails if it resolves). */
async function sendRejects(transport, out = outgoing(), signal = new AbortController().signal) {
  try {
    const v = await transport.send(out, { signal });
    assert.fail(`expected send to reject, it resolved with ${JSON.stringify(v)}`);
  } catch (err) {
    if (err?.code === "ERR_ASSERTION") throw err;
    return err;
  }
}

function answer(status, body = "", headers = {}) {
  return (_req, res) => {
    res.writeHead(status, headers);
    res.end(body);
  };
}

// ---------------------------------------------------------------------------------------
// The request

test("httpTransport returns a transport object: name 'http', addressTypes ['SMTP'], send()", () => {
  const t = httpTransport({ url: "http://127.0.0.1:1/send" });
  assert.equal(t.name, "http");
  assert.deepEqual([...t.addressTypes], ["SMTP"]);
  assert.equal(typeof t.send, "function");
  const named = httpTransport({ url: "http://127.0.0.1:1/send", name: "gateway", addressTypes: ["SMTP", "X-FAX"] });
  assert.equal(named.name, "gateway");
  assert.deepEqual([...named.addressTypes], ["SMTP", "X-FAX"]);
});

test("POSTs the MIME bytes exactly, as message/rfc822, to the URL (path and query kept)", async (t) => {
  const srv = await startHttpServer(t);
  const bytes = new Uint8Array(512);
  for (let i = 0; i < bytes.length; i++) bytes[i] = i % 256; // every byte value, NUL and 8-bit included
  const tr = httpTransport({ url: srv.origin + "/api/v1/send?tenant=42" });
  assert.equal(await tr.send(outgoing({ mime: bytes }), { signal: new AbortController().signal }), undefined);
  assert.equal(srv.requests.length, 1);
  const [r] = srv.requests;
  assert.equal(r.method, "POST");
  assert.equal(r.url, "/api/v1/send?tenant=42");
  assert.equal(r.headers["content-type"], "message/rfc822");
  assert.equal(r.headers["content-length"], "512");
  assert.deepEqual(new Uint8Array(r.body), bytes);
});

test("Idempotency-Key is the submissionId, and envelope headers carry mailFrom, rcptTo, messageId, attempt, possibleDuplicate", async (t) => {
  const srv = await startHttpServer(t);
  const tr = httpTransport({ url: srv.url });
  await tr.send(outgoing(), { signal: new AbortController().signal });
  await tr.send(outgoing({ attempt: 3, possibleDuplicate: true }), { signal: new AbortController().signal });
  const [a, b] = srv.requests;
  assert.equal(a.headers["idempotency-key"], SUBMISSION);
  assert.equal(a.headers["x-mail-from"], "me@example.org");
  assert.equal(a.headers["x-rcpt-to"], "a@example.org, hidden@example.org");
  assert.deepEqual(a.headers["x-rcpt-to"].split(",").map((s) => decodeURIComponent(s.trim())), [
    "a@example.org",
    "hidden@example.org",
  ]);
  assert.equal(a.headers["x-message-id"], "<m1@example.org>");
  assert.equal(a.headers["x-attempt"], "1");
  assert.equal(a.headers["x-possible-duplicate"], "false");
  // a retry: the same key, the attempt number and the duplicate flag
  assert.equal(b.headers["idempotency-key"], SUBMISSION);
  assert.equal(b.headers["x-attempt"], "3");
  assert.equal(b.headers["x-possible-duplicate"], "true");
});

test("envelope values stay ASCII and splittable: non-ASCII, ',' and '%' are percent-encoded, decodeURIComponent restores them", async (t) => {
  const srv = await startHttpServer(t);
  const tr = httpTransport({ url: srv.url });
  const rcpt = ["иван@пример.рф", '"a,b"@example.org', "100%@example.org", "plain@example.org"];
  await tr.send(outgoing({ rcptTo: rcpt, mailFrom: "отправитель@пример.рф" }), { signal: new AbortController().signal });
  const h = srv.requests[0].headers;
  assert.match(h["x-rcpt-to"], /^[\x20-\x7e]+$/);
  assert.deepEqual(h["x-rcpt-to"].split(",").map((s) => decodeURIComponent(s.trim())), rcpt);
  assert.ok(h["x-rcpt-to"].endsWith(", plain@example.org"), "plain addresses go as they are");
  assert.equal(decodeURIComponent(h["x-mail-from"]), "отправитель@пример.рф");
});

test("user headers are sent (Authorization), but cannot override the transport's own headers", async (t) => {
  const srv = await startHttpServer(t);
  const tr = httpTransport({
    url: srv.url,
    headers: { Authorization: "Bearer s3cret", "X-Tenant": "acme", "Idempotency-Key": "forged", "content-type": "text/plain" },
  });
  await tr.send(outgoing(), { signal: new AbortController().signal });
  const h = srv.requests[0].headers;
  assert.equal(h.authorization, "Bearer s3cret");
  assert.equal(h["x-tenant"], "acme");
  assert.equal(h["idempotency-key"], SUBMISSION);
  assert.equal(h["content-type"], "message/rfc822");
  // a Headers object and [name, value] pairs work too
  const tr2 = httpTransport({ url: srv.url, headers: new Headers({ "X-A": "1" }) });
  const tr3 = httpTransport({ url: srv.url, headers: [["X-B", "2"]] });
  await tr2.send(outgoing(), { signal: new AbortController().signal });
  await tr3.send(outgoing(), { signal: new AbortController().signal });
  assert.equal(srv.requests[1].headers["x-a"], "1");
  assert.equal(srv.requests[2].headers["x-b"], "2");
});

test("a custom fetch is used, with the URL, POST, the body and the signal", async () => {
  const calls = [];
  const tr = httpTransport({
    url: "https://gateway.example.org/send",
    fetch: async (url, init) => {
      calls.push({ url, init });
      return new Response(null, { status: 204 });
    },
  });
  const ac = new AbortController();
  const out = outgoing();
  assert.equal(await tr.send(out, { signal: ac.signal }), undefined);
  assert.equal(calls.length, 1);
  assert.equal(calls[0].url, "https://gateway.example.org/send");
  assert.equal(calls[0].init.method, "POST");
  assert.equal(calls[0].init.body, out.mime);
  assert.equal(calls[0].init.signal, ac.signal);
  assert.equal(calls[0].init.redirect, "manual");
  const headers = new Headers(calls[0].init.headers);
  assert.equal(headers.get("idempotency-key"), SUBMISSION);
});

test("a redirect that keeps the method (307) is followed with the same body and key", async (t) => {
  const srv = await startHttpServer(t, (req, res) => {
    if (req.url === "/old") {
      res.writeHead(307, { Location: "/new" });
      res.end();
    } else {
      res.writeHead(202);
      res.end();
    }
  });
  const tr = httpTransport({ url: srv.origin + "/old" });
  assert.equal(await tr.send(outgoing(), { signal: new AbortController().signal }), undefined);
  assert.deepEqual(srv.requests.map((r) => r.url), ["/old", "/new"]);
  assert.equal(srv.requests[1].headers["idempotency-key"], SUBMISSION);
  assert.equal(srv.requests[1].body.toString("latin1"), Buffer.from(outgoing().mime).toString("latin1"));
});

// ---------------------------------------------------------------------------------------
// 2xx

for (const status of [200, 201, 202, 204]) {
  test(`${status} resolves: every recipient delivered`, async (t) => {
    const srv = await startHttpServer(t, answer(status, status === 204 ? "" : "queued as 1234"));
    const tr = httpTransport({ url: srv.url });
    assert.equal(await tr.send(outgoing(), { signal: new AbortController().signal }), undefined);
  });
}

test("2xx with a JSON body { failed: [{ email, reason }] } resolves with those failed recipients", async (t) => {
  const body = JSON.stringify({ id: "q-1", failed: [{ email: "hidden@example.org", reason: "550 5.1.1 no such user" }] });
  const srv = await startHttpServer(t, answer(200, body, { "Content-Type": "application/json; charset=utf-8" }));
  const tr = httpTransport({ url: srv.url });
  const result = await tr.send(outgoing(), { signal: new AbortController().signal });
  assert.deepEqual(result, { failed: [{ email: "hidden@example.org", reason: "550 5.1.1 no such user" }] });
});

test("2xx with JSON { failed: [] } resolves with an empty list; other JSON or broken JSON resolves as delivered", async (t) => {
  const srv = await startHttpServer(t);
  const tr = httpTransport({ url: srv.url });
  const sig = () => ({ signal: new AbortController().signal });
  srv.setHandler(answer(200, '{"failed":[]}', { "Content-Type": "application/json" }));
  assert.deepEqual(await tr.send(outgoing(), sig()), { failed: [] });
  srv.setHandler(answer(200, '{"id":"q-2"}', { "Content-Type": "application/json" }));
  assert.equal(await tr.send(outgoing(), sig()), undefined);
  srv.setHandler(answer(200, '{"failed":[', { "Content-Type": "application/json" }));
  assert.equal(await tr.send(outgoing(), sig()), undefined);
  // JSON-looking text without a JSON content type is not read as a result
  srv.setHandler(answer(200, '{"failed":[{"email":"a@example.org","reason":"x"}]}', { "Content-Type": "text/plain" }));
  assert.equal(await tr.send(outgoing(), sig()), undefined);
  // a failed entry without a reason gets one
  srv.setHandler(answer(200, '{"failed":[{"email":"a@example.org"}]}', { "Content-Type": "application/problem+json" }));
  const r = await tr.send(outgoing(), sig());
  assert.equal(r.failed.length, 1);
  assert.equal(r.failed[0].email, "a@example.org");
  assert.equal(typeof r.failed[0].reason, "string");
  assert.ok(r.failed[0].reason.length > 0);
});

// ---------------------------------------------------------------------------------------
// transient

for (const status of [500, 502, 504]) {
  test(`${status} rejects with a transient MAPI_E_NETWORK_ERROR naming the status and the body`, async (t) => {
    const srv = await startHttpServer(t, answer(status, "upstream relay is down"));
    const err = await sendRejects(httpTransport({ url: srv.url }));
    checkMapi(err, "MAPI_E_NETWORK_ERROR", [String(status), "upstream relay is down"]);
    assert.ok(err instanceof MapiError);
    assert.equal(err.status, status);
    assert.equal(err.retryAfterMs, undefined);
  });
}

test("408 Request Timeout is transient (MAPI_E_NETWORK_ERROR)", async (t) => {
  const srv = await startHttpServer(t, answer(408));
  const err = await sendRejects(httpTransport({ url: srv.url }));
  checkMapi(err, "MAPI_E_NETWORK_ERROR", "408");
  assert.equal(err.status, 408);
});

test("429 with Retry-After in seconds → MAPI_E_WAIT with retryAfterMs", async (t) => {
  const srv = await startHttpServer(t, answer(429, "slow down", { "Retry-After": "7" }));
  const err = await sendRejects(httpTransport({ url: srv.url }));
  checkMapi(err, "MAPI_E_WAIT", ["429", "slow down"]);
  assert.equal(err.retryAfterMs, 7000);
  assert.equal(err.status, 429);
});

test("503 with Retry-After in seconds → MAPI_E_WAIT with retryAfterMs", async (t) => {
  const srv = await startHttpServer(t, answer(503, "", { "Retry-After": "120" }));
  const err = await sendRejects(httpTransport({ url: srv.url }));
  checkMapi(err, "MAPI_E_WAIT", "503");
  assert.equal(err.retryAfterMs, 120_000);
});

test("503 with Retry-After as an HTTP-date → retryAfterMs until that date", async (t) => {
  const at = new Date(Date.now() + 30_000);
  const srv = await startHttpServer(t, answer(503, "maintenance", { "Retry-After": at.toUTCString() }));
  const err = await sendRejects(httpTransport({ url: srv.url }));
  checkMapi(err, "MAPI_E_WAIT", "503");
  // HTTP-dates have whole seconds
  assert.ok(err.retryAfterMs > 27_000 && err.retryAfterMs <= 30_000, `retryAfterMs ${err.retryAfterMs}`);
});

test("429 with Retry-After as an HTTP-date → retryAfterMs; a date in the past → 0", async (t) => {
  const srv = await startHttpServer(t);
  const tr = httpTransport({ url: srv.url });
  srv.setHandler(answer(429, "", { "Retry-After": new Date(Date.now() + 10_000).toUTCString() }));
  const err = await sendRejects(tr);
  checkMapi(err, "MAPI_E_WAIT");
  assert.ok(err.retryAfterMs > 7_000 && err.retryAfterMs <= 10_000, `retryAfterMs ${err.retryAfterMs}`);
  srv.setHandler(answer(429, "", { "Retry-After": "Wed, 21 Oct 2015 07:28:00 GMT" }));
  const past = await sendRejects(tr);
  checkMapi(past, "MAPI_E_WAIT");
  assert.equal(past.retryAfterMs, 0);
});

test("429/503 without or with an unreadable Retry-After → MAPI_E_WAIT without retryAfterMs (the spooler backs off)", async (t) => {
  const srv = await startHttpServer(t);
  const tr = httpTransport({ url: srv.url });
  srv.setHandler(answer(429));
  const a = await sendRejects(tr);
  checkMapi(a, "MAPI_E_WAIT");
  assert.equal(a.retryAfterMs, undefined);
  srv.setHandler(answer(503, "", { "Retry-After": "soon" }));
  const b = await sendRejects(tr);
  checkMapi(b, "MAPI_E_WAIT");
  assert.equal(b.retryAfterMs, undefined);
  srv.setHandler(answer(503, "", { "Retry-After": "-5" }));
  const c = await sendRejects(tr);
  assert.equal(c.retryAfterMs, undefined);
});

test("a 500 with Retry-After carries retryAfterMs too", async (t) => {
  const srv = await startHttpServer(t, answer(500, "", { "Retry-After": "3" }));
  const err = await sendRejects(httpTransport({ url: srv.url }));
  checkMapi(err, "MAPI_E_NETWORK_ERROR");
  assert.equal(err.retryAfterMs, 3000);
});

test("409 (same Idempotency-Key still in progress) and 425 are transient MAPI_E_WAIT", async (t) => {
  const srv = await startHttpServer(t);
  const tr = httpTransport({ url: srv.url });
  srv.setHandler(answer(409, "a request with this key is in progress", { "Retry-After": "1" }));
  const a = await sendRejects(tr);
  checkMapi(a, "MAPI_E_WAIT", "409");
  assert.equal(a.retryAfterMs, 1000);
  srv.setHandler(answer(425));
  checkMapi(await sendRejects(tr), "MAPI_E_WAIT", "425");
});

test("a status the transport does not understand (300) is transient, never a silent loss", async (t) => {
  const srv = await startHttpServer(t, answer(300, "pick one"));
  const err = await sendRejects(httpTransport({ url: srv.url }));
  checkMapi(err, "MAPI_E_NETWORK_ERROR", "300");
});

for (const status of [301, 302, 303]) {
  test(`a ${status} redirect is not followed (it would turn the POST into a body-less GET): transient, nothing 'delivered'`, async (t) => {
    const srv = await startHttpServer(t, (req, res) => {
      if (req.url === "/send") {
        res.writeHead(status, { Location: "/landing" });
        res.end();
      } else {
        res.end("<html>a page</html>");
      }
    });
    const err = await sendRejects(httpTransport({ url: srv.url }));
    checkMapi(err, "MAPI_E_NETWORK_ERROR", [String(status), /redirect/]);
    assert.deepEqual(srv.requests.map((r) => r.url), ["/send"]);
  });
}

test("a 307 to another origin is not followed (credentials in headers must not leak): transient", async (t) => {
  const other = await startHttpServer(t);
  const srv = await startHttpServer(t, answer(307, "", { Location: other.url }));
  const err = await sendRejects(httpTransport({ url: srv.url, headers: { Authorization: "Bearer s3cret" } }));
  checkMapi(err, "MAPI_E_NETWORK_ERROR", "307");
  assert.equal(other.requests.length, 0);
});

test("a 308 redirect loop ends after a few hops, transient", async (t) => {
  const srv = await startHttpServer(t, answer(308, "", { Location: "/send" }));
  const err = await sendRejects(httpTransport({ url: srv.url }));
  checkMapi(err, "MAPI_E_NETWORK_ERROR", "308");
  assert.ok(srv.requests.length >= 2 && srv.requests.length <= 10, `${srv.requests.length} requests`);
});

test("connection refused (the server is gone) → transient MAPI_E_NETWORK_ERROR with the fetch TypeError as cause", async (t) => {
  const srv = await startHttpServer(t);
  const url = srv.url;
  await srv.close();
  const err = await sendRejects(httpTransport({ url }));
  checkMapi(err, "MAPI_E_NETWORK_ERROR");
  assert.ok(err instanceof MapiError);
  assert.equal(err.status, 0);
  assert.ok(err.cause instanceof TypeError, `cause: ${err.cause}`);
  assert.match(err.message, /127\.0\.0\.1/);
});

test("the server closing the connection without an answer → transient MAPI_E_NETWORK_ERROR", async (t) => {
  const srv = await startHttpServer(t, (req) => {
    req.req.socket.destroy();
  });
  const err = await sendRejects(httpTransport({ url: srv.url }));
  checkMapi(err, "MAPI_E_NETWORK_ERROR");
  assert.equal(err.status, 0);
  assert.equal(srv.requests.length, 1);
});

test("abort via signal: the pending request is cancelled and send rejects with a transient MAPI_E_NETWORK_ERROR", async (t) => {
  let closedByClient;
  const seen = new Promise((resolve) => {
    closedByClient = resolve;
  });
  let arrived;
  const arrivedP = new Promise((r) => (arrived = r));
  const srv = await startHttpServer(t, (req, res) => {
    res.on("close", () => closedByClient(true)); // never answers
    arrived();
  });
  const ac = new AbortController();
  const p = httpTransport({ url: srv.url }).send(outgoing(), { signal: ac.signal });
  await arrivedP;
  ac.abort(new Error("spooler timeout"));
  const err = await p.then(
    () => assert.fail("send must reject after the abort"),
    (e) => e,
  );
  checkMapi(err, "MAPI_E_NETWORK_ERROR", /abort/i);
  assert.equal(err.status, 0);
  assert.equal(await seen, true, "the server must see the connection closed");
});

test("a signal aborted before send: rejects at once, nothing reaches the server", async (t) => {
  const srv = await startHttpServer(t);
  const ac = new AbortController();
  ac.abort();
  const err = await sendRejects(httpTransport({ url: srv.url }), outgoing(), ac.signal);
  checkMapi(err, "MAPI_E_NETWORK_ERROR", /abort/i);
  assert.equal(srv.requests.length, 0);
});

// ---------------------------------------------------------------------------------------
// permanent

for (const status of [400, 403, 404, 413, 422]) {
  test(`${status} rejects with a permanent MAPI_E_CANCEL naming the status and the start of the body`, async (t) => {
    const srv = await startHttpServer(t, answer(status, `  relay\n refused:\t${status}-reason  `));
    const err = await sendRejects(httpTransport({ url: srv.url }));
    checkMapi(err, "MAPI_E_CANCEL", [String(status), `relay refused: ${status}-reason`]);
    assert.equal(err.code, ErrorCode.MAPI_E_CANCEL);
    assert.equal(err.status, status);
    assert.equal(err.retryAfterMs, undefined);
  });
}

test("a huge error body is cut to a snippet in the message", async (t) => {
  const srv = await startHttpServer(t, answer(400, "x".repeat(1_000_000)));
  const err = await sendRejects(httpTransport({ url: srv.url }));
  checkMapi(err, "MAPI_E_CANCEL", "400");
  assert.ok(err.message.length < 400, `message length ${err.message.length}`);
});

test("error messages show the URL without its query string (it may hold a key)", async (t) => {
  const srv = await startHttpServer(t, answer(403, "no"));
  const err = await sendRejects(httpTransport({ url: srv.url + "?api_key=TOPSECRET" }));
  checkMapi(err, "MAPI_E_CANCEL", "/send");
  assert.ok(!err.message.includes("TOPSECRET"), err.message);
  assert.equal(srv.requests[0].url, "/send?api_key=TOPSECRET");
});

// ---------------------------------------------------------------------------------------
// options

test("options: url is required; bad values → MAPI_E_INVALID_PARAMETER naming the option", () => {
  assertMapiError(() => httpTransport(), "MAPI_E_INVALID_PARAMETER", "options");
  assertMapiError(() => httpTransport(null), "MAPI_E_INVALID_PARAMETER", "options");
  assertMapiError(() => httpTransport("http://x.example/"), "MAPI_E_INVALID_PARAMETER", "options");
  assertMapiError(() => httpTransport({}), "MAPI_E_INVALID_PARAMETER", "url");
  assertMapiError(() => httpTransport({ url: "" }), "MAPI_E_INVALID_PARAMETER", "url");
  assertMapiError(() => httpTransport({ url: 42 }), "MAPI_E_INVALID_PARAMETER", "url");
  assertMapiError(() => httpTransport({ url: "not a url" }), "MAPI_E_INVALID_PARAMETER", "url");
  assertMapiError(() => httpTransport({ url: "/relative/in/node" }), "MAPI_E_INVALID_PARAMETER", "url");
  assertMapiError(() => httpTransport({ url: "ftp://x.example/" }), "MAPI_E_INVALID_PARAMETER", "url");
  assertMapiError(() => httpTransport({ url: "https://user:pw@x.example/" }), "MAPI_E_INVALID_PARAMETER", ["url", "credentials"]);
  assertMapiError(() => httpTransport({ url: "http://x.example/", urll: 1 }), "MAPI_E_INVALID_PARAMETER", "urll");
  assertMapiError(() => httpTransport({ url: "http://x.example/", name: "" }), "MAPI_E_INVALID_PARAMETER", "name");
  assertMapiError(() => httpTransport({ url: "http://x.example/", name: 5 }), "MAPI_E_INVALID_PARAMETER", "name");
  assertMapiError(() => httpTransport({ url: "http://x.example/", addressTypes: [] }), "MAPI_E_INVALID_PARAMETER", "addressTypes");
  assertMapiError(() => httpTransport({ url: "http://x.example/", addressTypes: "SMTP" }), "MAPI_E_INVALID_PARAMETER", "addressTypes");
  assertMapiError(() => httpTransport({ url: "http://x.example/", addressTypes: [""] }), "MAPI_E_INVALID_PARAMETER", "addressTypes");
  assertMapiError(() => httpTransport({ url: "http://x.example/", fetch: "fetch" }), "MAPI_E_INVALID_PARAMETER", "fetch");
  assertMapiError(() => httpTransport({ url: "http://x.example/", headers: "Authorization: x" }), "MAPI_E_INVALID_PARAMETER", "headers");
  assertMapiError(() => httpTransport({ url: "http://x.example/", headers: { "Bad Name": "x" } }), "MAPI_E_INVALID_PARAMETER", "headers");
  assertMapiError(() => httpTransport({ url: "http://x.example/", headers: { "X-A": "a\r\nX-Injected: 1" } }), "MAPI_E_INVALID_PARAMETER", "headers");
  assertMapiError(() => httpTransport({ url: "http://x.example/", headers: { "X-A": {} } }), "MAPI_E_INVALID_PARAMETER", "headers");
  // fine: a URL object, https
  assert.equal(httpTransport({ url: new URL("https://x.example/send") }).name, "http");
});

test("send with an outgoing that has no MIME bytes rejects (MAPI_E_INVALID_PARAMETER), it does not throw synchronously", async () => {
  const tr = httpTransport({ url: "http://127.0.0.1:1/send", fetch: async () => assert.fail("must not fetch") });
  const p = tr.send(outgoing({ mime: "text" }), { signal: new AbortController().signal });
  assert.ok(p instanceof Promise);
  checkMapi(await p.catch((e) => e), "MAPI_E_INVALID_PARAMETER", "mime");
});

test("a server on 127.0.0.1 that answers slowly still gets exactly one request per send", async (t) => {
  const srv = await startHttpServer(t, async (_req, res) => {
    await new Promise((r) => setTimeout(r, 30));
    res.end();
  });
  const tr = httpTransport({ url: srv.url });
  await Promise.all([1, 2, 3].map((n) => tr.send(outgoing({ submissionId: `s-${n}` }), { signal: new AbortController().signal })));
  assert.deepEqual(srv.requests.map((r) => r.headers["idempotency-key"]).sort(), ["s-1", "s-2", "s-3"]);
});

test("options made in another realm (an iframe, a vm context) are plain objects too", async () => {
  const { runInNewContext } = await import("node:vm");
  const options = runInNewContext('({ url: "http://127.0.0.1:1/send", name: "from-another-realm" })');
  assert.notEqual(Object.getPrototypeOf(options), Object.prototype, "really another realm");
  const t = httpTransport(options);
  assert.equal(t.name, "from-another-realm");
  const j = jmapTransport(runInNewContext('({ sessionUrl: "http://127.0.0.1:1/jmap" })'));
  assert.equal(typeof j.send, "function");
  // A class instance is still refused.
  assert.throws(() => httpTransport(new (class Opts { url = "http://127.0.0.1:1/" })()), (e) => e.codeName === "MAPI_E_INVALID_PARAMETER");
});
