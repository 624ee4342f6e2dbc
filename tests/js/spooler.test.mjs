// SPEC §6 (and DECISIONS "Transports and the spooler"): registering transports, choosing
// them by address type, submit order, stuck calls, locking, and the outgoing object.
// Against the built package, memory backend.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Store, MapiError, ErrorCode, SubmitFlags } from "mapi-outbox";
import {
  ME,
  ENTRY_ID_RE,
  FAST_RETRY,
  assertMapiError,
  rejectsMapi,
  openSpoolStore,
  fakeTransport,
  deferred,
  waitForEvent,
  events,
  recordEvents,
  until,
  settle,
  sleep,
  recipient,
  newMessage,
  queued,
  mimeHeaders,
  latin1,
} from "./helpers.mjs";

const fax = (number = "+15551234567") => ({ PidTagRecipientType: 1, PidTagAddressType: "FAX", PidTagEmailAddress: number });

/** Submits and resolves with { id, submissionId } from the `submitted` event. */
async function submitted(store, subject = "hello", recipients = [recipient()]) {
  const msg = newMessage(store, subject, recipients);
  const id = msg.entryId;
  const ev = waitForEvent(store, "submitted", (e) => e.detail.entryId === id);
  await msg.submit();
  msg.free();
  return { id, submissionId: (await ev).detail.submissionId };
}

const sentOf = (store, id, ms) => events(store).wait("sent", id, ms);

// ---------------------------------------------------------------------------------------
// registration

test("registerTransport: a loosely coupled transport sends a submitted message (sync call, returns undefined)", async (t) => {
  const store = await openSpoolStore(t);
  const tr = fakeTransport();
  assert.equal(store.registerTransport(tr), undefined);
  const { id } = await submitted(store, "loose");
  await sentOf(store, id);
  assert.equal(tr.calls.length, 1);
  assert.equal(tr.calls[0].outgoing.entryId, id);
  assert.deepEqual(await store.outgoingQueue(), []);
});

test("Store.open({ transports }): the transports are used as if registered in order", async (t) => {
  const a = fakeTransport({ name: "a" });
  const b = fakeTransport({ name: "b" });
  const store = await openSpoolStore(t, { transports: [a, b] });
  const { id } = await submitted(store);
  await sentOf(store, id);
  assert.equal(a.calls.length, 1, "the first registered transport that takes SMTP gets it");
  assert.equal(b.calls.length, 0);
});

test("messages queued before any transport was registered go out once one is registered", async (t) => {
  const store = await openSpoolStore(t);
  const id = await queued(store, "early");
  await settle();
  assert.equal((await store.outgoingQueue()).length, 1);
  const tr = fakeTransport();
  const sent = sentOf(store, id);
  store.registerTransport(tr);
  await sent;
  assert.equal(tr.calls.length, 1);
});

test("store.flush() resolves once every due message was sent", async (t) => {
  const tr = fakeTransport({ behave: () => sleep(5) });
  const store = await openSpoolStore(t, { transports: [tr] });
  for (let i = 0; i < 5; i++) await queued(store, `m${i}`);
  await store.flush();
  assert.equal(tr.calls.length, 5);
  assert.deepEqual(await store.outgoingQueue(), []);
  assert.equal((await store.contents("sent")).length, 5);
  // and at once when nothing is queued
  await store.flush();
});

test("spooler: false keeps registered transports but sends nothing; flush rejects MAPI_E_NO_SUPPORT (memory backend)", async (t) => {
  const tr = fakeTransport();
  const store = await openSpoolStore(t, { spooler: false, transports: [tr] });
  const tr2 = fakeTransport({ name: "late" });
  store.registerTransport(tr2);
  const id = await queued(store, "stays");
  await sleep(50);
  assert.equal(tr.calls.length + tr2.calls.length, 0);
  assert.deepEqual((await store.outgoingQueue()).map((r) => r.entryId), [id]);
  await rejectsMapi(() => store.flush(), "MAPI_E_NO_SUPPORT");
});

test("flush() with an empty queue resolves, with or without transports", async (t) => {
  const store = await openSpoolStore(t);
  await store.flush();
  const store2 = await openSpoolStore(t, { spooler: false });
  await store2.flush();
});

