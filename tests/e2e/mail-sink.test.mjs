// The demo's mail sink (scripts/mail-sink.mjs) on its own, over HTTP, without a browser:
// storage as .eml, dedupe by Idempotency-Key, the offline and slow switches, refused
// .invalid recipients, the listing, and picking up its folder again after a restart.
// Also: the reference httpTransport reads its answers as the spooler needs.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { httpTransport, ErrorCode } from "mapi-outbox";
import { startMailSink, decodeWords } from "../../scripts/mail-sink.mjs";

let dir;
let sink;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), "mapi-outbox-sink-test-"));
  sink = await startMailSink({ dir, retryAfterSeconds: 7 });
});

after(async () => {
  await sink?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

const MIME = (subject) =>
  Buffer.from(`From: <me@example.org>\r\nTo: <a@example.org>\r\nSubject: ${subject}\r\n\r\nbody\r\n`);

function post(key, subject, { rcpt = "a@example.org", type = "message/rfc822" } = {}) {
  return fetch(`${sink.url}messages`, {
    method: "POST",
    headers: {
      "Content-Type": type,
      "Idempotency-Key": key,
      "X-Mail-From": "me@example.org",
      "X-Rcpt-To": rcpt,
      "X-Message-Id": `<${key}@example.org>`,
      "X-Attempt": "1",
      "X-Possible-Duplicate": "false",
    },
    body: MIME(subject),
  });
}

const emlFiles = async () => (await readdir(dir)).filter((f) => f.endsWith(".eml")).sort();

test("stores a message as an .eml and lists it; a repeated Idempotency-Key is not stored again", async () => {
  const res = await post("key-1", "=?utf-8?B?0J/RgNC40LLQtdGC?= one");
  assert.equal(res.status, 200);
  const body = await res.json();
  assert.equal(body.duplicate, false);
  const files = await emlFiles();
  assert.deepEqual(files, [`${body.id}-key-1.eml`]);
  assert.deepEqual(await readFile(join(dir, files[0])), MIME("=?utf-8?B?0J/RgNC40LLQtdGC?= one"));

  const again = await post("key-1", "whatever");
  assert.equal(again.status, 200);
  assert.equal((await again.json()).duplicate, true);
  assert.equal((await emlFiles()).length, 1, "stored once");

  const list = await (await fetch(`${sink.url}messages`)).json();
  assert.equal(list.length, 1);
  assert.equal(list[0].subject, "Привет one", "encoded words are decoded for the listing");
  assert.deepEqual(list[0].rcptTo, ["a@example.org"]);
  assert.equal(list[0].duplicates, 1);
  const raw = await fetch(`${sink.url}messages/${list[0].id}`);
  assert.equal(raw.status, 200);
  assert.match(await raw.text(), /^From: <me@example\.org>/);
});

test("offline: 503 with Retry-After, nothing stored; httpTransport reads it as MAPI_E_WAIT with retryAfterMs", async () => {
  const put = await fetch(`${sink.url}state`, {
    method: "PUT",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ offline: true }),
  });
  assert.equal((await put.json()).offline, true);
  const before = (await emlFiles()).length;
  const res = await post("key-2", "refused");
  assert.equal(res.status, 503);
  assert.equal(res.headers.get("retry-after"), "7");
  await res.arrayBuffer();

  const transport = httpTransport({ url: `${sink.url}messages` });
  const outgoing = {
    submissionId: "key-3",
    entryId: "00",
    messageId: "<key-3@example.org>",
    mime: new Uint8Array(MIME("via transport")),
    mailFrom: "me@example.org",
    rcptTo: ["a@example.org"],
    recipients: [],
    attempt: 1,
    possibleDuplicate: false,
  };
  await assert.rejects(transport.send(outgoing, { signal: new AbortController().signal }), (err) => {
    assert.equal(err.code, ErrorCode.MAPI_E_WAIT);
    assert.equal(err.retryAfterMs, 7000);
    return true;
  });
  assert.equal((await emlFiles()).length, before);

  sink.sink.setState({ offline: false });
  await transport.send(outgoing, { signal: new AbortController().signal });
  assert.equal((await emlFiles()).length, before + 1);
});

test(".invalid recipients are refused for good; the message is stored for the others", async () => {
  const res = await post("key-4", "partly", { rcpt: "a@example.org, x%40y@nowhere.invalid" });
  const body = await res.json();
  assert.equal(res.status, 200);
  assert.deepEqual(body.failed.map((f) => f.email), ["x@y@nowhere.invalid"]);
  assert.ok(body.id);
  const all = await post("key-5", "all refused", { rcpt: "b@nowhere.invalid" });
  const allBody = await all.json();
  assert.equal(allBody.id, undefined, "nothing stored when every recipient is refused");
  assert.equal(allBody.failed.length, 1);
});

test("slow: a held request answers 409 to the same key meanwhile, and goes through when released", async () => {
  sink.sink.setState({ delayMs: 600_000 });
  const held = post("key-6", "held");
  while (sink.sink.state().inProgress === 0) await new Promise((ok) => setImmediate(ok));
  // The same key while the first is held: in progress.
  const second = await post("key-6", "held again");
  assert.equal(second.status, 409);
  await second.arrayBuffer();
  sink.sink.setState({ delayMs: 0 });
  const first = await held;
  assert.equal(first.status, 200);
  assert.equal((await first.json()).duplicate, false);
});

test("refuses what is not a message, and bad switches", async () => {
  const wrongType = await post("key-7", "x", { type: "text/plain" });
  assert.equal(wrongType.status, 415);
  await wrongType.arrayBuffer();
  const noKey = await fetch(`${sink.url}messages`, { method: "POST", headers: { "Content-Type": "message/rfc822" }, body: "x" });
  assert.equal(noKey.status, 400);
  await noKey.arrayBuffer();
  const bad = await fetch(`${sink.url}state`, {
    method: "PUT",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ offline: "yes" }),
  });
  assert.equal(bad.status, 400);
  await bad.arrayBuffer();
  const form = await fetch(`${sink.url}state`, { method: "PUT", body: "offline=true" });
  assert.equal(form.status, 415, "a simple (form-like) request cannot flip the switch");
  await form.arrayBuffer();
  assert.equal(sink.sink.state().offline, false);
});

test("a restarted sink picks up its folder: listing and dedupe survive", async () => {
  const count = sink.sink.list().length;
  const again = await startMailSink({ dir });
  try {
    assert.equal(again.sink.list().length, count);
    const res = await fetch(`${again.url}messages`, {
      method: "POST",
      headers: { "Content-Type": "message/rfc822", "Idempotency-Key": "key-1" },
      body: MIME("once more"),
    });
    assert.equal((await res.json()).duplicate, true);
    const fresh = await fetch(`${again.url}messages`, {
      method: "POST",
      headers: { "Content-Type": "message/rfc822", "Idempotency-Key": "key-new" },
      body: MIME("new"),
    });
    const body = await fresh.json();
    assert.ok(Number(body.id) > count, "numbering goes on after the stored ones");
  } finally {
    await again.close();
  }
});

test("decodeWords: B and Q encoded words, adjacent words joined", () => {
  assert.equal(decodeWords("=?UTF-8?Q?caf=C3=A9_au_lait?="), "café au lait");
  assert.equal(decodeWords("=?utf-8?B?0J/RgA==?= =?utf-8?B?0LjQstC10YI=?="), "Привет");
  assert.equal(decodeWords("plain"), "plain");
});
