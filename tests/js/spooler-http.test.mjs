// End to end: a store whose spooler sends through httpTransport to a real HTTP server on
// 127.0.0.1; the server receives each message once, with the submission's Idempotency-Key,
// and an independent parser (mailparser) reads it back.
import { test } from "node:test";
import assert from "node:assert/strict";
import { simpleParser } from "mailparser";
import { httpTransport } from "mapi-outbox";
import { ME, openSpoolStore, startHttpServer, events, recipient, newMessage } from "./helpers.mjs";

const sentOf = (store, id, ms) => events(store).wait("sent", id, ms);

async function submitFull(store) {
  const msg = newMessage(store, "Отчёт за квартал", [
    recipient("to@example.org", 1, "Иван Петров"),
    recipient("cc@example.org", 2),
    recipient("hidden@example.org", 3, "Hidden"),
  ]);
  msg.setProps({ PidTagBody: "Привет!\r\nSee attached." });
  const bytes = new Uint8Array(3000).map((_, i) => (i * 7) % 256);
  const att = msg.createAttach();
  att.setProps({ PidTagAttachLongFilename: "отчёт.bin", PidTagAttachMimeTag: "application/octet-stream", PidTagAttachDataBinary: bytes });
  att.saveChanges();
  att.free();
  const id = msg.entryId;
  await msg.submit();
  msg.free();
  return { id, bytes };
}

test("e2e: store → spooler → httpTransport → local HTTP server: received once, right key and envelope, parses", async (t) => {
  const srv = await startHttpServer(t, (_req, res) => {
    res.writeHead(202);
    res.end();
  });
  const store = await openSpoolStore(t, { transports: [httpTransport({ url: srv.url })] });
  const { id, bytes } = await submitFull(store);
  const sent = await sentOf(store, id);
  await store.flush();
  assert.equal(srv.requests.length, 1, "delivered exactly once");
  const [r] = srv.requests;
  const { submissionId } = events(store).of("submitted", id)[0].detail;
  assert.equal(r.method, "POST");
  assert.equal(r.headers["content-type"], "message/rfc822");
  assert.equal(r.headers["idempotency-key"], submissionId);
  assert.equal(sent.detail.submissionId, submissionId);
  assert.equal(r.headers["x-mail-from"], ME);
  assert.deepEqual(r.headers["x-rcpt-to"].split(",").map((s) => decodeURIComponent(s.trim())), [
    "to@example.org",
    "cc@example.org",
    "hidden@example.org",
  ]);
  assert.equal(r.headers["x-attempt"], "1");
  assert.equal(r.headers["x-possible-duplicate"], "false");
  assert.match(r.headers["x-message-id"], /^<.+@.+>$/);

  const mail = await simpleParser(r.body);
  assert.equal(mail.subject, "Отчёт за квартал");
  assert.equal(mail.messageId, r.headers["x-message-id"]);
  assert.equal(mail.from.value[0].address, ME);
  assert.deepEqual(mail.to.value.map((a) => a.address), ["to@example.org"]);
  assert.equal(mail.to.value[0].name, "Иван Петров");
  assert.deepEqual(mail.cc.value.map((a) => a.address), ["cc@example.org"]);
  assert.equal(mail.bcc, undefined, "no Bcc header");
  assert.ok(!mail.headers.has("bcc"));
  assert.match(mail.text, /Привет!/);
  assert.equal(mail.attachments.length, 1);
  assert.equal(mail.attachments[0].filename, "отчёт.bin");
  assert.deepEqual(new Uint8Array(mail.attachments[0].content), bytes);

  // the sent copy carries the same Message-ID
  const copy = await store.openMessage(sent.detail.sentEntryId, { access: "read" });
  assert.equal(copy.getProps(["PidTagInternetMessageId"]).PidTagInternetMessageId, r.headers["x-message-id"]);
  copy.free();
});

test("e2e: 503 with Retry-After: 0, then 202 → retried once with the same Idempotency-Key, X-Attempt 1 then 2", async (t) => {
  let n = 0;
  const srv = await startHttpServer(t, (_req, res) => {
    if (++n === 1) {
      res.writeHead(503, { "Retry-After": "0" });
      res.end("maintenance");
    } else {
      res.writeHead(202);
      res.end();
    }
  });
  const store = await openSpoolStore(t, { transports: [httpTransport({ url: srv.url })], retry: { initialMs: 60_000, maxMs: 60_000 } });
  const msg = newMessage(store, "retry over http");
  const id = msg.entryId;
  await msg.submit();
  await sentOf(store, id);
  assert.equal(srv.requests.length, 2);
  assert.equal(srv.requests[0].headers["idempotency-key"], srv.requests[1].headers["idempotency-key"]);
  assert.deepEqual(srv.requests.map((r) => r.headers["x-attempt"]), ["1", "2"]);
  assert.deepEqual(srv.requests[0].body, srv.requests[1].body);
  const [retry] = events(store).of("retry", id);
  assert.match(retry.detail.error, /^MAPI_E_WAIT: .*503/);
});

