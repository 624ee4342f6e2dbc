// httpTransport: the reference transport (issue 4, SPEC §6). It hands each outgoing
// message to an HTTP endpoint as one POST:
//
//   POST <url>
//   Content-Type: message/rfc822
//   Idempotency-Key: <submissionId>          stable across retries, reloads and tabs
//   X-Mail-From: <envelope sender>            addr-spec
//   X-Rcpt-To: <addr-spec>, <addr-spec>, ...  only this transport's recipients (Bcc included)
//   X-Message-Id: <...@...>                   the Message-ID header of the body
//   X-Attempt: 1                              1-based
//   X-Possible-Duplicate: false               "true" when an earlier attempt's outcome is unknown
//   <user headers>                            e.g. Authorization (the ones above win)
//
//   <the RFC 5322 message, CRLF, no Bcc header>
//
// Envelope values are percent-encoded where needed so that they stay ASCII and the list
// stays splittable: "%", ",", controls and non-ASCII characters become %XX (UTF-8); decode
// each comma-separated item with decodeURIComponent. Plain addresses go as they are.
//
// The answer:
//   2xx                         delivered; a JSON body { failed: [{ email, reason }] } names
//                               recipients that failed for good (partial failure)
//   408, 409, 425, 429, 5xx     transient MapiError: MAPI_E_WAIT for 429 and 503 (also 409:
//                               a request with the same Idempotency-Key is still in progress,
//                               and 425), MAPI_E_NETWORK_ERROR for the others; Retry-After
//                               (seconds or an HTTP-date) → err.retryAfterMs
//   any other 4xx               MAPI_E_CANCEL (permanent: the recipients get an NDR), with the
//                               status and the start of the body in the message
//   any other status (3xx that  transient MAPI_E_NETWORK_ERROR: an answer we cannot read as
//   was not followed, ...)      "delivered" or "refused" must not lose the message
//   network error, abort        transient MAPI_E_NETWORK_ERROR with the fetch error as `cause`
//
// Every MapiError it rejects with carries `status` (the HTTP status, or 0 when there was no
// answer). Error messages show the URL without its query string or credentials.

import { MapiError, ErrorCode } from "./errors.js";
import { isPlainObject, show, textOf } from "./options.js";

const OPTION_KEYS = new Set(["url", "headers", "fetch", "name", "addressTypes"]);
const SNIPPET_BYTES = 4096;
const MAX_REDIRECTS = 5;
const SNIPPET_CHARS = 200;
const RESERVED = new Set([
  "content-type",
  "idempotency-key",
  "x-mail-from",
  "x-rcpt-to",
  "x-message-id",
  "x-attempt",
  "x-possible-duplicate",
]);

function invalid(message) {
  return new MapiError(ErrorCode.MAPI_E_INVALID_PARAMETER, `httpTransport: ${message}`);
}



function resolveUrl(url) {
  if (url === undefined || url === null) throw invalid("option `url` is required");
  const isUrlObject = typeof URL === "function" && url instanceof URL;
  if (typeof url !== "string" && !isUrlObject) {
    throw invalid(`option \`url\` must be a string or a URL, got ${show(url)}`);
  }
  const text = String(url);
  if (text.trim() === "") throw invalid("option `url` must not be empty");
  let parsed;
  try {
    // Relative URLs ("/api/send") resolve against the page in a browser.
    const base = globalThis.location?.href;
    parsed = base ? new URL(text, base) : new URL(text);
  } catch {
    throw invalid(`option \`url\` is not a valid absolute URL: ${show(text)}`);
  }
  if (parsed.username !== "" || parsed.password !== "") {
    throw invalid("option `url` must not contain credentials (fetch refuses them): pass `headers: { Authorization }`");
  }
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:") {
    throw invalid(`option \`url\` must be an http: or https: URL, got ${show(parsed.protocol)}`);
  }
  return parsed.href;
}

/** The URL as error messages show it: no credentials, no query, no fragment. */
function safeUrl(href) {
  const u = new URL(href);
  return u.origin + u.pathname;
}

