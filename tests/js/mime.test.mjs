// SPEC §5 toMime() and §7 MIME output, read back with an independent parser (mailparser).
import { test } from "node:test";
import assert from "node:assert/strict";
import { simpleParser } from "mailparser";
import { Store } from "mapi-outbox";
import { ME, assertMapiError, openStore } from "./helpers.mjs";

const SUBJECT = "Отправка сообщения: отчёт за квартал";
const FILENAME = "Годовой отчёт, итог 2024.pdf";
const ALL_BYTES = Uint8Array.from({ length: 512 }, (_, i) => (i < 256 ? i : 511 - i));

/** A draft with everything SPEC §7 covers: names, Cc, Bcc, both bodies, two attachments. */
function fullMessage(store) {
  const msg = store.createMessage();
  msg.setProps({
    PidTagSubject: SUBJECT,
    PidTagSenderName: "Doe, \"Jane\"",
    PidTagBody: "Привет!\nВторая строка.",
    PidTagBodyHtml: "<p>Привет!</p><img src=\"cid:logo@example.org\">",
    PidTagImportance: 2,
  });
  msg.modifyRecipients("add", [
    { PidTagRecipientType: 1, PidTagEmailAddress: "ivan@example.ru", PidTagDisplayName: "Иванов, Иван" },
    { PidTagRecipientType: 1, PidTagEmailAddress: "plain@example.org" },
    { PidTagRecipientType: 2, PidTagEmailAddress: "cc@example.org", PidTagDisplayName: "O'Brien \"Bob\"" },
    { PidTagRecipientType: 3, PidTagEmailAddress: "hidden@example.org", PidTagDisplayName: "Secret Person" },
  ]);
  const a = msg.createAttach();
  a.setProps({
    PidTagAttachLongFilename: FILENAME,
    PidTagAttachMimeTag: "application/pdf",
    PidTagAttachDataBinary: ALL_BYTES,
  });
  a.saveChanges();
  const logo = msg.createAttach();
  logo.setProps({
    PidTagAttachLongFilename: "logo.png",
    PidTagAttachMimeTag: "image/png",
    PidTagAttachContentId: "logo@example.org",
    PidTagAttachDataBinary: new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0, 0xff]),
  });
  logo.saveChanges();
  return msg;
}

function latin1(bytes) {
  return Buffer.from(bytes).toString("latin1");
}

function headerBlock(bytes) {
  const text = latin1(bytes);
  return text.slice(0, text.indexOf("\r\n\r\n") + 2);
}

function assertLinesLegal(bytes) {
  const text = latin1(bytes);
  assert.ok(!/\r(?!\n)/.test(text), "no bare CR");
  assert.ok(!/(?<!\r)\n/.test(text), "no bare LF");
  for (const line of text.split("\r\n")) assert.ok(line.length <= 998, `line of ${line.length} octets`);
}

test("toMime returns a Uint8Array that mailparser reads back: subject, addresses, bodies", async (t) => {
  const store = await openStore(t);
  const mime = fullMessage(store).toMime();
  assert.ok(mime instanceof Uint8Array);
  assertLinesLegal(mime);
  // skipImageLinks: keep cid: references as they are (mailparser would inline them as data: URLs).
  const m = await simpleParser(Buffer.from(mime), { skipImageLinks: true });
  assert.equal(m.subject, SUBJECT);
  assert.deepEqual(m.from.value.map((a) => [a.name, a.address]), [["Doe, \"Jane\"", ME]]);
  assert.deepEqual(
    m.to.value.map((a) => [a.name, a.address]),
    [
      ["Иванов, Иван", "ivan@example.ru"],
      ["", "plain@example.org"],
    ],
  );
  assert.deepEqual(m.cc.value.map((a) => [a.name, a.address]), [["O'Brien \"Bob\"", "cc@example.org"]]);
  assert.equal(m.text.replace(/\r\n/g, "\n").trimEnd(), "Привет!\nВторая строка.");
  assert.equal(m.html, "<p>Привет!</p><img src=\"cid:logo@example.org\">");
  assert.equal(m.headers.get("priority"), "high", "mailparser reads Importance as priority");
});