test("registerTransport validates its argument: MAPI_E_INVALID_PARAMETER naming the field", async (t) => {
  const store = await openSpoolStore(t);
  const send = async () => {};
  for (const bad of [undefined, null, 5, "smtp", () => {}]) {
    assertMapiError(() => store.registerTransport(bad), "MAPI_E_INVALID_PARAMETER");
  }
  assertMapiError(() => store.registerTransport({ addressTypes: ["SMTP"], send }), "MAPI_E_INVALID_PARAMETER", "name");
  assertMapiError(() => store.registerTransport({ name: "", addressTypes: ["SMTP"], send }), "MAPI_E_INVALID_PARAMETER", "name");
  assertMapiError(() => store.registerTransport({ name: 7, addressTypes: ["SMTP"], send }), "MAPI_E_INVALID_PARAMETER", "name");
  assertMapiError(() => store.registerTransport({ name: "x", send }), "MAPI_E_INVALID_PARAMETER", "addressTypes");
  assertMapiError(() => store.registerTransport({ name: "x", addressTypes: "SMTP", send }), "MAPI_E_INVALID_PARAMETER", "addressTypes");
  assertMapiError(() => store.registerTransport({ name: "x", addressTypes: [], send }), "MAPI_E_INVALID_PARAMETER", "addressTypes");
  assertMapiError(() => store.registerTransport({ name: "x", addressTypes: [""], send }), "MAPI_E_INVALID_PARAMETER", "addressTypes");
  assertMapiError(() => store.registerTransport({ name: "x", addressTypes: [1], send }), "MAPI_E_INVALID_PARAMETER", "addressTypes");
  assertMapiError(() => store.registerTransport({ name: "x", addressTypes: ["SMTP"] }), "MAPI_E_INVALID_PARAMETER", "send");
  assertMapiError(() => store.registerTransport({ name: "x", addressTypes: ["SMTP"], send: "POST" }), "MAPI_E_INVALID_PARAMETER", "send");
  // a rejected transport was not registered: nothing sends
  const id = await queued(store, "nobody");
  await sleep(30);
  assert.deepEqual((await store.outgoingQueue()).map((r) => r.entryId), [id]);
});

test("Store.open validates transports and transport the same way (rejects MAPI_E_INVALID_PARAMETER naming the field)", async () => {
  const send = async () => {};
  await rejectsMapi(() => Store.open({ transports: [{ name: "x", addressTypes: [], send }] }), "MAPI_E_INVALID_PARAMETER", "addressTypes");
  await rejectsMapi(() => Store.open({ transports: [{ name: "x", addressTypes: ["SMTP"] }] }), "MAPI_E_INVALID_PARAMETER", "send");
  await rejectsMapi(() => Store.open({ transports: { name: "x", addressTypes: ["SMTP"], send } }), "MAPI_E_INVALID_PARAMETER", "transports");
  await rejectsMapi(() => Store.open({ transport: { addressTypes: ["SMTP"], send } }), "MAPI_E_INVALID_PARAMETER", "name");
  await rejectsMapi(() => Store.open({ transport: "smtp" }), "MAPI_E_INVALID_PARAMETER", "transport");
});

// ---------------------------------------------------------------------------------------
// choosing transports

test("transport choice by PidTagAddressType: each transport gets only the recipients of its types", async (t) => {
  const smtp = fakeTransport({ name: "smtp", addressTypes: ["SMTP"] });
  const faxT = fakeTransport({ name: "fax", addressTypes: ["FAX"] });
  const store = await openSpoolStore(t, { transports: [faxT, smtp] });
  const { id } = await submitted(store, "mixed", [recipient("a@example.org"), fax("+15550001"), recipient("b@example.org", 2)]);
  await sentOf(store, id);
  assert.equal(smtp.calls.length, 1);
  assert.equal(faxT.calls.length, 1);
  assert.deepEqual([...smtp.calls[0].outgoing.rcptTo], ["a@example.org", "b@example.org"]);
  assert.deepEqual([...faxT.calls[0].outgoing.rcptTo], ["+15550001"]);
  assert.deepEqual(faxT.calls[0].outgoing.recipients.map((r) => r.PidTagAddressType), ["FAX"]);
});