function headerPairs(headers) {
  if (headers === undefined || headers === null) return [];
  let pairs;
  if (typeof headers.forEach === "function" && typeof headers.get === "function" && !Array.isArray(headers)) {
    pairs = [];
    headers.forEach((value, key) => pairs.push([key, value])); // a Headers object
  } else if (Array.isArray(headers)) {
    pairs = headers.map((p, i) => {
      if (!Array.isArray(p) || p.length !== 2) throw invalid(`option \`headers\`[${i}] must be a [name, value] pair`);
      return p;
    });
  } else if (isPlainObject(headers)) {
    pairs = Object.entries(headers).filter(([, v]) => v !== undefined);
  } else {
    throw invalid(`option \`headers\` must be a plain object, a Headers object or [name, value] pairs, got ${show(headers)}`);
  }
  for (const [key, value] of pairs) {
    if (typeof key !== "string" || !/^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/.test(key)) {
      throw invalid(`option \`headers\`: ${show(key)} is not a valid header name`);
    }
    if (typeof value !== "string" && typeof value !== "number") {
      throw invalid(`option \`headers\`: the value of ${key} must be a string, got ${show(value)}`);
    }
    // eslint-disable-next-line no-control-regex
    if (/[\r\n\0]|[^\u0000-\u00ff]/.test(String(value))) {
      throw invalid(`option \`headers\`: the value of ${key} contains CR, LF, NUL or a non-Latin-1 character`);
    }
  }
  return pairs.map(([k, v]) => [k, String(v)]);
}

function validateName(name) {
  if (name === undefined) return "http";
  if (typeof name !== "string" || name.trim() === "") {
    throw invalid(`option \`name\` must be a non-empty string, got ${show(name)}`);
  }
  return name;
}

function validateAddressTypes(types) {
  if (types === undefined) return ["SMTP"];
  if (!Array.isArray(types) || types.length === 0) {
    throw invalid(`option \`addressTypes\` must be a non-empty array of strings, got ${show(types)}`);
  }
  types.forEach((t, i) => {
    if (typeof t !== "string" || t.trim() === "") {
      throw invalid(`option \`addressTypes\`[${i}] must be a non-empty string, got ${show(t)}`);
    }
  });
  return Object.freeze([...types]);
}

/**
 * Percent-encodes what would not survive as a header list item: "%", ",", controls, and
 * non-ASCII characters (as UTF-8). decodeURIComponent turns each item back.
 */
function encodeItem(s) {
  // eslint-disable-next-line no-control-regex
  return String(s).replace(/[%,\u0000-\u001f\u007f]|[^\u0000-\u007f]+/gu, (m) => {
    try {
      return encodeURIComponent(m);
    } catch {
      return "%EF%BF%BD"; // a lone surrogate: U+FFFD
    }
  });
}

/** Retry-After: delta-seconds or an HTTP-date → milliseconds from now (undefined if absent/bad). */
function parseRetryAfter(value, now = Date.now()) {
  if (typeof value !== "string") return undefined;
  const v = value.trim();
  if (v === "") return undefined;
  if (/^\d+$/.test(v)) {
    const ms = Number(v) * 1000;
    return Number.isFinite(ms) ? ms : undefined;
  }
  if (!/^[A-Za-z]{3},? /.test(v) && !/^[A-Za-z]{3} [A-Za-z]{3} /.test(v)) return undefined; // not an HTTP-date
  const at = Date.parse(v);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - now);
}

async function readSnippet(res) {
  if (!res.body || typeof res.body.getReader !== "function") {
    try {
      return clip(await res.text());
    } catch {
      return "";
    }
  }
  const reader = res.body.getReader();
  const chunks = [];
  let size = 0;
  try {
    while (size < SNIPPET_BYTES) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      size += value.byteLength;
    }
  } catch {
    /* a body cut short still gives what arrived */
  } finally {
    reader.cancel().catch(() => {});
  }
  const all = new Uint8Array(size);
  let at = 0;
  for (const c of chunks) {
    all.set(c, at);
    at += c.byteLength;
  }
  return clip(new TextDecoder().decode(all.subarray(0, SNIPPET_BYTES)));
}

