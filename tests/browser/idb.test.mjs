// The IndexedDB backend in real headless Chromium (Debian's /usr/bin/chromium through
// playwright-core; never fake-indexeddb): durability across reloads and closed pages, many
// tabs on one database, the corrupt-data path, quota exhaustion, and a newer tab's upgrade.
// Every test uses its own database name; pages share one browser profile (one origin).
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { startStaticServer } from "../../scripts/static-server.mjs";
import { collectPageErrors, launchChromium } from "../support/browser.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const repo = join(here, "..", "..");

let server;
let browser;
let dbNo = 0;

before(async () => {
  if (!existsSync(join(repo, "pkg", "mapi_outbox_bg.wasm"))) {
    throw new Error("pkg/mapi_outbox_bg.wasm is missing: run `npm run build` first");
  }
  server = await startStaticServer({
    mounts: { "/": join(here, "page"), "/js/": join(repo, "js"), "/pkg/": join(repo, "pkg") },
  });
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await server?.close();
});

const freshDb = () => `browser-test-${process.pid}-${++dbNo}`;

/** A new tab on the test page, ready (window.mox loaded). */
async function newPage() {
  const page = await browser.context.newPage();
  page.setDefaultTimeout(20_000);
  page.errors = collectPageErrors(page);
  await page.goto(server.url);
  await page.locator("body[data-ready=true]").waitFor({ state: "attached" });
  return page;
}

async function reload(page) {
  await page.reload();
  await page.locator("body[data-ready=true]").waitFor({ state: "attached" });
}

test("a draft and a queued message survive a reload and can still be aborted after it", async () => {
  const db = freshDb();
  const page = await newPage();
  const made = await page.evaluate(async (db) => {
    const store = await mox.open(db);
    const d = mox.draft(store, "a draft");
    const draftId = d.entryId;
    await d.saveChanges();
    const q = mox.draft(store, "a queued message", { recipients: 3 });
    const queuedId = q.entryId;
    await q.submit();
    return { draftId, queuedId };
  }, db);
  await reload(page);
  const after = await page.evaluate(async ({ db, draftId, queuedId }) => {
    const store = await mox.open(db);
    const drafts = mox.ids(await store.contents("drafts"));
    const queue = await store.outgoingQueue();
    const aborted = await mox.outcome(store.abortSubmit(queuedId));
    const draftsAfter = mox.ids(await store.contents("drafts"));
    const m = await store.openMessage(queuedId);
    return {
      drafts,
      queue: mox.ids(queue),
      to: queue[0]?.PidTagDisplayTo,
      flags: queue[0]?.PidTagMessageFlags,
      aborted,
      draftsAfter,
      queueAfter: mox.ids(await store.outgoingQueue()),
      subject: m.getProps(["PidTagSubject"]).PidTagSubject,
      again: await mox.outcome(store.abortSubmit(queuedId)),
      draftOpens: await mox.outcome(store.openMessage(draftId)),
    };
  }, { db, ...made });
  assert.deepEqual(after.drafts, [made.draftId]);
  assert.deepEqual(after.queue, [made.queuedId]);
  assert.equal(after.to, "r0@example.org; r1@example.org; r2@example.org");
  assert.equal(after.flags & 0x4, 0x4, "MSGFLAG_SUBMIT survives the reload");
  assert.deepEqual(after.aborted, { ok: true });
  assert.deepEqual(after.draftsAfter, [made.queuedId, made.draftId], "newest first");
  assert.deepEqual(after.queueAfter, []);
  assert.equal(after.subject, "a queued message");
  assert.equal(after.again.code, "MAPI_E_NOT_IN_QUEUE");
  assert.deepEqual(after.draftOpens, { ok: true });
  assert.deepEqual(page.errors, []);
  await page.close();
});

