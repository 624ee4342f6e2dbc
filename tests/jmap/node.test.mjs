// jmapTransport (SPEC §8) against a real Cyrus 3.6 JMAP server and a real SMTP relay, from
// Node, through the built package imported by name. `scripts/test.sh jmap` starts Cyrus
// (scripts/cyrus.sh) on 127.0.0.1:18080; this file runs the relay (scripts/smtp-relay.mjs)
// on 127.0.0.1:18025 itself, so it can refuse recipients and stop it.
import { after, before, beforeEach, test } from "node:test";
import assert from "node:assert/strict";
import { Store, MapiError, jmapTransport } from "mapi-outbox";
import { startSmtpRelay } from "../../scripts/smtp-relay.mjs";

const HTTP = `http://127.0.0.1:${process.env.CYRUS_HTTP_PORT || 18080}`;
const SESSION = `${HTTP}/jmap`;
const ALICE = "alice@example.test";
const basic = (user, pw) => "Basic " + Buffer.from(`${user}:${pw}`).toString("base64");
const AUTH = { Authorization: basic(ALICE, "alice-pw") };
const FAST = { initialMs: 50, maxMs: 200 };

let relay;
before(async () => {
  const ok = await fetch(`${SESSION}`, { headers: AUTH }).then((r) => r.ok, () => false);
  if (!ok) throw new Error(`Cyrus does not answer at ${SESSION}: run \`bash scripts/cyrus.sh start\` (scripts/test.sh jmap does)`);
  relay = await startSmtpRelay({ port: Number(process.env.CYRUS_SMTP_PORT) || 18025 });
});
after(async () => relay?.close());
beforeEach(async () => {
  await relay.start();
  relay.received.length = 0;
  relay.refuseRcpt.clear();
  relay.refuseMailFrom = null;
});

/** Calls the JMAP API as alice, outside the transport. */
async function jmap(calls) {
  const r = await fetch(`${HTTP}/jmap/`, {
    method: "POST",
    headers: { ...AUTH, "content-type": "application/json" },
    body: JSON.stringify({ using: ["urn:ietf:params:jmap:core", "urn:ietf:params:jmap:mail", "urn:ietf:params:jmap:submission"], methodCalls: calls }),
  });
  return (await r.json()).methodResponses;
}

async function open(t, transport, extra = {}) {
  const store = await Store.open({ identity: { email: ALICE, name: "Alice" }, transports: [transport], retry: FAST, ...extra });
  t.after(() => store.close().catch(() => {}));
  const seen = { retry: [], ndr: [], sent: [] };
  for (const k of Object.keys(seen)) store.addEventListener(k, (e) => seen[k].push(e.detail));
  store.seen = seen;
  return store;
}

async function send(store, subject, rcpts) {
  const m = store.createMessage();
  m.setProps({ PidTagSubject: subject, PidTagBody: `body of ${subject}` });
  m.modifyRecipients(
    "add",
    rcpts.map(([type, email]) => ({ PidTagRecipientType: type, PidTagEmailAddress: email })),
  );
  const id = m.entryId;
  await m.submit();
  return id;
}

const uniq = (tag) => `${tag}-${process.pid}-${Date.now()}-${Math.random().toString(36).slice(2, 7)}`;
const ofSubject = (subject) => relay.received.filter((r) => r.data.toString("latin1").includes(`Subject: ${subject}`));

