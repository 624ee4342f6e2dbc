// MIME: message.toMime() next to nodemailer's MailComposer and mimetext building the same
// messages, in one run, interleaved (the order rotates every round), in Node.
//
//   node bench/mime.mjs                 (ROUNDS_SCALE=2 for twice the rounds)
//
// Cases: (i) a short text message, (ii) text + html, (iii) a 1 MiB and (iv) a 10 MiB
// attachment (with text + html). Before timing, every builder's output of every case is read
// back with mailparser (subject, addresses, text, html, attachment bytes must match).
//
// What is timed, per builder (the same inputs: strings and a Uint8Array of attachment bytes):
// - mapi-outbox create + toMime (what the targets compare, issue 15): createMessage,
//   setProps, modifyRecipients, createAttach/setProps/saveChanges, toMime(), free(): the whole
//   job from plain inputs, as the other two do it.
// - mapi-outbox toMime(): `message.toMime()` alone, on a Message that already holds the
//   content (for the split between composing and writing).
// - MailComposer: `new MailComposer({...}).compile().build()` → Buffer.
// - mimetext: createMimeMessage(), setSender/setTo/setCc/setSubject, addMessage,
//   addAttachment (which takes base64 text, so the Buffer→base64 conversion is timed too),
//   asRaw(), and Buffer.from() of the string (bytes to send).
import { readFileSync } from "node:fs";
import { simpleParser } from "mailparser";
import MailComposer from "nodemailer/lib/mail-composer/index.js";
import { createMimeMessage } from "mimetext";
import { Store } from "mapi-outbox";
import { attach, emit, fmt, pairedRatio, rotate, stats } from "./lib.mjs";

const SCALE = Number(process.env.ROUNDS_SCALE ?? 1);
const bytes = (n) => Uint8Array.from({ length: n }, (_, i) => (i * 2654435761) >>> 24);
const base = {
  from: { name: "Отправитель", address: "me@example.org" },
  to: [{ name: "Иванов, Иван", address: "ivan@example.ru" }, { name: "", address: "b@example.org" }],
  cc: [{ name: "C Person", address: "c@example.org" }],
  subject: "Отчёт за квартал",
  date: new Date("2024-05-06T07:08:09Z"),
  messageId: "<bench.1@example.org>",
};
const text = "Добрый день!\nОтчёт во вложении.\n";
const html = "<p>Добрый день!</p><p>Отчёт во вложении.</p>";
const ALL_CASES = [
  { name: "short text", rounds: 400, msg: { ...base, subject: "Hello", text: "Short note.\nSee you tomorrow.\n" } },
  { name: "text + html", rounds: 400, msg: { ...base, text: text.repeat(20), html: html.repeat(20) } },
  { name: "1 MiB attachment", rounds: 100, msg: { ...base, text, html, attachment: { filename: "отчёт.bin", data: bytes(1 << 20) } } },
  { name: "10 MiB attachment", rounds: 30, msg: { ...base, text, html, attachment: { filename: "archive.bin", data: bytes(10 << 20) } } },
];
// Diagnostics (the full run uses neither): MIME_CASES="10 MiB attachment" runs only the named
// cases (comma-separated); MIME_ONLY="mapi-outbox create + toMime()" only the named builders
// (no ratios then); MIME_GC_BEFORE=1 with node --expose-gc collects garbage (untimed)
// before each call.
const CASES = process.env.MIME_CASES ? ALL_CASES.filter((c) => process.env.MIME_CASES.split(",").includes(c.name)) : ALL_CASES;
const GC_BEFORE = process.env.MIME_GC_BEFORE === "1";
if (GC_BEFORE && typeof globalThis.gc !== "function") throw new Error("MIME_GC_BEFORE=1 needs node --expose-gc");
const WARMUP = (c) => Math.max(2, Math.round(c.rounds / 10));

const store = await Store.open({ spooler: false });