function clip(text) {
  const flat = text.replace(/\s+/g, " ").trim();
  return flat.length > SNIPPET_CHARS ? flat.slice(0, SNIPPET_CHARS) + "…" : flat;
}

function failedFromJson(json) {
  if (json === null || typeof json !== "object" || !Array.isArray(json.failed)) return undefined;
  const failed = [];
  for (const f of json.failed) {
    if (typeof f === "string") {
      failed.push({ email: f, reason: "refused by the server" });
    } else if (f && typeof f === "object" && typeof f.email === "string") {
      const reason = typeof f.reason === "string" && f.reason !== "" ? f.reason : "refused by the server";
      failed.push({ email: f.email, reason });
    }
  }
  return { failed };
}

async function readResult(res) {
  // The server accepted the message: whatever follows, it is delivered. Only a JSON body
  // naming failed recipients changes that, for those recipients.
  const type = (res.headers.get("content-type") || "").toLowerCase();
  if (!/^application\/([\w.+-]+\+)?json\b/.test(type)) {
    // Read a small body to its end rather than cancel it: a cancelled response shows in the
    // browser as a failed (aborted) request, and a read one frees the connection for reuse.
    const length = Number(res.headers.get("content-length"));
    if (Number.isFinite(length) && length <= 65536) await res.arrayBuffer().catch(() => {});
    else res.body?.cancel?.().catch(() => {});
    return undefined;
  }
  try {
    return failedFromJson(JSON.parse(await res.text()));
  } catch {
    return undefined;
  }
}

function statusText(res) {
  return res.statusText ? `${res.status} ${res.statusText}` : String(res.status);
}

function httpError(code, message, status, retryAfterMs) {
  const err = new MapiError(code, message);
  err.status = status;
  if (retryAfterMs !== undefined) err.retryAfterMs = retryAfterMs;
  return err;
}

/**
 * Creates the reference HTTP transport. See the comment at the top of this file, and
 * `httpTransport` in index.d.ts.
 */