test("the subject is RFC 2047-encoded in the raw bytes, since it is not ASCII", async (t) => {
  const store = await openStore(t);
  const head = headerBlock(fullMessage(store).toMime());
  assert.match(head, /^Subject: =\?utf-8\?[BQ]\?/im);
  assert.ok(!/[^\x00-\x7f]/.test(head), "headers are ASCII only");
});

test("attachments come back with exact bytes, their RFC 2231 filename, type, and the inline Content-ID", async (t) => {
  const store = await openStore(t);
  const mime = fullMessage(store).toMime();
  assert.match(latin1(mime), /filename\*(0\*)?=UTF-8''/i, "RFC 2231 filename parameter");
  const m = await simpleParser(Buffer.from(mime));
  assert.equal(m.attachments.length, 2);
  const [pdf, logo] = m.attachments;
  assert.equal(pdf.filename, FILENAME);
  assert.equal(pdf.contentType, "application/pdf");
  assert.deepEqual(new Uint8Array(pdf.content), ALL_BYTES);
  assert.equal(logo.contentId, "<logo@example.org>");
  assert.equal(logo.contentDisposition, "inline");
  assert.deepEqual(new Uint8Array(logo.content), new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0, 0xff]));
});

test("a 1 MB attachment comes back byte for byte", async (t) => {
  const store = await openStore(t);
  const msg = store.createMessage();
  msg.setProps({ PidTagSubject: "big", PidTagBody: "see attached" });
  msg.modifyRecipients("add", [{ PidTagEmailAddress: "a@example.org" }]);
  const data = Uint8Array.from({ length: 1 << 20 }, (_, i) => (i * 2654435761) >>> 24);
  const a = msg.createAttach();
  a.setProps({ PidTagAttachLongFilename: "big.bin", PidTagAttachDataBinary: data });
  a.saveChanges();
  const mime = msg.toMime();
  assertLinesLegal(mime);
  const m = await simpleParser(Buffer.from(mime));
  assert.equal(m.attachments[0].contentType, "application/octet-stream");
  assert.ok(Buffer.from(data).equals(m.attachments[0].content), "attachment bytes differ");
});

test("no Bcc header, ever: Bcc recipients are nowhere in the bytes", async (t) => {
  const store = await openStore(t);
  const mime = fullMessage(store).toMime();
  const text = latin1(mime);
  assert.ok(!/^bcc:/im.test(headerBlock(mime)));
  assert.ok(!text.includes("hidden@example.org") && !text.includes("Secret"));
  const m = await simpleParser(Buffer.from(mime));
  assert.equal(m.bcc, undefined);
  assert.equal(m.headers.has("bcc"), false);
});

test("a 100 KB single-line body is wrapped: CRLF everywhere, no line over 998 octets", async (t) => {
  const store = await openStore(t);
  const msg = store.createMessage();
  const body = "слово ".repeat(17000);
  msg.setProps({ PidTagBody: body, PidTagSubject: "x".repeat(5000) });
  const mime = msg.toMime();
  assertLinesLegal(mime);
  const m = await simpleParser(Buffer.from(mime));
  assert.equal(m.text.trimEnd(), body.trimEnd());
  assert.equal(m.subject, "x".repeat(5000));
});

test("toMime shows pending changes, before any save", async (t) => {
  const store = await openStore(t);
  const msg = store.createMessage();
  msg.setProps({ PidTagSubject: "first" });
  msg.setProps({ PidTagSubject: "second" });
  const m = await simpleParser(Buffer.from(msg.toMime()));
  assert.equal(m.subject, "second");
  assert.deepEqual(m.from.value.map((a) => a.address), [ME], "the store identity stamped on the new message");
});