function compose(m) {
  const msg = store.createMessage();
  const props = {
    PidTagSubject: m.subject,
    PidTagSenderName: m.from.name,
    PidTagSenderEmailAddress: m.from.address,
    PidTagClientSubmitTime: m.date,
    PidTagInternetMessageId: m.messageId,
  };
  if (m.text) props.PidTagBody = m.text;
  if (m.html) props.PidTagBodyHtml = m.html;
  msg.setProps(props);
  msg.modifyRecipients("add", [
    ...m.to.map((a) => ({ PidTagRecipientType: 1, PidTagEmailAddress: a.address, ...(a.name ? { PidTagDisplayName: a.name } : {}) })),
    ...m.cc.map((a) => ({ PidTagRecipientType: 2, PidTagEmailAddress: a.address, ...(a.name ? { PidTagDisplayName: a.name } : {}) })),
  ]);
  if (m.attachment) attach(msg, m.attachment.filename, "application/octet-stream", m.attachment.data);
  return msg;
}

const OURS = "mapi-outbox create + toMime()";
const BUILDERS = {
  [OURS]: (m) => () => {
    const msg = compose(m);
    try {
      return msg.toMime();
    } finally {
      msg.free();
    }
  },
  "mapi-outbox toMime()": (m) => {
    const msg = compose(m);
    const fn = () => msg.toMime();
    fn.done = () => msg.free();
    return fn;
  },
  "MailComposer": (m) => () =>
    new Promise((resolve, reject) => {
      new MailComposer({
        from: m.from,
        to: m.to,
        cc: m.cc,
        subject: m.subject,
        text: m.text,
        html: m.html,
        date: m.date,
        messageId: m.messageId,
        attachments: m.attachment ? [{ filename: m.attachment.filename, content: Buffer.from(m.attachment.data), contentType: "application/octet-stream" }] : [],
      })
        .compile()
        .build((err, buf) => (err ? reject(err) : resolve(buf)));
    }),
  "mimetext": (m) => () => {
    const msg = createMimeMessage();
    msg.setSender({ name: m.from.name, addr: m.from.address });
    msg.setTo(m.to.map((a) => ({ name: a.name, addr: a.address })));
    msg.setCc(m.cc.map((a) => ({ name: a.name, addr: a.address })));
    msg.setSubject(m.subject);
    msg.setHeader("Date", m.date.toUTCString().replace(/GMT/, "+0000"));
    msg.setHeader("Message-ID", m.messageId);
    if (m.text) msg.addMessage({ contentType: "text/plain", data: m.text });
    if (m.html) msg.addMessage({ contentType: "text/html", data: m.html });
    if (m.attachment) {
      msg.addAttachment({ filename: m.attachment.filename, contentType: "application/octet-stream", data: Buffer.from(m.attachment.data.buffer, m.attachment.data.byteOffset, m.attachment.data.length).toString("base64") });
    }
    return Buffer.from(msg.asRaw(), "utf8");
  },
};
const NAMES = Object.keys(BUILDERS).filter((n) => !process.env.MIME_ONLY || process.env.MIME_ONLY.split(",").includes(n));

async function check(name, m, out) {
  const p = await simpleParser(Buffer.from(out));
  const norm = (s) => (s ?? "").replace(/\r\n/g, "\n").trim();
  const addrs = (h) => (h?.value ?? []).map((a) => a.address).join(",");
  const problems = [];
  if (p.subject !== m.subject) problems.push(`subject ${JSON.stringify(p.subject)}`);
  if (addrs(p.to) !== m.to.map((a) => a.address).join(",")) problems.push(`to ${addrs(p.to)}`);
  if (addrs(p.cc) !== m.cc.map((a) => a.address).join(",")) problems.push(`cc ${addrs(p.cc)}`);
  if (m.text && norm(p.text) !== norm(m.text)) problems.push("text body");
  if (m.html && norm(p.html) !== norm(m.html)) problems.push("html body");
  if (m.attachment) {
    const a = p.attachments[0];
    if (!a || !Buffer.from(m.attachment.data).equals(a.content)) problems.push("attachment bytes");
    else if (a.filename !== m.attachment.filename) problems.push(`attachment filename ${a.filename}`);
  }
  if (problems.length) throw new Error(`${name} did not build the same message (mailparser read back: ${problems.join("; ")})`);
  // Facts a reader should know about the output (not failures).
  const s = Buffer.from(out).toString("latin1");
  return { bytes: out.length, crlf: !/[^\r]\n/.test(s), longestLine: s.split(/\r?\n/).reduce((m, l) => Math.max(m, l.length), 0) };
}