test("a page closed in the middle of a burst of 200 submits reopens with each message queued or a draft, none half-written", async () => {
  const db = freshDb();
  const page = await newPage();
  const started = await page.evaluate(async (db) => {
    const store = await mox.open(db);
    const msgs = [];
    for (let i = 0; i < 200; i++) {
      const m = mox.draft(store, `burst ${i}`, { recipients: 3, bodyBytes: 2048 });
      await m.saveChanges();
      msgs.push(m);
    }
    const all = msgs.map((m) => m.entryId);
    window.confirmed = [];
    // Fire all 200 at once; come back while they are still being written.
    await new Promise((resolve) => {
      msgs.forEach((m, i) =>
        m.submit().then(() => {
          window.confirmed.push(all[i]);
          if (window.confirmed.length === 60) resolve();
        }, () => {}),
      );
    });
    return { all, confirmed: [...window.confirmed] };
  }, db);
  await page.close(); // mid-burst: the rest of the submits are in flight
  const page2 = await newPage();
  const seen = await page2.evaluate(async (db) => {
    const store = await mox.open(db);
    const queue = await store.outgoingQueue();
    const drafts = await store.contents("drafts");
    const outbox = await store.contents("outbox");
    const unreadable = [];
    for (const r of [...queue, ...drafts]) {
      const o = await mox.outcome(store.openMessage(r.entryId, { access: "read" }));
      if (!o.ok) unreadable.push(`${r.entryId}: ${o.code} ${o.message}`);
    }
    return {
      queue: mox.ids(queue),
      queueSubmitFlag: queue.every((r) => (r.PidTagMessageFlags & 4) === 4),
      drafts: mox.ids(drafts),
      draftsSubmitFlag: drafts.some((r) => (r.PidTagMessageFlags & 4) === 4),
      outbox: mox.ids(outbox),
      unreadable,
    };
  }, db);
  const queued = new Set(seen.queue);
  const drafts = new Set(seen.drafts);
  assert.equal(queued.size + drafts.size, 200, `${queued.size} queued + ${drafts.size} drafts`);
  for (const id of started.all) assert.ok(queued.has(id) !== drafts.has(id), `${id} is exactly one of queued/draft`);
  for (const id of started.confirmed) assert.ok(queued.has(id), `${id} was confirmed before the close, so it is queued`);
  assert.ok(queued.size >= 60 && queued.size <= 200);
  assert.deepEqual([...seen.outbox].sort(), [...seen.queue].sort(), "the Outbox folder is the queue");
  assert.ok(seen.queueSubmitFlag, "queued rows have MSGFLAG_SUBMIT");
  assert.ok(!seen.draftsSubmitFlag, "drafts do not");
  assert.deepEqual(seen.unreadable, []);
  assert.deepEqual(page2.errors, []);
  await page2.close();
});

test("two pages submitting and aborting at once see one consistent queue, and each other's events", async () => {
  const db = freshDb();
  const [a, b] = [await newPage(), await newPage()];
  await Promise.all([a, b].map((p) => p.evaluate(async (db) => { window.store = await mox.open(db); }, db)));
  const work = (p, tag) =>
    p.evaluate(async (tag) => {
      const store = window.store;
      const mine = [];
      await Promise.all(
        Array.from({ length: 20 }, async (_, i) => {
          const m = mox.draft(store, `${tag} ${i}`);
          mine.push(m.entryId);
          await m.submit();
        }),
      );
      // Both pages race to abort every other message of the queue as each sees it.
      const queue = mox.ids(await store.outgoingQueue());
      const wanted = queue.filter((_, i) => i % 2 === 0);
      const results = await Promise.all(wanted.map((id) => mox.outcome(store.abortSubmit(id))));
      const aborted = wanted.filter((_, i) => results[i].ok);
      const refused = results.filter((r) => !r.ok).map((r) => r.code);
      return { mine, aborted, refused };
    }, tag);
  const [ra, rb] = await Promise.all([work(a, "A"), work(b, "B")]);
  const abortedTwice = ra.aborted.filter((id) => rb.aborted.includes(id));
  assert.deepEqual(abortedTwice, [], "no message was aborted by both pages");
  for (const code of [...ra.refused, ...rb.refused]) assert.equal(code, "MAPI_E_NOT_IN_QUEUE");
  const aborted = new Set([...ra.aborted, ...rb.aborted]);
  const expected = [...ra.mine, ...rb.mine].filter((id) => !aborted.has(id)).sort();
  const views = await Promise.all(
    [a, b].map((p) =>
      p.evaluate(async () => {
        // let the other page's last broadcast arrive
        await new Promise((r) => setTimeout(r, 100));
        const store = window.store;
        const queue = await store.outgoingQueue();
        const drafts = await store.contents("drafts");
        return {
          queue: mox.ids(queue),
          drafts: mox.ids(drafts),
          submitted: store.seen.filter((e) => e.type === "submitted").length,
          abortedEvents: store.seen.filter((e) => e.type === "aborted").length,
          queuechanges: store.seen.filter((e) => e.type === "queuechange").length,
        };
      }),
    ),
  );
  assert.deepEqual(views[0].queue, views[1].queue, "both pages see one queue, in one order");
  assert.deepEqual([...views[0].queue].sort(), expected);
  assert.deepEqual([...views[0].drafts].sort(), [...aborted].sort());
  for (const v of views) {
    assert.equal(v.submitted, 40, "submitted events from both pages");
    assert.equal(v.abortedEvents, aborted.size, "aborted events from both pages");
    assert.equal(v.queuechanges, 40 + aborted.size);
  }
  assert.deepEqual([...a.errors, ...b.errors], []);
  await a.close();
  await b.close();
});