test("a draft has Date = now and no Message-ID; the submitted message has the submission's", async (t) => {
  const store = await openStore(t);
  const msg = store.createMessage();
  msg.setProps({ PidTagSubject: "dated" });
  msg.modifyRecipients("add", [{ PidTagEmailAddress: "a@example.org" }]);
  const before = Math.floor(Date.now() / 1000) * 1000;
  const draft = await simpleParser(Buffer.from(msg.toMime()));
  assert.ok(draft.date.getTime() >= before && draft.date.getTime() <= Date.now(), `${draft.date}`);
  assert.ok(!/^message-id:/im.test(headerBlock(msg.toMime())), "no invented Message-ID before submit");

  const id = msg.entryId;
  await msg.submit();
  const queued = await store.openMessage(id, { access: "read" });
  const props = queued.getProps(["PidTagInternetMessageId", "PidTagClientSubmitTime"]);
  const sent = await simpleParser(Buffer.from(queued.toMime()));
  assert.equal(sent.messageId, props.PidTagInternetMessageId);
  assert.equal(sent.date.getTime(), Math.floor(props.PidTagClientSubmitTime.getTime() / 1000) * 1000);
});

test("toMime on a submitted (dead) message object is MAPI_E_INVALID_OBJECT", async (t) => {
  const store = await openStore(t);
  const msg = fullMessage(store);
  await msg.submit();
  assertMapiError(() => msg.toMime(), "MAPI_E_INVALID_OBJECT");
});

test("toMime while submit is in flight is MAPI_E_BUSY", async (t) => {
  const store = await openStore(t);
  const msg = fullMessage(store);
  const p = msg.submit();
  assertMapiError(() => msg.toMime(), "MAPI_E_BUSY");
  await p;
});

test("no sender property and no store identity is MAPI_E_INVALID_PARAMETER saying so", async (t) => {
  const store = await Store.open({ spooler: false });
  t.after(() => store.close());
  const msg = store.createMessage();
  msg.setProps({ PidTagSubject: "anonymous" });
  assertMapiError(() => msg.toMime(), "MAPI_E_INVALID_PARAMETER", "no sender");
  msg.setProps({ PidTagSenderEmailAddress: "someone@example.org" });
  const m = await simpleParser(Buffer.from(msg.toMime()));
  assert.equal(m.from.value[0].address, "someone@example.org");
});

test("Importance is written only when not normal", async (t) => {
  const store = await openStore(t);
  const msg = store.createMessage();
  for (const [value, expected] of [[0, "low"], [1, undefined], [2, "high"]]) {
    msg.setProps({ PidTagImportance: value });
    const m = await simpleParser(Buffer.from(msg.toMime()));
    const line = m.headerLines.find((h) => h.key === "importance")?.line;
    assert.equal(line, expected && `Importance: ${expected}`, `PidTagImportance ${value}`);
    assert.equal(m.headers.get("priority"), expected);
  }
});

// Issue 11, item 7: text shaped like an RFC 2047 encoded word is itself encoded.
test("encoded-word-shaped subject, display name and file name read back as typed (no injected header)", async (t) => {
  const evil = "=?utf-8?q?CRLF=0D=0ABcc=3A_x=40y.org?=";
  const store = await openStore(t);
  const m = store.createMessage();
  m.setProps({ PidTagSubject: evil, PidTagBody: "b", PidTagSenderName: evil });
  m.modifyRecipients("add", [
    { PidTagRecipientType: 1, PidTagEmailAddress: "to@example.org", PidTagDisplayName: evil },
    { PidTagRecipientType: 1, PidTagEmailAddress: "two@example.org", PidTagDisplayName: "Two, \"2\"" },
  ]);
  const a = m.createAttach();
  a.setProps({ PidTagAttachDataBinary: new Uint8Array([1, 2, 3]), PidTagAttachLongFilename: evil + ".txt" });
  a.saveChanges();
  const mail = await simpleParser(Buffer.from(m.toMime()));
  assert.equal(mail.subject, evil);
  assert.equal(mail.from.value[0].name, evil);
  assert.deepEqual(mail.to.value.map((v) => [v.name, v.address]), [[evil, "to@example.org"], ["Two, \"2\"", "two@example.org"]]);
  assert.equal(mail.attachments[0].filename, evil + ".txt");
  assert.equal(mail.bcc, undefined);
  assert.ok(!mail.headers.has("bcc"));
});
