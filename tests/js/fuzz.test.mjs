// A seeded random-operation fuzzer with hostile arguments (issue 11). Each run draws a list
// of operations from the seed (FUZZ_SEED, else a fresh one, always printed) and plays it on
// a fresh memory store; after every step it checks:
//   - only MapiError escapes (sync methods throw one, async ones reject with one), and every
//     promise settles;
//   - the module stays usable (a plain message can still be made, saved and queued);
//   - a model of the outgoing queue holds (the ids submit/abort say are queued, and no other);
//   - toMime() output parses (mailparser) with only the headers the writer makes: no Bcc,
//     nothing injected.
// A failing list is shrunk (chunks dropped while it still fails) and printed short, with the
// seed, so that `FUZZ_SEED=<seed> node --test tests/js/fuzz.test.mjs` replays it.
// FUZZ_OPS sets the operation count (default 20,000).
import { test } from "node:test";
import assert from "node:assert/strict";
import { simpleParser } from "mailparser";
import { Store, MapiError } from "mapi-outbox";

const SEED = process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) >>> 0 : (Math.random() * 2 ** 32) >>> 0;
const OPS = Number(process.env.FUZZ_OPS ?? 20_000);
const ME = "me@example.org";
const HEADERS = new Set([
  "from", "to", "cc", "subject", "date", "message-id", "importance", "priority",
  "mime-version", "content-type", "content-transfer-encoding",
]);

function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

// --- hostile values (each made fresh: proxies and buffers are used up) ------------------

function revoked(target = {}) {
  const { proxy, revoke } = Proxy.revocable(target, {});
  revoke();
  return proxy;
}
function detached() {
  const u = new Uint8Array(4);
  structuredClone(u.buffer, { transfer: [u.buffer] });
  return u;
}
const throwing = (target) =>
  new Proxy(target, {
    get() { throw new Error("trap get"); },
    ownKeys() { throw new Error("trap ownKeys"); },
  });
const sparse = () => {
  const a = [];
  a.length = 1e6 + 7;
  return a;
};
const HOSTILE = [
  () => undefined, () => null, () => 0, () => -1, () => NaN, () => 2 ** 53, () => 1e308,
  () => "", () => "x", () => "a\uD800b", () => "line\r\nBcc: evil@example.net", () => "=?utf-8?q?=0D=0ABcc=3A_x=40y.org?=",
  () => Symbol("s"), () => 10n, () => ({}), () => [], () => revoked(), () => revoked([]),
  () => throwing({}), () => throwing([]), () => detached(), () => new Uint8Array(3), () => new Date(NaN),
  () => new Date(0), () => () => 1, sparse, () => "x".repeat(2000),
  () => Object.defineProperty({}, "PidTagSubject", { enumerable: true, get() { throw new Error("getter"); } }),
];
const KEYS = [
  "PidTagSubject", "PidTagBody", "PidTagBodyHtml", "PidTagImportance", "PidTagPriority", "PidTagMessageClass",
  "PidTagDeferredSendTime", "PidTagSenderName", "PidTagSenderEmailAddress", "PidTagInternetMessageId",
  "PidTagMessageFlags", "PidTagDisplayTo", "0x8001001F", "0x80021003", "0x80030102", "nope", "0xZZ",
];
const GOOD = {
  PidTagSubject: ["hi", "Отправка", "=?x?", "a b  c", "smile \u{1F600}"],
  PidTagBody: ["body", "line\r\nline", "--=_mapi-outbox_mixed_0\r\n", ""],
  PidTagBodyHtml: ["<p>x</p>"],
  PidTagImportance: [0, 1, 2],
  PidTagPriority: [-1, 0, 1],
  PidTagSenderName: ["Me", "Mé \"quoted\""],
  PidTagDeferredSendTime: [new Date(Date.now() + 3600_000)],
};
const ADDRESSES = ["a@example.org", "b@example.org", "A@example.org", "not an address", "x@y", "\"q r\"@example.org", ""];

// --- the operations -----------------------------------------------------------------------

/** Draws the i-th operation: a plain description, replayable on its own. */
function draw(r) {
  const pick = (n) => Math.floor(r() * n);
  const kinds = ["create", "create", "setGood", "setHostile", "recip", "recipHostile", "getProps", "deleteProps",
    "save", "submit", "submit", "abort", "delete", "open", "toMime", "toMime", "free", "idHostile", "queue"];
  const kind = kinds[pick(kinds.length)];
  return { kind, a: pick(1 << 30), b: pick(1 << 30), c: pick(1 << 30) };
}

