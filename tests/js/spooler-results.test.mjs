// SPEC §6 outcomes: MAPI_E_NOT_ME (next transport), MAPI_E_CANCEL and { failed: [...] }
// (permanent, with one REPORT.IPM.Note.NDR per message in the inbox and an `ndr` event),
// recipients no transport takes, and partial delivery across transports (DECISIONS).
import { test } from "node:test";
import assert from "node:assert/strict";
import { MapiError, ErrorCode } from "mapi-outbox";
import {
  openSpoolStore,
  fakeTransport,
  waitForEvent,
  events,
  recordEvents,
  sleep,
  recipient,
  newMessage,
} from "./helpers.mjs";

const fax = (number) => ({ PidTagRecipientType: 1, PidTagAddressType: "FAX", PidTagEmailAddress: number });
const sentOf = (store, id, ms) => events(store).wait("sent", id, ms);
const ndrOf = (store, id, ms) => events(store).wait("ndr", id, ms);

async function submit(store, subject, recipients) {
  const msg = newMessage(store, subject, recipients);
  const id = msg.entryId;
  await msg.submit();
  msg.free();
  return id;
}

/** Reads the NDR message: { row, props, recipients, lines }. */
async function readNdr(store, reportEntryId) {
  const rows = await store.contents("inbox");
  const row = rows.find((r) => r.entryId === reportEntryId);
  assert.ok(row, "the NDR is in the inbox under reportEntryId");
  const msg = await store.openMessage(reportEntryId, { access: "read" });
  const props = msg.getProps();
  const recipients = msg.getRecipients();
  msg.free();
  const all = (props.PidTagBody ?? "").split(/\r?\n/).filter((l) => l.trim() !== "");
  // DECISIONS: one line `<email>: <reason>` per failed recipient (an introduction may precede them)
  const emails = recipients.map((r) => r.PidTagEmailAddress);
  const lines = all.filter((l) => emails.some((e) => l.startsWith(e + ": ")));
  return { row, props, recipients, lines };
}

// ---------------------------------------------------------------------------------------
// NOT_ME

test("MAPI_E_NOT_ME → the recipients are offered to the next transport that takes their address type", async (t) => {
  const picky = fakeTransport({ name: "picky", behave: () => Promise.reject(new MapiError("MAPI_E_NOT_ME", "not my domain")) });
  const other = fakeTransport({ name: "other" });
  const store = await openSpoolStore(t, { transports: [picky, other] });
  const id = await submit(store, "not me", [recipient("a@example.org"), recipient("b@example.org")]);
  await sentOf(store, id);
  assert.equal(picky.calls.length, 1);
  assert.equal(other.calls.length, 1);
  assert.deepEqual([...other.calls[0].outgoing.rcptTo], ["a@example.org", "b@example.org"]);
  assert.equal(other.calls[0].outgoing.attempt, 1, "NOT_ME is not a failed attempt");
  assert.equal((await store.contents("inbox")).length, 0, "no NDR");
});

test("an error of another class whose numeric code is MAPI_E_NOT_ME counts as NOT_ME", async (t) => {
  const picky = fakeTransport({ behave: () => Promise.reject(Object.assign(new Error("nope"), { code: ErrorCode.MAPI_E_NOT_ME })) });
  const other = fakeTransport({ name: "other" });
  const store = await openSpoolStore(t, { transports: [picky, other] });
  const id = await submit(store, "foreign not me", [recipient()]);
  await sentOf(store, id);
  assert.equal(other.calls.length, 1);
});

test("NOT_ME from every transport that takes the type → those recipients fail for good with an NDR (DECISIONS)", async (t) => {
  const a = fakeTransport({ name: "a", behave: () => Promise.reject(new MapiError("MAPI_E_NOT_ME")) });
  const b = fakeTransport({ name: "b", behave: () => Promise.reject(new MapiError("MAPI_E_NOT_ME")) });
  const store = await openSpoolStore(t, { transports: [a, b] });
  const id = await submit(store, "nobody wants it", [recipient("lonely@example.org")]);
  const ndr = await ndrOf(store, id);
  assert.deepEqual(ndr.detail.recipients.map((r) => r.email), ["lonely@example.org"]);
  assert.equal(typeof ndr.detail.recipients[0].reason, "string");
  assert.ok(ndr.detail.recipients[0].reason.length > 0);
  await store.flush();
  assert.equal(a.calls.length, 1);
  assert.equal(b.calls.length, 1);
  assert.deepEqual(await store.outgoingQueue(), []);
});