export function httpTransport(options) {
  let url, userHeaders, name, addressTypes, doFetch;
  try {
    if (!isPlainObject(options)) {
      throw invalid(`options must be an object ({ url, headers, fetch, name, addressTypes }), got ${show(options)}`);
    }
    for (const key of Object.keys(options)) {
      if (!OPTION_KEYS.has(key)) throw invalid(`unknown option \`${key}\` (options: ${[...OPTION_KEYS].join(", ")})`);
    }
    url = resolveUrl(options.url);
    userHeaders = headerPairs(options.headers).filter(([k]) => !RESERVED.has(k.toLowerCase()));
    name = validateName(options.name);
    addressTypes = validateAddressTypes(options.addressTypes);
    doFetch = options.fetch;
    if (doFetch === undefined) {
      if (typeof globalThis.fetch !== "function") {
        throw invalid("option `fetch` is required where there is no global fetch");
      }
      doFetch = (...args) => globalThis.fetch(...args);
    } else if (typeof doFetch !== "function") {
      throw invalid(`option \`fetch\` must be a function, got ${show(doFetch)}`);
    }
  } catch (e) {
    if (e instanceof MapiError) throw e;
    // A Proxy trap or getter of the caller's threw: say so, with their error as the cause.
    const err = invalid(`options could not be read: it threw (${textOf(e)})`);
    err.cause = e;
    throw err;
  }

  async function post(target, headers, mime, signal) {
    let res;
    try {
      res = await doFetch(target, {
        method: "POST",
        headers,
        body: mime,
        signal,
        cache: "no-store",
        redirect: "manual",
      });
    } catch (cause) {
      const aborted = signal?.aborted || cause?.name === "AbortError";
      const detail = cause?.cause?.code ?? cause?.cause?.message ?? cause?.code;
      const what = aborted ? "aborted" : `failed: ${cause?.message ?? String(cause)}${detail ? ` (${detail})` : ""}`;
      const err = new MapiError(ErrorCode.MAPI_E_NETWORK_ERROR, `POST ${safeUrl(target)} ${what}`);
      err.status = 0;
      err.cause = cause;
      throw err;
    }
    if (!res || typeof res.status !== "number" || !res.headers) {
      throw httpError(ErrorCode.MAPI_E_NETWORK_ERROR, `POST ${safeUrl(target)}: fetch did not return a Response`, 0);
    }
    return res;
  }

  async function send(outgoing, context) {
    const signal = context?.signal;
    if (outgoing === null || typeof outgoing !== "object") {
      throw invalid(`send: outgoing must be an object, got ${show(outgoing)}`);
    }
    const { mime, submissionId } = outgoing;
    if (!(mime instanceof Uint8Array)) throw invalid(`send: outgoing.mime must be a Uint8Array, got ${show(mime)}`);
    if (typeof submissionId !== "string" || submissionId === "") {
      throw invalid(`send: outgoing.submissionId must be a non-empty string, got ${show(submissionId)}`);
    }
    const rcptTo = Array.isArray(outgoing.rcptTo) ? outgoing.rcptTo : [];
    const headers = [...userHeaders];
    headers.push(["Content-Type", "message/rfc822"]);
    headers.push(["Idempotency-Key", encodeItem(submissionId)]);
    if (typeof outgoing.mailFrom === "string") headers.push(["X-Mail-From", encodeItem(outgoing.mailFrom)]);
    headers.push(["X-Rcpt-To", rcptTo.map(encodeItem).join(", ")]);
    if (typeof outgoing.messageId === "string") headers.push(["X-Message-Id", encodeItem(outgoing.messageId)]);
    headers.push(["X-Attempt", String(Number.isInteger(outgoing.attempt) ? outgoing.attempt : 1)]);
    headers.push(["X-Possible-Duplicate", outgoing.possibleDuplicate === true ? "true" : "false"]);

    let res;
    let target = url;
    for (let hop = 0; ; hop++) {
      res = await post(target, headers, mime, signal);
      // Redirects are not left to fetch: 301/302/303 would turn the POST into a body-less
      // GET whose 200 would read as "delivered". Only method-keeping 307/308 to the same
      // origin are followed, a few times.
      if ((res.status === 307 || res.status === 308) && hop < MAX_REDIRECTS) {
        const location = res.headers.get("location");
        let next;
        try {
          next = location ? new URL(location, target) : undefined;
        } catch {
          next = undefined;
        }
        if (next && next.origin === new URL(target).origin) {
          res.body?.cancel?.().catch(() => {});
          target = next.href;
          continue;
        }
      }
      break;
    }
    const status = res.status;
    if (status >= 200 && status <= 299) return readResult(res);

    const retryAfterMs = parseRetryAfter(res.headers.get("retry-after") ?? undefined);
    const snippet = await readSnippet(res);
    const tail = snippet ? `: ${snippet}` : "";
    const head = `POST ${safeUrl(target)} answered ${statusText(res)}`;
    if (status === 429 || status === 503 || status === 409 || status === 425) {
      const after = retryAfterMs !== undefined ? ` (Retry-After ${Math.round(retryAfterMs / 1000)} s)` : "";
      throw httpError(ErrorCode.MAPI_E_WAIT, `${head}${after}${tail}`, status, retryAfterMs);
    }
    if (status === 408 || (status >= 500 && status <= 599)) {
      throw httpError(ErrorCode.MAPI_E_NETWORK_ERROR, `${head}${tail}`, status, retryAfterMs);
    }
    if (status >= 400 && status <= 499) {
      throw httpError(ErrorCode.MAPI_E_CANCEL, `${head}${tail}`, status);
    }
    const why =
      status === 0 || (status >= 300 && status <= 399)
        ? "a redirect this transport does not follow (only 307/308 to the same origin are)"
        : "not a status this transport understands";
    throw httpError(ErrorCode.MAPI_E_NETWORK_ERROR, `${head} (${why})${tail}`, status, retryAfterMs);
  }

  return Object.freeze({ name, addressTypes, send });
}