test("e2e: the server is down (connection refused) → the message stays queued, retrying, with lastError", async (t) => {
  const srv = await startHttpServer(t);
  const url = srv.url;
  await srv.close();
  const store = await openSpoolStore(t, { transports: [httpTransport({ url })], retry: { initialMs: 60_000, maxMs: 60_000 } });
  const msg = newMessage(store, "offline");
  const id = msg.entryId;
  await msg.submit();
  await events(store).wait("retry", id);
  const [row] = await store.outgoingQueue();
  assert.equal(row.entryId, id);
  assert.equal(row.attempts, 1);
  assert.match(row.lastError, /^MAPI_E_NETWORK_ERROR: /);
  await store.abortSubmit(id);
});

test("e2e: 422 → permanent: an NDR naming the status, the message finished, no resend", async (t) => {
  const srv = await startHttpServer(t, (_req, res) => {
    res.writeHead(422, { "Content-Type": "text/plain" });
    res.end("message rejected: spam score too high");
  });
  const store = await openSpoolStore(t, { transports: [httpTransport({ url: srv.url })] });
  const msg = newMessage(store, "spammy", [recipient("x@example.org")]);
  const id = msg.entryId;
  await msg.submit();
  const ndr = await events(store).wait("ndr", id);
  await sentOf(store, id);
  await store.flush();
  assert.equal(srv.requests.length, 1);
  assert.deepEqual(ndr.detail.recipients.map((r) => r.email), ["x@example.org"]);
  assert.match(ndr.detail.recipients[0].reason, /422/);
  assert.match(ndr.detail.recipients[0].reason, /spam score/);
});

test("e2e: a JSON partial failure from the server → NDR for that recipient only", async (t) => {
  const srv = await startHttpServer(t, (_req, res) => {
    res.writeHead(200, { "Content-Type": "application/json" });
    res.end(JSON.stringify({ failed: [{ email: "nobody@example.org", reason: "550 5.1.1 user unknown" }] }));
  });
  const store = await openSpoolStore(t, { transports: [httpTransport({ url: srv.url })] });
  const msg = newMessage(store, "partial", [recipient("somebody@example.org"), recipient("nobody@example.org")]);
  const id = msg.entryId;
  await msg.submit();
  const ndr = await events(store).wait("ndr", id);
  await sentOf(store, id);
  assert.deepEqual(ndr.detail.recipients, [{ email: "nobody@example.org", reason: "550 5.1.1 user unknown" }]);
  assert.equal(srv.requests.length, 1);
});

test("e2e: 20 messages through httpTransport each reach the server once (distinct Idempotency-Keys)", async (t) => {
  const srv = await startHttpServer(t);
  const store = await openSpoolStore(t, { transports: [httpTransport({ url: srv.url })] });
  for (let i = 0; i < 20; i++) {
    const msg = newMessage(store, `n${i}`);
    await msg.submit();
    msg.free();
  }
  await store.flush();
  const keys = srv.requests.map((r) => r.headers["idempotency-key"]);
  assert.equal(keys.length, 20);
  assert.equal(new Set(keys).size, 20);
  assert.deepEqual(new Set(keys), new Set(events(store).of("submitted").map((e) => e.detail.submissionId)));
});

test("e2e: httpTransport as the tightly coupled transport (spooler: false): delivered once, `sending` names it", async (t) => {
  const srv = await startHttpServer(t);
  const store = await openSpoolStore(t, { transport: httpTransport({ url: srv.url, name: "relay" }), spooler: false });
  const msg = newMessage(store, "coupled over http", [recipient("c@example.org")]);
  const id = msg.entryId;
  await msg.submit();
  await sentOf(store, id);
  assert.equal(srv.requests.length, 1);
  assert.equal(srv.requests[0].headers["x-rcpt-to"], "c@example.org");
  assert.equal(events(store).of("sending", id)[0].detail.transport, "relay");
  assert.equal(srv.requests[0].headers["idempotency-key"], events(store).of("submitted", id)[0].detail.submissionId);
});