class Failure extends Error {}

async function settles(p, what) {
  let timer;
  const t = new Promise((_, rej) => {
    timer = setTimeout(() => rej(new Failure(`${what}: the promise did not settle in 5 s`)), 5000);
  });
  try {
    return await Promise.race([p, t]);
  } finally {
    clearTimeout(timer);
  }
}

/** Runs a call: returns its value, or null when it failed with a MapiError; anything else fails the run. */
async function call(what, fn, isAsync) {
  let r;
  try {
    r = fn();
  } catch (e) {
    if (isAsync) throw new Failure(`${what}: threw synchronously instead of rejecting: ${e?.name} ${e?.message}`);
    if (e instanceof MapiError) return { err: e };
    throw new Failure(`${what}: threw ${e?.constructor?.name} ${e?.message}`);
  }
  if (!isAsync) return { ok: r };
  try {
    return { ok: await settles(r, what) };
  } catch (e) {
    if (e instanceof Failure) throw e;
    if (e instanceof MapiError) return { err: e };
    throw new Failure(`${what}: rejected with ${e?.constructor?.name} ${e?.message}`);
  }
}

async function play(ops, { stats } = {}) {
  const store = await Store.open({ identity: { email: ME }, spooler: false, maxRecipients: 50 });
  const live = []; // message objects that may still be alive
  const queued = new Set(); // the model: entry ids in the outgoing queue
  const known = []; // every entry id seen
  try {
    for (let i = 0; i < ops.length; i++) {
      const op = ops[i];
      const m = live.length ? live[op.a % live.length] : null;
      const hostile = () => HOSTILE[op.b % HOSTILE.length]();
      const step = `step ${i} ${op.kind}`;
      switch (op.kind) {
        case "create": {
          const r = await call(step, () => store.createMessage(), false);
          if (r.ok) {
            live.push(r.ok);
            known.push(r.ok.entryId);
          }
          break;
        }
        case "setGood": {
          if (!m) break;
          const keys = Object.keys(GOOD);
          const k = keys[op.b % keys.length];
          await call(step, () => m.setProps({ [k]: GOOD[k][op.c % GOOD[k].length] }), false);
          break;
        }
        case "setHostile": {
          if (!m) break;
          const props = op.c % 5 === 0 ? hostile() : { [KEYS[op.c % KEYS.length]]: hostile() };
          await call(step, () => m.setProps(props), false);
          break;
        }
        case "recip": {
          if (!m) break;
          const row = {
            PidTagEmailAddress: ADDRESSES[op.b % ADDRESSES.length],
            PidTagRecipientType: 1 + (op.c % 3),
          };
          if (op.c % 4 === 0) row.PidTagDisplayName = ["Ann", "=?utf-8?q?x?=", "Bö, \"Q\""][op.b % 3];
          await call(step, () => m.modifyRecipients("add", [row]), false);
          break;
        }
        case "recipHostile": {
          if (!m) break;
          const opName = ["add", "modify", "remove", hostile()][op.c % 4];
          const rows = op.c % 3 === 0 ? hostile() : [op.c % 2 ? hostile() : { PidTagEmailAddress: hostile() }];
          await call(step, () => m.modifyRecipients(opName, rows), false);
          break;
        }
        case "getProps":
        case "deleteProps": {
          if (!m) break;
          const names = op.c % 2 ? hostile() : [KEYS[op.c % KEYS.length]];
          await call(step, () => m[op.kind](names), false);
          break;
        }
        case "save": {
          if (!m) break;
          await call(step, () => m.saveChanges(op.c % 3 === 0 ? hostile() : undefined), true);
          break;
        }
        case "submit": {
          if (!m) break;
          let id = null;
          try {
            id = m.entryId;
          } catch (e) {
            if (!(e instanceof MapiError)) throw new Failure(`${step}: entryId threw ${e?.message}`);
          }
          const r = await call(step, () => m.submit(), true);
          if (!r.err) {
            if (id === null) throw new Failure(`${step}: a dead message submitted`);
            queued.add(id);
            if (stats) stats.submitted++;
          }
          break;
        }
        case "abort": {
          const id = known.length ? known[op.b % known.length] : "00";
          const r = await call(step, () => store.abortSubmit(id), true);
          if (!r.err) {
            if (!queued.has(id)) throw new Failure(`${step}: abortSubmit of ${id} succeeded but it was not queued`);
            queued.delete(id);
            if (stats) stats.aborted++;
          } else if (queued.has(id)) {
            throw new Failure(`${step}: abortSubmit of queued ${id} failed: ${r.err.codeName} ${r.err.message}`);
          }
          break;
        }
        case "delete": {
          const id = known.length ? known[op.b % known.length] : "00";
          const r = await call(step, () => store.deleteMessage(id), true);
          if (!r.err && queued.has(id)) throw new Failure(`${step}: deleteMessage removed queued ${id}`);
          break;
        }
        case "open": {
          const id = known.length && op.c % 3 ? known[op.b % known.length] : hostile();
          const opts = op.c % 5 === 0 ? hostile() : op.c % 2 ? { access: "read" } : undefined;
          const r = await call(step, () => store.openMessage(id, opts), true);
          if (r.ok) live.push(r.ok);
          break;
        }
        case "toMime": {
          if (!m) break;
          const r = await call(step, () => m.toMime(), false);
          if (r.ok) {
            const mail = await simpleParser(Buffer.from(r.ok));
            for (const h of mail.headers.keys()) {
              if (!HEADERS.has(h)) throw new Failure(`${step}: toMime wrote a header ${JSON.stringify(h)}`);
            }
            if (mail.bcc) throw new Failure(`${step}: toMime wrote Bcc`);
            if (stats) stats.mimes++;
          }
          break;
        }
        case "free": {
          if (!m) break;
          await call(step, () => m.free(), false);
          live.splice(op.a % live.length, 1);
          break;
        }
        case "idHostile": {
          const method = ["openMessage", "abortSubmit", "deleteMessage", "sendNow", "retryNow", "contents"][op.c % 6];
          await call(step, () => store[method](hostile()), true);
          break;
        }
        case "queue": {
          const r = await call(step, () => store.outgoingQueue(), true);
          if (r.err) throw new Failure(`${step}: outgoingQueue failed: ${r.err.message}`);
          const ids = new Set(r.ok.map((row) => row.entryId));
          const want = [...queued].sort().join(",");
          if ([...ids].sort().join(",") !== want) {
            throw new Failure(`${step}: the queue holds ${[...ids].length} messages, the model ${queued.size}`);
          }
          break;
        }
      }
      if (stats) stats.ops++;
      // The module stays usable: every 500 steps (and at the end) a plain message goes through.
      if (i % 500 === 499 || i === ops.length - 1) {
        const probe = store.createMessage();
        probe.setProps({ PidTagSubject: "probe" });
        probe.modifyRecipients("add", [{ PidTagEmailAddress: "probe@example.org" }]);
        const id = probe.entryId;
        await probe.submit();
        await store.abortSubmit(id);
        await store.deleteMessage(id);
      }
    }
  } finally {
    await store.close().catch(() => {});
  }
}