test("the corrupt-data path end to end: the real stored record is damaged, rewrite and resubmit repairs it", async () => {
  const db = freshDb();
  const [a, b] = [await newPage(), await newPage()];
  const id = await a.evaluate(async (db) => {
    window.store = await mox.open(db);
    window.m = mox.draft(window.store, "to be damaged");
    await window.m.saveChanges();
    await window.store.corruptRecordForTesting(window.m.entryId);
    return window.m.entryId;
  }, db);
  // Another tab reads the damaged record straight from IndexedDB.
  const raw = await b.evaluate(async ({ db, id }) => {
    const idb = await new Promise((ok, fail) => {
      const r = indexedDB.open(db);
      r.onsuccess = () => ok(r.result);
      r.onerror = () => fail(r.error);
    });
    const get = (name) => new Promise((ok) => {
      const r = idb.transaction(name).objectStore(name).get(id);
      r.onsuccess = () => ok(r.result);
    });
    const rec = await get("messages");
    const blob = await get("blobs");
    idb.close();
    const store = await mox.open(db);
    return {
      // The content lives apart from the record, so listings never read it.
      hasBlob: blob instanceof Uint8Array && blob.length > 8 && !("blob" in (rec ?? {})),
      format: rec?.format,
      open: await mox.outcome(store.openMessage(id)),
    };
  }, { db, id });
  assert.ok(raw.hasBlob);
  assert.equal(raw.format, 1);
  assert.equal(raw.open.code, "MAPI_E_CORRUPT_DATA");
  assert.match(raw.open.message, new RegExp(id));
  const repaired = await a.evaluate(async () => {
    const { store, m } = window;
    const first = await mox.outcome(m.submit());
    const stillUsable = m.getProps(["PidTagSubject"]).PidTagSubject;
    m.setProps({ PidTagSubject: "to be damaged (rewritten)" });
    await m.saveChanges();
    const second = await mox.outcome(m.submit());
    return { first, stillUsable, second, queue: mox.ids(await store.outgoingQueue()) };
  });
  assert.equal(repaired.first.code, "MAPI_E_CORRUPT_DATA");
  assert.equal(repaired.stillUsable, "to be damaged");
  assert.deepEqual(repaired.second, { ok: true });
  assert.deepEqual(repaired.queue, [id]);
  const seenByB = await b.evaluate(async ({ db, id }) => {
    const store = await mox.open(db);
    const m = await store.openMessage(id, { access: "read" });
    return m.getProps(["PidTagSubject"]).PidTagSubject;
  }, { db, id });
  assert.equal(seenByB, "to be damaged (rewritten)");
  assert.deepEqual([...a.errors, ...b.errors], []);
  await a.close();
  await b.close();
});