async function until(what, fn, ms = 15_000) {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

test("To, Cc and Bcc all reach the SMTP envelope, the data has no Bcc header, and the Email is in Sent without $draft", async (t) => {
  const tr = jmapTransport({ sessionUrl: SESSION, headers: AUTH });
  const store = await open(t, tr);
  const subject = uniq("envelope");
  await send(store, subject, [[1, "to@example.org"], [2, "cc@example.org"], [3, "hidden@example.org"]]);
  assert.deepEqual(await store.flush(), { remaining: 0, nextDueAt: null });
  const [msg, ...more] = ofSubject(subject);
  assert.equal(more.length, 0, "relayed once");
  assert.equal(msg.mailFrom, ALICE);
  assert.deepEqual([...msg.rcptTo].sort(), ["cc@example.org", "hidden@example.org", "to@example.org"]);
  const text = msg.data.toString("latin1");
  assert.doesNotMatch(text, /\r\nBcc:/i, "no Bcc header in the data");
  assert.doesNotMatch(text, /hidden@example\.org/, "the Bcc address is nowhere in the data");
  const [[, mb]] = await jmap([["Mailbox/get", { accountId: ALICE, properties: ["role"] }, "m"]]);
  const sent = mb.list.find((b) => b.role === "sent").id;
  const drafts = mb.list.find((b) => b.role === "drafts").id;
  // (Cyrus here has no search index: its subject filter fails, so filter by hand.)
  const res = await jmap([
    ["Email/query", { accountId: ALICE, sort: [{ property: "receivedAt", isAscending: false }], limit: 100 }, "q"],
    ["Email/get", { accountId: ALICE, "#ids": { resultOf: "q", name: "Email/query", path: "/ids" }, properties: ["mailboxIds", "keywords", "subject"] }, "g"],
  ]);
  const emails = res[1][1].list.filter((e) => e.subject === subject);
  assert.equal(emails.length, 1);
  assert.equal(emails[0].mailboxIds[sent], true, "in Sent");
  assert.equal(emails[0].mailboxIds[drafts], undefined, "not in Drafts");
  assert.equal(emails[0].keywords.$draft, undefined, "no $draft");
  assert.equal(store.seen.sent.length, 1);
});

test("a recipient refused 550 5.1.1: the others are delivered and one NDR names the refused one", async (t) => {
  const store = await open(t, jmapTransport({ sessionUrl: SESSION, headers: AUTH }));
  relay.refuseRcpt.set("nobody@example.org", "550 5.1.1 no such user here");
  const subject = uniq("refused");
  await send(store, subject, [[1, "ok1@example.org"], [1, "nobody@example.org"], [2, "ok2@example.org"]]);
  await store.flush();
  const got = ofSubject(subject);
  assert.equal(got.length, 1);
  assert.deepEqual([...got[0].rcptTo].sort(), ["ok1@example.org", "ok2@example.org"]);
  assert.equal(store.seen.ndr.length, 1);
  assert.deepEqual(store.seen.ndr[0].recipients.map((r) => r.email), ["nobody@example.org"]);
  assert.match(store.seen.ndr[0].recipients[0].reason, /invalidRecipients/);
});

test("the SMTP relay down: retry events, then delivered once when it is back", async (t) => {
  await relay.stop();
  const store = await open(t, jmapTransport({ sessionUrl: SESSION, headers: AUTH }));
  const subject = uniq("relay-down");
  await send(store, subject, [[1, "later@example.org"]]);
  await until("two failed attempts", () => store.seen.retry.length >= 2);
  assert.equal(store.seen.sent.length, 0);
  await relay.start();
  await until("the delivery", () => store.seen.sent.length === 1);
  await store.flush();
  assert.equal(ofSubject(subject).length, 1, "exactly once");
});

test("a 451 4.3.0 from the relay is transient: retried, then delivered once", async (t) => {
  relay.refuseRcpt.set("busy@example.org", "451 4.3.0 try again later");
  const store = await open(t, jmapTransport({ sessionUrl: SESSION, headers: AUTH }));
  const subject = uniq("451");
  await send(store, subject, [[1, "busy@example.org"]]);
  await until("a retry", () => store.seen.retry.length >= 1);
  assert.match(store.seen.retry[0].error, /forbiddenToSend|4\.3\.0|451/);
  relay.refuseRcpt.clear();
  await until("the delivery", () => store.seen.sent.length === 1);
  assert.equal(store.seen.ndr.length, 0, "nobody failed for good");
  assert.equal(ofSubject(subject).length, 1);
});

test("MAIL FROM refused 553 5.7.1: every recipient fails for good, with the server's reason", async (t) => {
  relay.refuseMailFrom = "553 5.7.1 sender not allowed";
  const store = await open(t, jmapTransport({ sessionUrl: SESSION, headers: AUTH }));
  const subject = uniq("553");
  await send(store, subject, [[1, "x1@example.org"], [2, "x2@example.org"]]);
  await store.flush();
  assert.equal(store.seen.retry.length, 0, "not retried");
  assert.equal(store.seen.ndr.length, 1);
  assert.deepEqual(store.seen.ndr[0].recipients.map((r) => r.email).sort(), ["x1@example.org", "x2@example.org"]);
  // Cyrus reports a refused MAIL FROM as a SetError without the reply text.
  assert.match(store.seen.ndr[0].recipients[0].reason, /refused by the server \((invalidRecipients|smtpProtocolError|forbiddenMailFrom)/);
  assert.equal(ofSubject(subject).length, 0);
});

test("the answer lost after the server accepted: the retry asks first and the message is delivered once", async (t) => {
  let cut = 0;
  const lossy = async (url, init) => {
    const res = await fetch(url, init);
    if (cut === 0 && typeof init?.body === "string" && init.body.includes("EmailSubmission/set")) {
      cut++;
      await res.arrayBuffer();
      throw new TypeError("network connection lost (after the server answered)");
    }
    return res;
  };
  const store = await open(t, jmapTransport({ sessionUrl: SESSION, headers: AUTH, fetch: lossy }));
  const subject = uniq("lost-answer");
  await send(store, subject, [[1, "once@example.org"]]);
  await until("the delivery", () => store.seen.sent.length === 1);
  assert.equal(cut, 1);
  assert.ok(store.seen.retry.length >= 1, "the lost answer was a transient failure");
  await new Promise((r) => setTimeout(r, 300));
  assert.equal(ofSubject(subject).length, 1, "delivered exactly once");
});

test("a wrong password is transient; fresh credentials from the headers function deliver it once", async (t) => {
  let pw = "wrong";
  let calls = 0;
  const tr = jmapTransport({
    sessionUrl: SESSION,
    headers: async () => {
      calls++;
      return { Authorization: basic(ALICE, pw) };
    },
  });
  const store = await open(t, tr);
  const subject = uniq("password");
  await send(store, subject, [[1, "pw@example.org"]]);
  await until("two failed attempts", () => store.seen.retry.length >= 2);
  assert.match(store.seen.retry[0].error, /401|credentials/);
  assert.equal((await store.outgoingQueue()).length, 1, "the message waits, never dropped");
  pw = "alice-pw";
  await until("the delivery", () => store.seen.sent.length === 1);
  assert.ok(calls >= 3, "headers() is asked for every request");
  assert.equal(ofSubject(subject).length, 1);
});

test("requests per message: 2, plus 2 for the first message (session, mailboxes and identities)", async (t) => {
  const tr = jmapTransport({ sessionUrl: SESSION, headers: AUTH });
  const store = await open(t, tr);
  const subject = uniq("count");
  for (let i = 0; i < 5; i++) await send(store, `${subject} ${i}`, [[1, `n${i}@example.org`]]);
  await store.flush();
  assert.equal(store.seen.sent.length, 5);
  assert.equal(tr.requests, 2 + 5 * 2);
});

test("an identityId the server does not know: the message fails for good, nothing is sent as someone else", async (t) => {
  const tr = jmapTransport({ sessionUrl: SESSION, headers: AUTH, identityId: "nobody@example.test" });
  const store = await open(t, tr);
  const subject = uniq("identity");
  await send(store, subject, [[1, "id@example.org"]]);
  await store.flush();
  assert.equal(store.seen.ndr.length, 1, `one NDR (retries: ${JSON.stringify(store.seen.retry)})`);
  assert.match(store.seen.ndr[0].recipients[0].reason, /refused by the server/);
  assert.equal(ofSubject(subject).length, 0);
});

test("bad options are refused at once with MAPI_E_INVALID_PARAMETER naming the option", () => {
  const bad = [
    [undefined, /options/],
    [{}, /sessionUrl/],
    [{ sessionUrl: 42 }, /sessionUrl/],
    [{ sessionUrl: "not a url" }, /sessionUrl/],
    [{ sessionUrl: "ftp://x/jmap" }, /sessionUrl/],
    [{ sessionUrl: SESSION, headers: "x" }, /headers/],
    [{ sessionUrl: SESSION, headers: { "bad name": "v" } }, /header name/],
    [{ sessionUrl: SESSION, fetch: 1 }, /fetch/],
    [{ sessionUrl: SESSION, sentMailbox: "" }, /sentMailbox/],
    [{ sessionUrl: SESSION, draftsMailbox: null }, /draftsMailbox/],
    [{ sessionUrl: SESSION, addressTypes: [] }, /addressTypes/],
    [{ sessionUrl: SESSION, sesionUrl: "x" }, /sesionUrl/],
  ];
  for (const [o, re] of bad) {
    assert.throws(
      () => jmapTransport(o),
      (e) => e instanceof MapiError && e.codeName === "MAPI_E_INVALID_PARAMETER" && re.test(e.message),
      `jmapTransport(${JSON.stringify(o)})`,
    );
  }
  const ok = jmapTransport({ sessionUrl: SESSION, sentMailbox: null, name: "j", addressTypes: ["SMTP", "X"] });
  assert.equal(ok.name, "j");
  assert.deepEqual(ok.addressTypes, ["SMTP", "X"]);
});