test("a message split over two transports: one `sending` event per transport, one `sent`", async (t) => {
  const smtp = fakeTransport({ name: "smtp-gw", addressTypes: ["SMTP"] });
  const faxT = fakeTransport({ name: "fax-gw", addressTypes: ["FAX"] });
  const store = await openSpoolStore(t, { transports: [smtp, faxT] });
  const { id } = await submitted(store, "two", [recipient("a@example.org"), fax("+15550009")]);
  await sentOf(store, id);
  const log = events(store);
  assert.deepEqual(log.of("sending", id).map((e) => e.detail.transport).sort(), ["fax-gw", "smtp-gw"]);
  assert.equal(log.of("sent", id).length, 1);
  assert.equal(smtp.calls[0].outgoing.submissionId, faxT.calls[0].outgoing.submissionId, "one submission");
});

test("registerTransport after close → MAPI_E_INVALID_OBJECT", async (t) => {
  const store = await openSpoolStore(t);
  await store.close();
  assertMapiError(() => store.registerTransport(fakeTransport()), "MAPI_E_INVALID_OBJECT");
});

test("transport choice follows registration order: the first that takes the address type", async (t) => {
  const first = fakeTransport({ name: "first" });
  const second = fakeTransport({ name: "second" });
  const store = await openSpoolStore(t, { transports: [first] });
  store.registerTransport(second);
  for (let i = 0; i < 3; i++) await queued(store, `m${i}`);
  await store.flush();
  assert.equal(first.calls.length, 3);
  assert.equal(second.calls.length, 0);
});

test("address types match case-insensitively (DECISIONS)", async (t) => {
  const tr = fakeTransport({ addressTypes: ["smtp"] });
  const store = await openSpoolStore(t, { transports: [tr] });
  const { id } = await submitted(store, "case", [{ PidTagEmailAddress: "a@example.org", PidTagAddressType: "Smtp" }]);
  const ev = await sentOf(store, id);
  assert.equal(tr.calls.length, 1);
  assert.equal(ev.detail.entryId, id);
  assert.equal((await store.contents("inbox")).length, 0, "no NDR");
});

test("`sending` event: { entryId, transport: <its name> }, between `submitted` and `sent`", async (t) => {
  const tr = fakeTransport({ name: "gateway" });
  const store = await openSpoolStore(t, { transports: [tr] });
  const events = recordEvents(store, ["submitted", "sending", "sent"]);
  const sending = waitForEvent(store, "sending");
  const { id, submissionId } = await submitted(store, "events");
  const ev = await sending;
  await sentOf(store, id);
  assert.deepEqual(ev.detail, { entryId: id, transport: "gateway" });
  const order = events.filter((e) => e.detail.entryId === id).map((e) => e.type);
  assert.deepEqual(order, ["submitted", "sending", "sent"]);
  const sent = events.find((e) => e.type === "sent");
  assert.equal(sent.detail.submissionId, submissionId);
});

// ---------------------------------------------------------------------------------------
// order, stuck and failing messages

test("submit order: the spooler starts sends in ascending submit order", async (t) => {
  const tr = fakeTransport();
  const store = await openSpoolStore(t);
  const ids = [];
  for (let i = 0; i < 12; i++) ids.push(await queued(store, `order ${i}`));
  store.registerTransport(tr);
  await store.flush();
  assert.deepEqual(tr.calls.map((c) => c.outgoing.entryId), ids);
});

test("submit order with a slow transport: later submits never start before earlier ones", async (t) => {
  const tr = fakeTransport({ behave: () => sleep(15) });
  const store = await openSpoolStore(t, { transports: [tr] });
  const ids = [];
  for (let i = 0; i < 8; i++) ids.push(await queued(store, `slow ${i}`));
  await store.flush();
  assert.deepEqual(tr.calls.map((c) => c.outgoing.entryId), ids);
});