test("quota exceeded is MAPI_E_NOT_ENOUGH_DISK, with nothing half-written and earlier data intact", async () => {
  const db = freshDb();
  // A fresh origin (localhost rather than 127.0.0.1): Chromium applies a quota override to
  // an origin's storage opened after it, so it is set before this origin stores anything.
  const url = server.url.replace("127.0.0.1", "localhost");
  const origin = new URL(url).origin;
  const page = await browser.context.newPage();
  page.errors = collectPageErrors(page);
  const cdp = await browser.context.newCDPSession(page);
  await cdp.send("Storage.overrideQuotaForOrigin", { origin, quotaSize: 1024 * 1024 });
  try {
    await page.goto(url);
    await page.locator("body[data-ready=true]").waitFor({ state: "attached" });
    const before = await page.evaluate(async (db) => {
      const store = await mox.open(db);
      const d = mox.draft(store, "small draft");
      await d.saveChanges();
      const q = mox.draft(store, "small queued");
      const queuedId = q.entryId;
      await q.submit();
      return { draftId: d.entryId, queuedId };
    }, db);
    const res = await page.evaluate(async (db) => {
      const store = await mox.open(db);
      const big = mox.draft(store, "too big for the quota");
      const a = big.createAttach();
      // 4 MiB of random bytes: IndexedDB cannot compress them below the quota.
      const data = new Uint8Array(64 * 65_536);
      for (let i = 0; i < data.length; i += 65_536) crypto.getRandomValues(data.subarray(i, i + 65_536));
      a.setProps({ PidTagAttachLongFilename: "big.bin", PidTagAttachDataBinary: data });
      a.saveChanges();
      const bigId = big.entryId;
      const submit = await mox.outcome(big.submit());
      const save = await mox.outcome(big.saveChanges());
      return {
        bigId,
        submit,
        save,
        objectStillUsable: big.getProps(["PidTagSubject"]).PidTagSubject,
        queue: mox.ids(await store.outgoingQueue()),
        drafts: mox.ids(await store.contents("drafts")),
      };
    }, db);
    assert.equal(res.submit.code, "MAPI_E_NOT_ENOUGH_DISK", res.submit.message);
    assert.match(res.submit.message, /quota/i);
    assert.match(res.submit.message, new RegExp(res.bigId));
    assert.equal(res.save.code, "MAPI_E_NOT_ENOUGH_DISK");
    assert.equal(res.objectStillUsable, "too big for the quota");
    assert.deepEqual(res.queue, [before.queuedId], "nothing was queued");
    assert.deepEqual(res.drafts, [before.draftId], "nothing half-written");

    await page.reload();
    await page.locator("body[data-ready=true]").waitFor({ state: "attached" });
    const intact = await page.evaluate(async ({ db, draftId, queuedId }) => {
      const store = await mox.open(db);
      const d = await store.openMessage(draftId);
      const q = await store.openMessage(queuedId, { access: "read" });
      const small = mox.draft(store, "still fits");
      return {
        subjects: [d.getProps(["PidTagSubject"]).PidTagSubject, q.getProps(["PidTagSubject"]).PidTagSubject],
        queue: mox.ids(await store.outgoingQueue()),
        submit: await mox.outcome(small.submit()),
      };
    }, { db, ...before });
    assert.deepEqual(intact.subjects, ["small draft", "small queued"]);
    assert.deepEqual(intact.queue, [before.queuedId]);
    assert.deepEqual(intact.submit, { ok: true }, "small writes still fit");
  } finally {
    await cdp.send("Storage.overrideQuotaForOrigin", { origin });
  }
  assert.deepEqual(page.errors, []);
  await page.close();
});

test("a newer version in a second tab is never blocked: the first tab closes and is told why", async () => {
  const db = freshDb();
  const [a, b] = [await newPage(), await newPage()];
  await a.evaluate(async (db) => {
    window.store = await mox.open(db);
    await mox.draft(window.store, "before the upgrade").saveChanges();
  }, db);
  const upgraded = await b.evaluate(async (db) => {
    const t0 = performance.now();
    const version = await new Promise((ok, fail) => {
      const r = indexedDB.open(db, 2);
      r.onupgradeneeded = () => r.result.createObjectStore("v2-only");
      r.onsuccess = () => {
        const v = r.result.version;
        r.result.close();
        ok(v);
      };
      r.onerror = () => fail(r.error);
      r.onblocked = () => fail(new Error("blocked by the first tab"));
    });
    return { version, ms: performance.now() - t0 };
  }, db);
  assert.equal(upgraded.version, 2);
  assert.ok(upgraded.ms < 5000, `the upgrade took ${upgraded.ms} ms`);
  const told = await a.evaluate(async (db) => {
    await new Promise((r) => setTimeout(r, 50));
    const { store } = window;
    return {
      events: store.seen.filter((e) => e.type === "versionchange").map((e) => e.detail),
      call: await mox.outcome(store.outgoingQueue()),
      reopen: await mox.outcome(mox.open(db)),
    };
  }, db);
  assert.deepEqual(told.events, [{ name: db, oldVersion: 1, newVersion: 2 }]);
  assert.equal(told.call.code, "MAPI_E_INVALID_OBJECT");
  assert.match(told.call.message, /version 2/);
  assert.match(told.call.message, /reload/);
  assert.equal(told.reopen.code, "MAPI_E_NO_SUPPORT");
  assert.match(told.reopen.message, /newer version/);
  assert.deepEqual([...a.errors, ...b.errors], []);
  await a.close();
  await b.close();
});