test("recipients whose address type no transport takes fail for good (NDR); the others are delivered", async (t) => {
  const smtp = fakeTransport();
  const store = await openSpoolStore(t, { transports: [smtp] });
  const events = recordEvents(store, ["ndr", "sent"]);
  const id = await submit(store, "mixed", [recipient("ok@example.org"), fax("+15550002")]);
  await sentOf(store, id);
  await store.flush();
  assert.deepEqual([...smtp.calls[0].outgoing.rcptTo], ["ok@example.org"]);
  const ndrs = events.filter((e) => e.type === "ndr");
  assert.equal(ndrs.length, 1);
  assert.deepEqual(ndrs[0].detail.recipients.map((r) => r.email), ["+15550002"]);
  assert.match(ndrs[0].detail.recipients[0].reason, /FAX|transport/i);
});

// ---------------------------------------------------------------------------------------
// CANCEL

test("MAPI_E_CANCEL → no resend; an NDR (REPORT.IPM.Note.NDR in the inbox) lists each recipient with the reason", async (t) => {
  const tr = fakeTransport({ behave: () => Promise.reject(new MapiError("MAPI_E_CANCEL", "550 mailbox disabled")) });
  const store = await openSpoolStore(t, { transports: [tr] });
  const events = recordEvents(store, ["ndr", "sent", "retry"]);
  const id = await submit(store, "Quarterly report", [recipient("x@example.org", 1, "X"), recipient("y@example.org", 3)]);
  const ndr = await ndrOf(store, id);
  await sentOf(store, id);
  await store.flush();
  await sleep(30);
  assert.equal(tr.calls.length, 1, "a cancelled message is not sent again");
  assert.equal(events.filter((e) => e.type === "retry").length, 0);
  const d = ndr.detail;
  assert.deepEqual(Object.keys(d).sort(), ["entryId", "recipients", "reportEntryId"]);
  assert.equal(d.entryId, id, "the ndr event's entryId is the original (outbox) id");
  assert.deepEqual(d.recipients.map((r) => r.email), ["x@example.org", "y@example.org"]);
  for (const r of d.recipients) assert.match(r.reason, /550 mailbox disabled/);
  const inbox = await store.contents("inbox");
  assert.equal(inbox.length, 1);
  const { row, props, recipients, lines } = await readNdr(store, d.reportEntryId);
  assert.equal(row.PidTagMessageClass, "REPORT.IPM.Note.NDR");
  assert.equal(props.PidTagMessageClass, "REPORT.IPM.Note.NDR");
  assert.equal(props.PidTagSubject, "Undeliverable: Quarterly report");
  assert.deepEqual(recipients.map((r) => r.PidTagEmailAddress), ["x@example.org", "y@example.org"]);
  assert.equal(lines.length, 2);
  assert.ok(lines[0].startsWith("x@example.org: "), lines[0]);
  assert.ok(lines[1].startsWith("y@example.org: "), lines[1]);
  assert.match(lines[0], /550 mailbox disabled/);
});

test("a cancelled message is still finished: `sent` fires and it moves to Sent Items (DECISIONS)", async (t) => {
  const tr = fakeTransport({ behave: () => Promise.reject(new MapiError("MAPI_E_CANCEL", "no")) });
  const store = await openSpoolStore(t, { transports: [tr] });
  const id = await submit(store, "cancelled", [recipient()]);
  const ev = await sentOf(store, id);
  assert.deepEqual((await store.contents("sent")).map((r) => r.entryId), [ev.detail.sentEntryId]);
  assert.deepEqual(await store.outgoingQueue(), []);
});

test("an error of another class whose numeric code is MAPI_E_CANCEL counts as cancel", async (t) => {
  const tr = fakeTransport({
    behave: () => Promise.reject(Object.assign(new Error("rejected by policy"), { name: "GatewayError", code: 0x80040501 })),
  });
  const store = await openSpoolStore(t, { transports: [tr] });
  const events = recordEvents(store, ["retry"]);
  const id = await submit(store, "foreign cancel", [recipient("p@example.org")]);
  const ndr = await ndrOf(store, id);
  assert.deepEqual(ndr.detail.recipients.map((r) => r.email), ["p@example.org"]);
  assert.match(ndr.detail.recipients[0].reason, /rejected by policy/);
  await store.flush();
  assert.equal(tr.calls.length, 1);
  assert.equal(events.length, 0);
});

test("MAPI_E_CANCEL does not fall through to the next transport: its recipients fail for good", async (t) => {
  const first = fakeTransport({ name: "first", behave: () => Promise.reject(new MapiError("MAPI_E_CANCEL", "blocked")) });
  const second = fakeTransport({ name: "second" });
  const store = await openSpoolStore(t, { transports: [first, second] });
  const id = await submit(store, "no second chance", [recipient("z@example.org")]);
  await ndrOf(store, id);
  await sentOf(store, id);
  assert.equal(first.calls.length, 1);
  assert.equal(second.calls.length, 0);
});

