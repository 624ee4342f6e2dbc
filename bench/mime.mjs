// Benchmark: message.toMime() for a message with a 1 MB attachment, next to nodemailer's
// MailComposer building the same message, in one run, interleaved (ABAB..., the order
// flipping every round so neither always runs on a warmer heap).
//
//   npm run bench:mime            (ROUNDS=200 npm run bench:mime for more samples)
//
// Needs the built package (npm run build). Not part of npm test.
import { performance } from "node:perf_hooks";
import { simpleParser } from "mailparser";
import MailComposer from "nodemailer/lib/mail-composer";
import { Store } from "mapi-outbox";

const ROUNDS = Number(process.env.ROUNDS ?? 100);
const WARMUP = 10;

const data = Uint8Array.from({ length: 1 << 20 }, (_, i) => (i * 2654435761) >>> 24);
const message = {
  from: { name: "Отправитель", address: "me@example.org" },
  to: [{ name: "Иванов, Иван", address: "ivan@example.ru" }, { name: "", address: "b@example.org" }],
  cc: [{ name: "C Person", address: "c@example.org" }],
  subject: "Отчёт за квартал",
  text: "Добрый день!\nОтчёт во вложении.\n",
  html: "<p>Добрый день!</p><p>Отчёт во вложении.</p>",
  filename: "отчёт.bin",
  date: new Date("2024-05-06T07:08:09Z"),
  messageId: "<bench.1@example.org>",
};

// --- mapi-outbox ---
const store = await Store.open({ spooler: false });
const msg = store.createMessage();
msg.setProps({
  PidTagSubject: message.subject,
  PidTagSenderName: message.from.name,
  PidTagSenderEmailAddress: message.from.address,
  PidTagBody: message.text,
  PidTagBodyHtml: message.html,
  PidTagClientSubmitTime: message.date,
  PidTagInternetMessageId: message.messageId,
});
msg.modifyRecipients("add", [
  ...message.to.map((a) => ({ PidTagRecipientType: 1, PidTagEmailAddress: a.address, ...(a.name ? { PidTagDisplayName: a.name } : {}) })),
  ...message.cc.map((a) => ({ PidTagRecipientType: 2, PidTagEmailAddress: a.address, PidTagDisplayName: a.name })),
]);
const att = msg.createAttach();
att.setProps({
  PidTagAttachLongFilename: message.filename,
  PidTagAttachMimeTag: "application/octet-stream",
  PidTagAttachDataBinary: data,
});
att.saveChanges();

function mapiOutbox() {
  return msg.toMime();
}

// --- nodemailer MailComposer ---
function mailComposer() {
  return new Promise((resolve, reject) => {
    new MailComposer({
      from: message.from,
      to: message.to,
      cc: message.cc,
      subject: message.subject,
      text: message.text,
      html: message.html,
      date: message.date,
      messageId: message.messageId,
      attachments: [{ filename: message.filename, content: Buffer.from(data), contentType: "application/octet-stream" }],
    })
      .compile()
      .build((err, buf) => (err ? reject(err) : resolve(buf)));
  });
}

// Both builders make a message that reads back with the same attachment bytes.
for (const [name, out] of [["mapi-outbox", mapiOutbox()], ["MailComposer", await mailComposer()]]) {
  const m = await simpleParser(Buffer.from(out));
  if (!Buffer.from(data).equals(m.attachments[0]?.content ?? Buffer.alloc(0)) || m.subject !== message.subject) {
    throw new Error(`${name} did not build the same message`);
  }
}

const builders = [
  ["mapi-outbox toMime()", async () => mapiOutbox()],
  ["nodemailer MailComposer", mailComposer],
];
const times = new Map(builders.map(([n]) => [n, []]));
const sizes = new Map();
for (let round = 0; round < WARMUP + ROUNDS; round++) {
  const order = round % 2 === 0 ? builders : [...builders].reverse();
  for (const [name, fn] of order) {
    const t0 = performance.now();
    const out = await fn();
    const ms = performance.now() - t0;
    sizes.set(name, out.length);
    if (round >= WARMUP) times.get(name).push(ms);
  }
}
await store.close();

const quantile = (xs, q) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil(q * s.length) - 1)];
};
console.log(`command: ${process.env.npm_lifecycle_event ? `npm run ${process.env.npm_lifecycle_event}` : `node ${process.argv.slice(1).map((a) => a.replace(process.cwd() + "/", "")).join(" ")}`}${process.env.ROUNDS ? ` (ROUNDS=${process.env.ROUNDS})` : ""}`);
console.log(`node ${process.version} (${process.platform} ${process.arch}); message: 1 MiB attachment, text + html, Russian subject; ${ROUNDS} rounds interleaved after ${WARMUP} warm-up rounds`);
const stats = new Map();
for (const [name] of builders) {
  const xs = times.get(name);
  const s = { median: quantile(xs, 0.5), p90: quantile(xs, 0.9) };
  stats.set(name, s);
  console.log(`${name.padEnd(26)} median ${s.median.toFixed(2).padStart(7)} ms   p90 ${s.p90.toFixed(2).padStart(7)} ms   output ${sizes.get(name)} bytes`);
}
const [a, b] = builders.map(([n]) => stats.get(n));
console.log(`ratio toMime / MailComposer: median ${(a.median / b.median).toFixed(3)}, p90 ${(a.p90 / b.p90).toFixed(3)}`);