test("a queued message whose stored metadata is damaged stays in the queue as a row that says so, and abort brings it back to Drafts", async () => {
  const db = freshDb();
  const page = await newPage();
  const id = await page.evaluate(async (db) => {
    const store = await mox.open(db);
    const m = mox.draft(store, "metadata to be damaged", { recipients: 2 });
    const id = m.entryId;
    await m.submit();
    const ok = mox.draft(store, "an intact neighbour");
    await ok.submit();
    await store.close();
    return id;
  }, db);
  const after = await page.evaluate(async ({ db, id }) => {
    const raw = async (db, f) => {
      const idb = await new Promise((ok, fail) => {
        const r = indexedDB.open(db);
        r.onsuccess = () => ok(r.result);
        r.onerror = () => fail(r.error);
      });
      try {
        return await f(idb);
      } finally {
        idb.close();
      }
    };
    // Damage the record's metadata (not its content), as a disk or a bad extension could.
    await raw(db, (idb) => new Promise((ok, fail) => {
      const tx = idb.transaction("messages", "readwrite");
      const s = tx.objectStore("messages");
      const r = s.get(id);
      r.onsuccess = () => s.put({ ...r.result, meta: new Uint8Array([1, 2, 3]) });
      tx.oncomplete = ok;
      tx.onerror = () => fail(tx.error);
    }));
    const store = await mox.open(db);
    const queue = await store.outgoingQueue();
    const row = queue.find((r) => r.entryId === id);
    const aborted = await mox.outcome(store.abortSubmit(id));
    const queueAfter = mox.ids(await store.outgoingQueue());
    const drafts = mox.ids(await store.contents("drafts"));
    const back = await store.openMessage(id);
    return {
      rows: queue.length,
      lastError: row?.lastError,
      flags: row?.PidTagMessageFlags,
      aborted,
      queueAfter,
      inDrafts: drafts.includes(id),
      subject: back.getProps(["PidTagSubject"]).PidTagSubject,
      recipients: back.getRecipients().length,
    };
  }, { db, id });
  assert.equal(after.rows, 2, "the damaged message is still listed, beside the intact one");
  assert.match(after.lastError ?? "", /MAPI_E_CORRUPT_DATA.*damaged/);
  assert.equal(after.flags & 4, 4, "MSGFLAG_SUBMIT: it is queued");
  assert.deepEqual(after.aborted, { ok: true });
  assert.equal(after.queueAfter.length, 1);
  assert.ok(!after.queueAfter.includes(id));
  assert.ok(after.inDrafts, "aborted back into Drafts, rebuilt from its intact content");
  assert.equal(after.subject, "metadata to be damaged");
  assert.equal(after.recipients, 2);
  assert.deepEqual(page.errors, []);
  await page.close();
});