test("a stuck transport call (a promise that never settles) does not block the messages behind it", async (t) => {
  const tr = fakeTransport({
    behave: (o) => (o.rcptTo[0] === "stuck@example.org" ? new Promise(() => {}) : Promise.resolve()),
  });
  const store = await openSpoolStore(t, { transports: [tr] });
  const stuck = await queued(store, "stuck", [recipient("stuck@example.org")]);
  const others = [];
  for (let i = 0; i < 6; i++) others.push(await queued(store, `behind ${i}`));
  await Promise.all(others.map((id) => sentOf(store, id)));
  const q = await store.outgoingQueue();
  assert.deepEqual(q.map((r) => r.entryId), [stuck]);
  assert.equal(q[0].PidTagSubmitFlags & SubmitFlags.LOCKED, SubmitFlags.LOCKED);
  await rejectsMapi(() => store.abortSubmit(stuck), "MAPI_E_UNABLE_TO_ABORT");
});

test("a message failing transiently does not block the messages behind it", async (t) => {
  const tr = fakeTransport({
    behave: (o) => {
      if (o.rcptTo[0] === "flaky@example.org") {
        const e = new MapiError("MAPI_E_WAIT", "try later");
        e.retryAfterMs = 60_000;
        return Promise.reject(e);
      }
      return Promise.resolve();
    },
  });
  const store = await openSpoolStore(t, { transports: [tr] });
  const flaky = await queued(store, "flaky", [recipient("flaky@example.org")]);
  const others = [];
  for (let i = 0; i < 4; i++) others.push(await queued(store, `after ${i}`));
  await store.flush();
  for (const id of others) assert.ok(tr.calls.some((c) => c.outgoing.entryId === id));
  assert.deepEqual((await store.outgoingQueue()).map((r) => r.entryId), [flaky]);
});

// ---------------------------------------------------------------------------------------
// locking

test("while a transport's send is pending: openMessage → MAPI_E_NO_ACCESS, abortSubmit → MAPI_E_UNABLE_TO_ABORT, queue row LOCKED", async (t) => {
  const gate = deferred();
  const tr = fakeTransport({ behave: () => gate.promise });
  const store = await openSpoolStore(t, { transports: [tr] });
  const { id } = await submitted(store, "locked");
  await until(() => tr.calls.length === 1, 3000, "the transport call");
  await rejectsMapi(() => store.openMessage(id), "MAPI_E_NO_ACCESS");
  await rejectsMapi(() => store.openMessage(id, { access: "read" }), "MAPI_E_NO_ACCESS");
  await rejectsMapi(() => store.abortSubmit(id), "MAPI_E_UNABLE_TO_ABORT");
  await rejectsMapi(() => store.deleteMessage(id), "MAPI_E_SUBMITTED");
  const [row] = await store.outgoingQueue();
  assert.equal(row.entryId, id);
  assert.equal(row.PidTagSubmitFlags & SubmitFlags.LOCKED, SubmitFlags.LOCKED);
  const sent = sentOf(store, id);
  gate.resolve();
  await sent;
  await rejectsMapi(() => store.abortSubmit(id), "MAPI_E_NOT_IN_QUEUE");
});

test("a send that outlasts the lock's lease (retry.leaseMs) keeps its lock: renewed, not taken again, sent once", async (t) => {
  const tr = fakeTransport({ behave: () => sleep(750) });
  const store = await openSpoolStore(t, { transports: [tr], retry: { ...FAST_RETRY, leaseMs: 300 } });
  const { id } = await submitted(store, "long send");
  await until(() => tr.calls.length === 1, 3000, "the transport call");
  await sleep(450); // past the first lease
  const [row] = await store.outgoingQueue();
  assert.equal(row.PidTagSubmitFlags & SubmitFlags.LOCKED, SubmitFlags.LOCKED);
  await rejectsMapi(() => store.abortSubmit(id), "MAPI_E_UNABLE_TO_ABORT");
  await sentOf(store, id);
  assert.equal(tr.calls.length, 1, "the spooler must not take its own in-flight message again");
  assert.equal(tr.calls[0].outgoing.possibleDuplicate, false);
  assert.equal(events(store).of("retry", id).length, 0);
});