async function fails(ops) {
  try {
    await play(ops);
    return null;
  } catch (e) {
    return e;
  }
}

/** Drops chunks of the list while it still fails (ddmin-like), down to single steps. */
async function shrink(ops) {
  let cur = ops;
  for (let chunk = Math.ceil(cur.length / 2); chunk >= 1; chunk = Math.floor(chunk / 2)) {
    for (let start = 0; start < cur.length; ) {
      const candidate = cur.slice(0, start).concat(cur.slice(start + chunk));
      if (candidate.length && (await fails(candidate))) cur = candidate;
      else start += chunk;
    }
  }
  return cur;
}

test(`random hostile operations (seed ${SEED}, ${OPS} ops): only MapiErrors, a usable module, a true queue model, clean MIME`, async () => {
  const r = rng(SEED);
  const ops = Array.from({ length: OPS }, () => draw(r));
  const stats = { ops: 0, submitted: 0, aborted: 0, mimes: 0 };
  let failure = null;
  try {
    await play(ops, { stats });
  } catch (e) {
    failure = e;
  }
  console.log(
    `# fuzz: seed ${SEED}, ${stats.ops} operations, ${stats.submitted} submitted, ${stats.aborted} aborted, ${stats.mimes} MIME checked (replay: FUZZ_SEED=${SEED} FUZZ_OPS=${OPS} node --test tests/js/fuzz.test.mjs)`,
  );
  if (failure) {
    const short = await shrink(ops.slice(0, stats.ops + 1));
    assert.fail(
      `fuzz seed ${SEED} failed: ${failure.message}\n` +
        `shrunk to ${short.length} operations: ${JSON.stringify(short)}\n` +
        `failure of the shrunk list: ${(await fails(short))?.message}`,
    );
  }
});