test("a damaged store meta record is repaired from the messages: Store.open works, nothing is lost, and the console says what was repaired", async () => {
  const db = freshDb();
  const page = await newPage();
  const warnings = [];
  page.on("console", (m) => m.type() === "warning" && warnings.push(m.text()));
  const before = await page.evaluate(async (db) => {
    const store = await mox.open(db);
    const d = mox.draft(store, "a draft");
    await d.saveChanges();
    const q = mox.draft(store, "queued");
    const qid = q.entryId;
    await q.submit();
    const out = { draft: d.entryId, queued: qid };
    await store.close();
    return out;
  }, db);
  const after = await page.evaluate(async ({ db, before }) => {
    const raw = async (db, f) => {
      const idb = await new Promise((ok, fail) => {
        const r = indexedDB.open(db);
        r.onsuccess = () => ok(r.result);
        r.onerror = () => fail(r.error);
      });
      try {
        return await f(idb);
      } finally {
        idb.close();
      }
    };
    await raw(db, (idb) => new Promise((ok, fail) => {
      const tx = idb.transaction("meta", "readwrite");
      tx.objectStore("meta").put({ uid: "not a uid", seq: "x" }, "store");
      tx.oncomplete = ok;
      tx.onerror = () => fail(tx.error);
    }));
    const opened = await mox.outcome(mox.open(db));
    const store = await mox.open(db);
    const draft = await store.openMessage(before.draft);
    const queue = mox.ids(await store.outgoingQueue());
    const aborted = await mox.outcome(store.abortSubmit(before.queued));
    // A new message after the repair gets a later change sequence than the old ones.
    const n = mox.draft(store, "after the repair");
    await n.saveChanges();
    const drafts = (await store.contents("drafts")).map((r) => r.PidTagSubject);
    return { opened, draft: draft.getProps(["PidTagSubject"]).PidTagSubject, queue, aborted, drafts, sameIds: draft.entryId === before.draft };
  }, { db, before });
  assert.deepEqual(after.opened, { ok: true });
  assert.equal(after.draft, "a draft");
  assert.ok(after.sameIds);
  assert.deepEqual(after.queue, [before.queued]);
  assert.deepEqual(after.aborted, { ok: true });
  assert.equal(after.drafts[0], "after the repair", "newest first: the sequence was set past every record's");
  assert.equal(after.drafts.length, 3);
  assert.ok(warnings.some((w) => /meta record was damaged and has been repaired.*2 of its 2 messages/.test(w)), warnings.join("\n"));
  assert.deepEqual(page.errors, []);
  await page.close();
});

test("the finished-id tombstones stay bounded on IndexedDB: past 4,096 + 256 the oldest are pruned as a message finishes", async () => {
  const db = freshDb();
  const page = await newPage();
  const out = await page.evaluate(async (db) => {
    const raw = async (f) => {
      const idb = await new Promise((ok, fail) => {
        const r = indexedDB.open(db);
        r.onsuccess = () => ok(r.result);
        r.onerror = () => fail(r.error);
      });
      try {
        return await f(idb);
      } finally {
        idb.close();
      }
    };
    const count = () => raw((idb) => new Promise((ok) => {
      const r = idb.transaction("finished").objectStore("finished").count();
      r.onsuccess = () => ok(r.result);
    }));
    const has = (key) => raw((idb) => new Promise((ok) => {
      const r = idb.transaction("finished").objectStore("finished").get(key);
      r.onsuccess = () => ok(r.result !== undefined);
    }));
    let store = await mox.open(db);
    await store.close();
    // 4,400 tombstones of long-sent messages, the oldest first.
    await raw((idb) => new Promise((ok, fail) => {
      const tx = idb.transaction("finished", "readwrite");
      const s = tx.objectStore("finished");
      for (let i = 0; i < 4400; i++) s.put({ at: 1000 + i }, `old-${String(i).padStart(5, "0")}`);
      tx.oncomplete = ok;
      tx.onerror = () => fail(tx.error);
    }));
    const before = await count();
    store = await mox.open(db, { spooler: true, transports: [{ name: "t", addressTypes: ["SMTP"], async send() {} }] });
    const m = mox.draft(store, "one more");
    const id = m.entryId;
    await m.submit();
    await store.flush();
    const abort = await mox.outcome(store.abortSubmit(id));
    await store.close();
    return { before, after: await count(), newest: await has(id), oldest: await has("old-00000"), kept: await has("old-04399"), abort };
  }, db);
  assert.equal(out.before, 4400);
  assert.equal(out.after, 4096, "pruned back to the kept number");
  assert.ok(out.newest, "the message just sent is remembered");
  assert.equal(out.abort.code, "MAPI_E_NOT_IN_QUEUE");
  assert.ok(!out.oldest, "the oldest tombstone was dropped");
  assert.ok(out.kept, "recent tombstones stay");
  assert.deepEqual(page.errors, []);
  await page.close();
});