test("a queued message not yet taken is not LOCKED and can be opened read-only and aborted", async (t) => {
  const tr = fakeTransport();
  const store = await openSpoolStore(t, { transports: [tr] });
  const msg = newMessage(store, "later");
  msg.setProps({ PidTagDeferredSendTime: new Date(Date.now() + 60_000) });
  const id = msg.entryId;
  await msg.submit();
  const [row] = await store.outgoingQueue();
  assert.equal(row.PidTagSubmitFlags & SubmitFlags.LOCKED, 0);
  const ro = await store.openMessage(id, { access: "read" });
  assert.equal(ro.getProps(["PidTagSubject"]).PidTagSubject, "later");
  ro.free();
  await store.abortSubmit(id);
  assert.equal(tr.calls.length, 0);
});

test("after a transient failure the lock is released: not LOCKED, readable, abortable", async (t) => {
  const tr = fakeTransport({
    behave: () => Promise.reject(Object.assign(new MapiError("MAPI_E_NETWORK_ERROR", "down"), { retryAfterMs: 60_000 })),
  });
  const store = await openSpoolStore(t, { transports: [tr] });
  const { id } = await submitted(store, "released");
  await events(store).wait("retry", id);
  const [row] = await store.outgoingQueue();
  assert.equal(row.PidTagSubmitFlags & SubmitFlags.LOCKED, 0);
  (await store.openMessage(id, { access: "read" })).free();
  await store.abortSubmit(id);
});

// ---------------------------------------------------------------------------------------
// the outgoing object

test("outgoing: submissionId, entryId, messageId '<...>' = PidTagInternetMessageId, attempt 1, possibleDuplicate false", async (t) => {
  const tr = fakeTransport();
  const store = await openSpoolStore(t, { transports: [tr] });
  const { id, submissionId } = await submitted(store, "fields");
  const sent = await sentOf(store, id);
  const o = tr.calls[0].outgoing;
  assert.equal(typeof o.submissionId, "string");
  assert.ok(o.submissionId.length > 0);
  assert.equal(o.submissionId, submissionId);
  assert.equal(o.entryId, id);
  assert.match(o.entryId, ENTRY_ID_RE);
  assert.match(o.messageId, /^<[^<>\s]+@[^<>\s]+>$/);
  assert.equal(o.attempt, 1);
  assert.equal(o.possibleDuplicate, false);
  const copy = await store.openMessage(sent.detail.sentEntryId, { access: "read" });
  assert.equal(copy.getProps(["PidTagInternetMessageId"]).PidTagInternetMessageId, o.messageId);
  copy.free();
});

test("outgoing.messageId is the message's own PidTagInternetMessageId when it has one", async (t) => {
  const tr = fakeTransport();
  const store = await openSpoolStore(t, { transports: [tr] });
  const msg = newMessage(store, "own id");
  msg.setProps({ PidTagInternetMessageId: "<own-id-1@example.org>" });
  const id = msg.entryId;
  await msg.submit();
  await sentOf(store, id);
  assert.equal(tr.calls[0].outgoing.messageId, "<own-id-1@example.org>");
  assert.match(mimeHeaders(tr.calls[0].outgoing.mime), /^Message-ID: <own-id-1@example\.org>\r$/im);
});

test("outgoing.mime: a Uint8Array of RFC 5322 with the Message-ID and To/Cc, but no Bcc header", async (t) => {
  const tr = fakeTransport();
  const store = await openSpoolStore(t, { transports: [tr] });
  const { id } = await submitted(store, "mime", [
    recipient("to@example.org", 1),
    recipient("cc@example.org", 2),
    recipient("secret@example.org", 3, "Secret Person"),
  ]);
  await sentOf(store, id);
  const o = tr.calls[0].outgoing;
  assert.ok(o.mime instanceof Uint8Array);
  const headers = mimeHeaders(o.mime);
  assert.match(headers, /^Subject: mime\r$/m);
  assert.match(headers, /^To: .*to@example\.org/im);
  assert.match(headers, /^Cc: .*cc@example\.org/im);
  assert.doesNotMatch(headers, /^Bcc:/im);
  assert.ok(!latin1(o.mime).includes("secret@example.org"), "the Bcc address appears nowhere in the MIME");
  assert.ok(headers.includes(`Message-ID: ${o.messageId}`), "Message-ID header = outgoing.messageId");
});