const results = [];
console.log(`MIME builders, interleaved (rotating order), Node ${process.version}`);
console.log("case                builder                 median ms   p90 ms   p99 ms    output    CRLF  longest line");
for (const c of CASES) {
  const fns = Object.fromEntries(NAMES.map((n) => [n, BUILDERS[n](c.msg)]));
  const facts = {};
  for (const n of NAMES) facts[n] = await check(`${n} (${c.name})`, c.msg, await fns[n]());
  const times = Object.fromEntries(NAMES.map((n) => [n, []]));
  const rounds = Math.max(3, Math.round(c.rounds * SCALE));
  for (let r = 0; r < WARMUP(c) + rounds; r++) {
    for (const n of rotate(NAMES, r)) {
      // Each call starts in a task of its own, as a user's send does: without this the next
      // builder would run in a microtask right after the previous one and pay for collecting
      // the garbage that one left (V8 finishes its pending collection at the next large
      // allocation), whichever builder that is.
      await new Promise((resolve) => setImmediate(resolve));
      if (GC_BEFORE) globalThis.gc();
      const t0 = performance.now();
      await fns[n]();
      const ms = performance.now() - t0;
      if (r >= WARMUP(c)) times[n].push(ms);
    }
  }
  fns["mapi-outbox toMime()"]?.done();
  const st = Object.fromEntries(NAMES.map((n) => [n, stats(times[n])]));
  for (const n of NAMES) {
    const s = st[n];
    console.log(`${c.name.padEnd(19)} ${n.padEnd(22)} ${fmt(s.median, 3).padStart(10)} ${fmt(s.p90, 3).padStart(8)} ${fmt(s.p99, 3).padStart(8)} ${String(facts[n].bytes).padStart(9)}  ${facts[n].crlf ? "yes " : "no  "}  ${facts[n].longestLine}`);
  }
  if (NAMES.length < Object.keys(BUILDERS).length) continue; // a diagnostic run of some builders: no ratios
  // Issue 15's ratios: our time ÷ the peer's, per round (interleaved), median; < 1 is faster.
  const ours = times[OURS];
  const ratio = {
    mailComposer: pairedRatio(ours, times.MailComposer),
    mimetext: pairedRatio(ours, times.mimetext),
  };
  const toMimeOnly = {
    mailComposer: pairedRatio(times["mapi-outbox toMime()"], times.MailComposer),
    mimetext: pairedRatio(times["mapi-outbox toMime()"], times.mimetext),
  };
  console.log(`${"".padEnd(19)} create + toMime ÷ MailComposer ${fmt(ratio.mailComposer.median)}x, ÷ mimetext ${fmt(ratio.mimetext.median)}x (median of per-round ratios)`);
  results.push({ case: c.name, rounds, stats: st, facts, ratio, toMimeOnly });
}
await store.close();
if (!results.length) process.exit(0);
const worst = (k) => results.reduce((a, r) => (r.ratio[k].median > a.ratio[k].median ? r : a));
const worstMc = worst("mailComposer");
const worstMt = worst("mimetext");
const target = {
  what: "create + toMime ≤ 0.35x MailComposer's time and ≤ 1.0x mimetext's (with its base64 step), worst case",
  worstMailComposer: { case: worstMc.case, ratio: worstMc.ratio.mailComposer.median, max: 0.35 },
  worstMimetext: { case: worstMt.case, ratio: worstMt.ratio.mimetext.median, max: 1.0 },
};
target.met = target.worstMailComposer.ratio <= 0.35 && target.worstMimetext.ratio <= 1.0;
console.log(`worst: ÷ MailComposer ${fmt(target.worstMailComposer.ratio)}x (${worstMc.case}), ÷ mimetext ${fmt(target.worstMimetext.ratio)}x (${worstMt.case}) → ${target.met ? "met" : "MISSED"}`);
// Profile figures taken by hand (bench/profiles.json), for the report's prose.
const profile = JSON.parse(readFileSync(new URL("./profiles.json", import.meta.url), "utf8")).mime;
emit({ bench: "mime", cases: results, target, profile });
