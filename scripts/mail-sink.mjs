#!/usr/bin/env node
// A small local mail sink for the demo: the HTTP endpoint that the page's httpTransport
// (js/http-transport.js) posts to. It is a stand-in for a mail submission gateway, made to
// show the submission model, not to deliver mail anywhere.
//
//   POST   /sink/messages         a message/rfc822 body with the transport's headers
//                                 (Idempotency-Key, X-Mail-From, X-Rcpt-To, X-Message-Id,
//                                 X-Attempt, X-Possible-Duplicate). Stores it as
//                                 <folder>/<nnnnnn>-<key>.eml (+ a .json sidecar) and answers
//                                 200 {"id", "duplicate": false}.
//                                 - A key already stored → 200 {"duplicate": true}, nothing
//                                   stored again (retries after a lost answer are harmless).
//                                 - A key whose request is still being handled → 409.
//                                 - Offline → 503 with Retry-After (seconds): the transport
//                                   treats it as MAPI_E_WAIT and the spooler retries.
//                                 - Recipients in the reserved ".invalid" domain are refused
//                                   for good: 200 {"failed": [{email, reason}]} (the page then
//                                   shows the NDR); the message is stored for the others.
//   GET    /sink/messages         JSON list of what was received, newest first
//   GET    /sink/messages/<id>    the stored .eml (text/plain, to read in the browser)
//   DELETE /sink/messages         forget everything received (deletes the files)
//   GET    /sink/state            {"offline", "delayMs", "retryAfterSeconds", "folder", "received",
//                                 "inProgress"}
//   PUT    /sink/state            JSON {"offline"?: bool, "delayMs"?: ms, "retryAfterSeconds"?: s}:
//                                 the switches.
//                                 delayMs holds each POST that long before answering (shows
//                                 the "sending" state; setting it to 0 releases held ones).
//
// Writes need a non-simple Content-Type (message/rfc822, application/json), so a page of
// another origin cannot reach them without a CORS preflight, which the sink never grants.
//
// Used by scripts/serve.mjs (mounted at /sink/ on the demo's origin, so the page's strict
// CSP `default-src 'self'` covers it) and runnable on its own:
//   node scripts/mail-sink.mjs        (SINK_PORT, default 8025; SINK_DIR, default below)
import { createServer } from "node:http";
import { mkdir, readdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

export const DEFAULT_SINK_DIR = join(tmpdir(), "mapi-outbox-mail-sink");
const MAX_BODY = 64 << 20;

/** Decodes RFC 2047 encoded words ("=?utf-8?B?...?=") in a header value, for the listing. */
export function decodeWords(value) {
  const text = value.replace(/(\?=)\s+(=\?)/g, "$1$2"); // whitespace between words is dropped
  return text.replace(/=\?([^?]+)\?([bBqQ])\?([^?]*)\?=/g, (all, charset, enc, data) => {
    try {
      let bytes;
      if (enc.toUpperCase() === "B") bytes = Buffer.from(data, "base64");
      else {
        const s = data.replace(/_/g, " ").replace(/=([0-9A-Fa-f]{2})/g, (_, h) => String.fromCharCode(parseInt(h, 16)));
        bytes = Buffer.from(s, "latin1");
      }
      return new TextDecoder(charset.split("*")[0].toLowerCase(), { fatal: false }).decode(bytes);
    } catch {
      return all;
    }
  });
}

/** The unfolded header section of an RFC 5322 message as [name, value] pairs. */
export function parseHeaders(bytes) {
  const text = Buffer.from(bytes).toString("latin1");
  const end = text.search(/\r?\n\r?\n/);
  const head = end < 0 ? text : text.slice(0, end);
  const headers = [];
  for (const line of head.split(/\r?\n/)) {
    if (/^[ \t]/.test(line) && headers.length) headers[headers.length - 1][1] += " " + line.trim();
    else {
      const i = line.indexOf(":");
      if (i > 0) headers.push([line.slice(0, i).trim().toLowerCase(), line.slice(i + 1).trim()]);
    }
  }
  // Header bytes are ASCII (non-ASCII text is in encoded words), but read UTF-8 if present.
  return headers.map(([k, v]) => [k, decodeWords(Buffer.from(v, "latin1").toString("utf8"))]);
}

function splitList(value) {
  if (!value) return [];
  return value
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean)
    .map((s) => {
      try {
        return decodeURIComponent(s);
      } catch {
        return s;
      }
    });
}

function json(res, status, body, extra = {}) {
  res.writeHead(status, {
    "Content-Type": "application/json; charset=utf-8",
    "Cache-Control": "no-store",
    "X-Content-Type-Options": "nosniff",
    ...extra,
  });
  res.end(JSON.stringify(body));
}