test("outgoing.mailFrom is the store identity's email, or PidTagSenderEmailAddress when set (DECISIONS)", async (t) => {
  const tr = fakeTransport();
  const store = await openSpoolStore(t, { transports: [tr] });
  const a = await queued(store, "identity");
  const msg = newMessage(store, "sender");
  msg.setProps({ PidTagSenderEmailAddress: "boss@example.org", PidTagSenderName: "Boss" });
  const b = msg.entryId;
  await msg.submit();
  await store.flush();
  const byId = new Map(tr.calls.map((c) => [c.outgoing.entryId, c.outgoing]));
  assert.equal(byId.get(a).mailFrom, ME);
  assert.equal(byId.get(b).mailFrom, "boss@example.org");
});

test("outgoing.rcptTo: bare addr-specs of this transport's recipients, To, Cc and Bcc; recipients: their rows in table order", async (t) => {
  const tr = fakeTransport();
  const store = await openSpoolStore(t, { transports: [tr] });
  await submitted(store, "rcpt", [
    recipient("to@example.org", 1, "To Person"),
    recipient("cc@example.org", 2, "Cc, Person"),
    recipient("bcc@example.org", 3, "Bcc Person"),
  ]);
  await store.flush();
  const o = tr.calls[0].outgoing;
  assert.deepEqual([...o.rcptTo], ["to@example.org", "cc@example.org", "bcc@example.org"]);
  assert.equal(o.recipients.length, 3);
  assert.deepEqual(o.recipients.map((r) => r.PidTagEmailAddress), [...o.rcptTo]);
  assert.deepEqual(o.recipients.map((r) => r.PidTagRecipientType), [1, 2, 3]);
  assert.deepEqual(o.recipients.map((r) => r.PidTagDisplayName), ["To Person", "Cc, Person", "Bcc Person"]);
  for (const r of o.recipients) {
    assert.equal(typeof r.PidTagRowid, "number");
    assert.equal(r.PidTagAddressType, "SMTP");
    assert.notEqual(r.PidTagResponsibility, true, "offered recipients are not yet dealt with");
  }
});

test("submissionId is stable across retries; attempt counts 1, 2, 3; messageId and mime stay the same", async (t) => {
  let n = 0;
  const tr = fakeTransport({
    behave: () => (++n < 3 ? Promise.reject(new MapiError("MAPI_E_NETWORK_ERROR", `fail ${n}`)) : Promise.resolve()),
  });
  const store = await openSpoolStore(t, { transports: [tr] });
  const { id, submissionId } = await submitted(store, "stable");
  await sentOf(store, id);
  assert.equal(tr.calls.length, 3);
  assert.deepEqual(tr.calls.map((c) => c.outgoing.attempt), [1, 2, 3]);
  for (const c of tr.calls) {
    assert.equal(c.outgoing.submissionId, submissionId);
    assert.equal(c.outgoing.messageId, tr.calls[0].outgoing.messageId);
    assert.equal(c.outgoing.possibleDuplicate, false, "a clean transient failure is not an unknown outcome");
    assert.deepEqual(c.outgoing.mime, tr.calls[0].outgoing.mime);
  }
});

test("each submit is its own submission: a message aborted and submitted again gets a new submissionId", async (t) => {
  const tr = fakeTransport();
  const store = await openSpoolStore(t, { transports: [tr], sendDelayMs: 60_000 });
  const first = await submitted(store, "twice");
  await store.abortSubmit(first.id);
  const msg = await store.openMessage(first.id);
  const ev = waitForEvent(store, "submitted", (e) => e.detail.entryId === first.id);
  await msg.submit();
  const second = (await ev).detail.submissionId;
  assert.notEqual(second, first.submissionId);
});

test("the signal passed to send is an AbortSignal, not aborted during a normal send", async (t) => {
  const tr = fakeTransport();
  const store = await openSpoolStore(t, { transports: [tr] });
  await queued(store);
  await store.flush();
  const { signal } = tr.calls[0];
  assert.ok(signal instanceof AbortSignal, `signal: ${signal}`);
  assert.equal(signal.aborted, false);
});

void [ErrorCode, FAST_RETRY];