// ---------------------------------------------------------------------------------------
// { failed: [...] }

test("resolve with { failed: [{ email, reason }] } → those recipients fail for good (NDR), the others are delivered, no resend", async (t) => {
  const tr = fakeTransport({ behave: async () => ({ failed: [{ email: "gone@example.org", reason: "550 5.1.1 no such user" }] }) });
  const store = await openSpoolStore(t, { transports: [tr] });
  const id = await submit(store, "partial", [recipient("here@example.org"), recipient("gone@example.org", 2)]);
  const ndr = await ndrOf(store, id);
  const sent = await sentOf(store, id);
  assert.deepEqual(ndr.detail.recipients, [{ email: "gone@example.org", reason: "550 5.1.1 no such user" }]);
  const { recipients, lines, props } = await readNdr(store, ndr.detail.reportEntryId);
  assert.deepEqual(recipients.map((r) => r.PidTagEmailAddress), ["gone@example.org"]);
  assert.deepEqual(lines, ["gone@example.org: 550 5.1.1 no such user"]);
  assert.equal(props.PidTagSubject, "Undeliverable: partial");
  await store.flush();
  assert.equal(tr.calls.length, 1);
  assert.equal(typeof sent.detail.sentEntryId, "string");
});

test("resolve with { failed: [] } or nothing → all delivered, no NDR", async (t) => {
  let n = 0;
  const tr = fakeTransport({ behave: async () => (n++ % 2 ? { failed: [] } : undefined) });
  const store = await openSpoolStore(t, { transports: [tr] });
  const events = recordEvents(store, ["ndr"]);
  await submit(store, "a", [recipient()]);
  await submit(store, "b", [recipient()]);
  await store.flush();
  assert.equal(tr.calls.length, 2);
  assert.equal(events.length, 0);
  assert.equal((await store.contents("inbox")).length, 0);
  assert.equal((await store.contents("sent")).length, 2);
});

test("one NDR per message, listing the failed recipients of every transport", async (t) => {
  const smtp = fakeTransport({ name: "smtp", behave: async () => ({ failed: [{ email: "bad@example.org", reason: "550 bad" }] }) });
  const faxT = fakeTransport({ name: "fax", addressTypes: ["FAX"], behave: () => Promise.reject(new MapiError("MAPI_E_CANCEL", "number disconnected")) });
  const store = await openSpoolStore(t, { transports: [smtp, faxT] });
  const events = recordEvents(store, ["ndr"]);
  const id = await submit(store, "both fail", [recipient("good@example.org"), recipient("bad@example.org"), fax("+15550003")]);
  await sentOf(store, id);
  await store.flush();
  assert.equal(events.length, 1);
  const emails = events[0].detail.recipients.map((r) => r.email).sort();
  assert.deepEqual(emails, ["+15550003", "bad@example.org"]);
  assert.equal((await store.contents("inbox")).length, 1);
});

test("delivered by one transport and transiently failed by another: the retry goes only to the remaining recipients (DECISIONS)", async (t) => {
  const smtp = fakeTransport({ name: "smtp" });
  let n = 0;
  const faxT = fakeTransport({
    name: "fax",
    addressTypes: ["FAX"],
    behave: () => (++n === 1 ? Promise.reject(Object.assign(new MapiError("MAPI_E_WAIT", "line busy"), { retryAfterMs: 300 })) : Promise.resolve()),
  });
  const store = await openSpoolStore(t, { transports: [smtp, faxT] });
  const id = await submit(store, "split", [recipient("mail@example.org"), fax("+15550004")]);
  await events(store).wait("retry", id);
  // between attempts: the delivered recipient is marked dealt with
  const mid = await store.openMessage(id, { access: "read" });
  const rows = mid.getRecipients();
  mid.free();
  const resp = Object.fromEntries(rows.map((r) => [r.PidTagEmailAddress, r.PidTagResponsibility]));
  assert.equal(resp["mail@example.org"], true);
  assert.notEqual(resp["+15550004"], true);
  const sent = await sentOf(store, id);
  assert.equal(smtp.calls.length, 1, "the delivered recipients are not sent again");
  assert.equal(faxT.calls.length, 2);
  assert.deepEqual([...faxT.calls[1].outgoing.rcptTo], ["+15550004"]);
  const copy = await store.openMessage(sent.detail.sentEntryId, { access: "read" });
  for (const r of copy.getRecipients()) assert.equal(r.PidTagResponsibility, true, `${r.PidTagEmailAddress} dealt with`);
  copy.free();
});