test("events posted by another tab are checked against their type's shape: malformed ones are dropped, good ones arrive as fresh objects", async () => {
  const db = freshDb();
  const page = await newPage();
  const out = await page.evaluate(async (db) => {
    const store = await mox.open(db);
    const seen = [];
    for (const t of ["sent", "retry", "aborted", "ndr", "queuechange"]) {
      store.addEventListener(t, (e) => seen.push([t, e.detail]));
    }
    const id = "00".repeat(36);
    const sentDetail = { entryId: id, sentEntryId: null, submissionId: "s1", extra: "dropped field" };
    const other = new BroadcastChannel(`mapi-outbox:${db}`);
    other.postMessage([
      ["sent", { entryId: 5 }], // wrong type
      ["retry", { entryId: id, attempt: 1, error: "x", nextAttemptAt: "tomorrow" }], // not a Date
      ["aborted", { entryId: "not hex" }],
      ["ndr", { entryId: id, reportEntryId: id, recipients: [{ email: 1 }] }],
      ["nonsense", {}],
      "not a pair",
      ["sent", sentDetail],
      ["retry", { entryId: id, attempt: 2, error: "421", nextAttemptAt: new Date(5000) }],
    ]);
    other.postMessage({ not: "a list" });
    await new Promise((r) => setTimeout(r, 300));
    other.close();
    await store.close();
    return { seen: seen.map(([t, d]) => [t, JSON.stringify(d)]), same: seen.some(([, d]) => d === sentDetail) };
  }, db);
  assert.deepEqual(out.seen, [
    ["sent", JSON.stringify({ entryId: "00".repeat(36), sentEntryId: null, submissionId: "s1" })],
    ["retry", JSON.stringify({ entryId: "00".repeat(36), attempt: 2, error: "421", nextAttemptAt: new Date(5000) })],
  ]);
  assert.equal(out.same, false, "a fresh object, not the posted one");
  assert.deepEqual(page.errors, []);
  await page.close();
});

test("a save or submit of a message never saved reads only the store's meta record; a saved one's also reads its record, and a second object sees the first one's changes", async () => {
  const db = freshDb();
  const page = await newPage();
  const out = await page.evaluate(async (db) => {
    const store = await mox.open(db);
    // Count the store names of IDBObjectStore.get calls made while `fn` runs.
    const gets = async (fn) => {
      const real = IDBObjectStore.prototype.get;
      const seen = [];
      IDBObjectStore.prototype.get = function (k) {
        seen.push(this.name);
        return real.call(this, k);
      };
      try {
        await fn();
      } finally {
        IDBObjectStore.prototype.get = real;
      }
      return seen.sort();
    };
    const fresh = mox.draft(store, "never saved");
    const freshId = fresh.entryId;
    const submitFresh = await gets(() => fresh.submit());
    const saved = mox.draft(store, "saved first");
    const saveFresh = await gets(() => saved.saveChanges());
    const saveAgain = await gets(() => saved.saveChanges());
    // Another object on the saved message, changed and saved: the first object's submit must
    // see that (it reads the record) and refuse to overwrite it.
    const other = await store.openMessage(saved.entryId);
    other.setProps({ PidTagSubject: "changed elsewhere" });
    await other.saveChanges();
    const stale = await mox.outcome(saved.submit());
    const rows = await store.outgoingQueue();
    await store.close();
    return { submitFresh, saveFresh, saveAgain, stale, queued: rows.map((r) => r.entryId), freshId };
  }, db);
  assert.deepEqual(out.submitFresh, ["meta"], "submit of a never-saved message: the change sequence only");
  assert.deepEqual(out.saveFresh, ["meta"], "first save: the change sequence only");
  assert.deepEqual(out.saveAgain, ["blobs", "messages", "meta"], "a later save reads the record it replaces");
  assert.equal(out.stale.code, "MAPI_E_OBJECT_CHANGED");
  assert.deepEqual(out.queued, [out.freshId], "only the never-saved message was queued");
  assert.deepEqual(page.errors, []);
  await page.close();
});