async function readBody(req) {
  const chunks = [];
  let size = 0;
  for await (const chunk of req) {
    size += chunk.length;
    if (size > MAX_BODY) throw Object.assign(new Error("message too large"), { status: 413 });
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

/**
 * Creates a sink storing into `dir`. Returns { handle(req, res, path), state(), list(),
 * setState({ offline, delayMs }), clear(), dir, ready }. `handle` answers paths under
 * /sink/ (the caller strips nothing: it gets the URL path as is).
 */
export function createMailSink({ dir = DEFAULT_SINK_DIR, retryAfterSeconds = 2, log = false } = {}) {
  const byKey = new Map(); // Idempotency-Key -> record
  const inFlight = new Set(); // keys being handled right now
  const records = []; // oldest first
  let seq = 0;
  let offline = false;
  let delayMs = 0;
  const held = new Set(); // resolvers of POSTs being held by delayMs

  const ready = (async () => {
    await mkdir(dir, { recursive: true });
    // Pick up what an earlier run received, so dedupe and the listing survive a restart.
    const names = (await readdir(dir)).filter((n) => n.endsWith(".json")).sort();
    for (const name of names) {
      try {
        const rec = JSON.parse(await readFile(join(dir, name), "utf8"));
        if (typeof rec?.id !== "string" || typeof rec.idempotencyKey !== "string") continue;
        records.push(rec);
        byKey.set(rec.idempotencyKey, rec);
        seq = Math.max(seq, Number.parseInt(rec.id, 10) || 0);
      } catch {
        /* not ours */
      }
    }
  })();

  const state = () => ({ offline, delayMs, retryAfterSeconds, folder: dir, received: records.length, inProgress: inFlight.size });

  function setState(next) {
    if (next.offline !== undefined) {
      if (typeof next.offline !== "boolean") throw Object.assign(new Error("offline must be a boolean"), { status: 400 });
      offline = next.offline;
    }
    if (next.retryAfterSeconds !== undefined) {
      if (!Number.isInteger(next.retryAfterSeconds) || next.retryAfterSeconds < 0 || next.retryAfterSeconds > 3600) {
        throw Object.assign(new Error("retryAfterSeconds must be an integer 0..3600"), { status: 400 });
      }
      retryAfterSeconds = next.retryAfterSeconds;
    }
    if (next.delayMs !== undefined) {
      if (!Number.isInteger(next.delayMs) || next.delayMs < 0 || next.delayMs > 600_000) {
        throw Object.assign(new Error("delayMs must be an integer 0..600000"), { status: 400 });
      }
      delayMs = next.delayMs;
      if (delayMs === 0) for (const release of [...held]) release();
    }
    if (log) console.log(`[sink] ${offline ? "offline" : "online"}, delay ${delayMs} ms`);
    return state();
  }

  function hold(ms) {
    return new Promise((ok) => {
      const release = () => {
        clearTimeout(timer);
        held.delete(release);
        ok();
      };
      const timer = setTimeout(release, ms);
      held.add(release);
    });
  }

  const list = () => [...records].reverse();

  async function clear() {
    for (const rec of records) {
      await rm(join(dir, rec.file), { force: true });
      await rm(join(dir, rec.file.replace(/\.eml$/, ".json")), { force: true });
    }
    records.length = 0;
    byKey.clear();
  }

  async function receive(req, res) {
    const type = (req.headers["content-type"] ?? "").split(";")[0].trim().toLowerCase();
    if (type !== "message/rfc822") {
      await readBody(req);
      return json(res, 415, { error: "Content-Type must be message/rfc822" });
    }
    const key = req.headers["idempotency-key"];
    if (!key || !/^[\x21-\x7e]{1,200}$/.test(key)) {
      await readBody(req);
      return json(res, 400, { error: "Idempotency-Key is required" });
    }
    // Read the whole request before answering, whatever the answer: a reply that arrives
    // while the browser is still uploading can make it report the request as aborted.
    const body = await readBody(req);
    if (offline) {
      if (log) console.log(`[sink] 503 (offline) ${key}`);
      return json(res, 503, { error: "the mail sink is offline (demo switch)" }, { "Retry-After": String(retryAfterSeconds) });
    }
    const known = byKey.get(key);
    if (known) {
      known.duplicates = (known.duplicates ?? 0) + 1;
      if (log) console.log(`[sink] duplicate ${key} (already stored as ${known.file})`);
      return json(res, 200, { id: known.id, duplicate: true, failed: known.failed });
    }
    if (inFlight.has(key)) {
      return json(res, 409, { error: "a request with this Idempotency-Key is in progress" }, { "Retry-After": "1" });
    }
    inFlight.add(key);
    try {
      if (delayMs > 0) await hold(delayMs);
      if (offline) {
        // Switched offline while this one was held: refuse it like the others.
        return json(res, 503, { error: "the mail sink is offline (demo switch)" }, { "Retry-After": String(retryAfterSeconds) });
      }
      const again = byKey.get(key); // stored meanwhile by a request that was not held
      if (again) return json(res, 200, { id: again.id, duplicate: true, failed: again.failed });
      const rcptTo = splitList(req.headers["x-rcpt-to"]);
      const failed = rcptTo
        .filter((a) => /\.invalid$/i.test(a.split("@").pop() ?? ""))
        .map((email) => ({ email, reason: `550 5.1.2 ${email}: the domain does not accept mail (demo sink: .invalid)` }));
      if (failed.length === rcptTo.length && rcptTo.length > 0) {
        if (log) console.log(`[sink] every recipient refused: ${key}`);
        return json(res, 200, { failed });
      }
      const headers = parseHeaders(body);
      const header = (name) => headers.find(([k]) => k === name)?.[1] ?? "";
      const id = String(++seq).padStart(6, "0");
      const file = `${id}-${key.replace(/[^A-Za-z0-9_-]/g, "_").slice(0, 64)}.eml`;
      const rec = {
        id,
        file,
        receivedAt: new Date().toISOString(),
        idempotencyKey: key,
        mailFrom: splitList(req.headers["x-mail-from"])[0] ?? "",
        rcptTo,
        messageId: req.headers["x-message-id"] ?? "",
        attempt: Number(req.headers["x-attempt"]) || 1,
        possibleDuplicate: req.headers["x-possible-duplicate"] === "true",
        subject: header("subject"),
        from: header("from"),
        to: header("to"),
        cc: header("cc"),
        size: body.length,
        failed,
        duplicates: 0,
      };
      // Write the .eml first (via a temporary name), then the sidecar that lists it.
      await writeFile(join(dir, file + ".part"), body);
      await rename(join(dir, file + ".part"), join(dir, file));
      await writeFile(join(dir, file.replace(/\.eml$/, ".json")), JSON.stringify(rec, null, 2));
      records.push(rec);
      byKey.set(key, rec);
      if (log) console.log(`[sink] stored ${join(dir, file)} (${body.length} bytes, to ${rcptTo.join(", ")})`);
      return json(res, 200, { id, duplicate: false, failed });
    } finally {
      inFlight.delete(key);
    }
  }

  /** Answers a request for a path under /sink/. Returns false for other paths. */
  async function handle(req, res, path) {
    if (!path.startsWith("/sink/")) return false;
    await ready;
    try {
      const route = path.slice("/sink".length);
      if (route === "/messages") {
        if (req.method === "POST") return await receive(req, res), true;
        if (req.method === "GET" || req.method === "HEAD") return json(res, 200, list()), true;
        if (req.method === "DELETE") return await clear(), json(res, 200, { cleared: true }), true;
      } else if (route === "/state") {
        if (req.method === "GET" || req.method === "HEAD") return json(res, 200, state()), true;
        if (req.method === "PUT") {
          const type = (req.headers["content-type"] ?? "").split(";")[0].trim().toLowerCase();
          if (type !== "application/json") return json(res, 415, { error: "Content-Type must be application/json" }), true;
          let next;
          try {
            next = JSON.parse((await readBody(req)).toString("utf8"));
          } catch {
            return json(res, 400, { error: "the body is not JSON" }), true;
          }
          return json(res, 200, setState(next ?? {})), true;
        }
      } else {
        const m = /^\/messages\/(\d{1,12})$/.exec(route);
        const rec = m && records.find((r) => r.id === m[1]);
        if (rec && (req.method === "GET" || req.method === "HEAD")) {
          const bytes = await readFile(join(dir, rec.file));
          res.writeHead(200, {
            "Content-Type": "text/plain; charset=utf-8",
            "Cache-Control": "no-store",
            "X-Content-Type-Options": "nosniff",
            "Content-Security-Policy": "default-src 'none'",
          });
          res.end(req.method === "HEAD" ? undefined : bytes);
          return true;
        }
        if (m) return json(res, 404, { error: "no such message" }), true;
      }
      json(res, route === "/messages" || route === "/state" ? 405 : 404, { error: "not here" });
    } catch (err) {
      if (log || !err.status) console.error("[sink] error:", err);
      if (!res.headersSent) json(res, err.status ?? 500, { error: err.message });
      else res.destroy();
    }
    return true;
  }

  return { handle, state, setState, list, clear, dir, ready };
}

/** Runs the sink on its own HTTP server. Resolves with { sink, url, port, close() }. */
export async function startMailSink({ port = 0, host = "127.0.0.1", ...options } = {}) {
  const sink = createMailSink(options);
  await sink.ready;
  const server = createServer((req, res) => {
    const path = new URL(req.url, "http://localhost").pathname;
    sink.handle(req, res, path).then((handled) => {
      if (!handled) json(res, 404, { error: "the sink lives under /sink/" });
    });
  });
  await new Promise((ok, fail) => {
    server.once("error", fail);
    server.listen(port, host, () => ok());
  });
  const actual = server.address().port;
  return {
    sink,
    port: actual,
    url: `http://${host}:${actual}/sink/`,
    close: () =>
      new Promise((ok) => {
        sink.setState({ delayMs: 0 });
        server.closeAllConnections?.();
        server.close(() => ok());
      }),
  };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const port = Number(process.env.SINK_PORT ?? "8025");
  const dir = process.env.SINK_DIR || DEFAULT_SINK_DIR;
  const { url } = await startMailSink({ port, dir, log: true });
  console.log(`[sink] mail sink: POST ${url}messages  (stores .eml files in ${dir})`);
}
