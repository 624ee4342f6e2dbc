// jmapTransport (SPEC §8): sends through a mail server that speaks JMAP (RFC 8620, RFC 8621:
// Cyrus, Stalwart, Fastmail, Apache James). One `send`:
//
//   1. POST the message bytes to the session's uploadUrl            -> blobId
//   2. one API request: Email/import (into Drafts, $draft) and EmailSubmission/set for the
//      new Email ("#e"), with the envelope from `outgoing` (Bcc only there) and
//      onSuccessUpdateEmail moving it to Sent (or onSuccessDestroyEmail: sentMailbox null)
//
// so 2 HTTP requests a message, plus 2 for the first one (the session; mailboxes and
// identities in one request). Exactly once: the same bytes give the same blob and the same
// Email, so when the import answers `alreadyExists` an earlier attempt got that far, and
// the submission in the same request (a reference to an Email not created) does not run;
// the transport then asks the server whether that Email was sent (in the sent mailbox, or
// an EmailSubmission for it) and resolves as delivered if it was, without sending again.
//
// Outcomes (SPEC §6, §8): accepted -> delivered; invalidRecipients -> those recipients fail
// for good and the others are submitted again in the same send; the other SetErrors -> every
// recipient fails for good, unless the description shows a temporary SMTP reply (4xx or
// 4.x.x), or the type means "not now" (forbiddenToSend: Cyrus gives "451 4.3.0" as
// forbiddenToSend without the code); serverFail, serverUnavailable, rateLimit, network
// errors, HTTP 5xx, 429 (Retry-After), 401/403 (credentials) -> transient: the message waits.
import { MapiError, ErrorCode } from "./errors.js";
import { isPlainObject, show, textOf } from "./options.js";

const OPTION_KEYS = new Set([
  "sessionUrl",
  "headers",
  "fetch",
  "accountId",
  "identityId",
  "sentMailbox",
  "draftsMailbox",
  "name",
  "addressTypes",
]);
const USING = ["urn:ietf:params:jmap:core", "urn:ietf:params:jmap:mail", "urn:ietf:params:jmap:submission"];
const SUBMISSION = "urn:ietf:params:jmap:submission";
/** SetError types that mean "not now" when the server shows no reply code. */
const TRANSIENT_TYPES = new Set(["serverFail", "serverUnavailable", "rateLimit", "forbiddenToSend", "serverPartialFail"]);

function invalid(message) {
  return new MapiError(ErrorCode.MAPI_E_INVALID_PARAMETER, `jmapTransport: ${message}`);
}

function transient(message, extra = {}) {
  const e = new MapiError(ErrorCode.MAPI_E_NETWORK_ERROR, `jmapTransport: ${message}`);
  return Object.assign(e, extra);
}



function nonEmptyString(key, v) {
  if (typeof v !== "string" || v === "") throw invalid(`option \`${key}\` must be a non-empty string, got ${show(v)}`);
  return v;
}

function mailboxOption(key, v, allowNull) {
  if (v === null && allowNull) return null;
  nonEmptyString(key, v);
  if (v.startsWith("role:") && v.length === 5) throw invalid(`option \`${key}\`: "role:" needs a role name, e.g. "role:sent"`);
  return v;
}

function readOptions(options) {
  if (!isPlainObject(options)) throw invalid(`options must be a plain object, got ${show(options)}`);
  for (const key of Object.keys(options)) {
    if (!OPTION_KEYS.has(key)) throw invalid(`unknown option ${show(key)} (options: ${[...OPTION_KEYS].join(", ")})`);
  }
  const o = options;
  if (o.sessionUrl === undefined || o.sessionUrl === null) throw invalid("option `sessionUrl` is required");
  const isUrl = typeof URL === "function" && o.sessionUrl instanceof URL;
  if (typeof o.sessionUrl !== "string" && !isUrl) throw invalid(`option \`sessionUrl\` must be a string or a URL, got ${show(o.sessionUrl)}`);
  let sessionUrl;
  try {
    const base = globalThis.location?.href;
    sessionUrl = (base ? new URL(String(o.sessionUrl), base) : new URL(String(o.sessionUrl))).href;
  } catch {
    throw invalid(`option \`sessionUrl\` is not a valid URL: ${show(String(o.sessionUrl))}`);
  }
  if (!/^https?:$/.test(new URL(sessionUrl).protocol)) throw invalid("option `sessionUrl` must be an http: or https: URL");
  const headers = o.headers;
  if (headers !== undefined && typeof headers !== "function" && !isPlainObject(headers)) {
    throw invalid(`option \`headers\` must be an object or a function returning one, got ${show(headers)}`);
  }
  if (isPlainObject(headers)) checkHeaders(headers);
  const fetchFn = o.fetch ?? globalThis.fetch;
  if (typeof fetchFn !== "function") throw invalid("option `fetch` must be a function (and there is no global fetch)");
  const addressTypes = o.addressTypes ?? ["SMTP"];
  if (!Array.isArray(addressTypes) || addressTypes.length === 0 || !addressTypes.every((t) => typeof t === "string" && t !== "")) {
    throw invalid("option `addressTypes` must be a non-empty array of non-empty strings");
  }
  return {
    sessionUrl,
    headers,
    fetch: fetchFn,
    accountId: o.accountId === undefined ? undefined : nonEmptyString("accountId", o.accountId),
    identityId: o.identityId === undefined ? undefined : nonEmptyString("identityId", o.identityId),
    sentMailbox: o.sentMailbox === undefined ? "role:sent" : mailboxOption("sentMailbox", o.sentMailbox, true),
    draftsMailbox: o.draftsMailbox === undefined ? "role:drafts" : mailboxOption("draftsMailbox", o.draftsMailbox, false),
    name: o.name === undefined ? "jmap" : nonEmptyString("name", o.name),
    addressTypes: [...addressTypes],
  };
}

function checkHeaders(h) {
  if (!isPlainObject(h)) throw invalid(`\`headers\` must give a plain object, got ${show(h)}`);
  for (const [k, v] of Object.entries(h)) {
    if (!/^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/.test(k)) throw invalid(`\`headers\`: ${show(k)} is not a valid header name`);
    if (typeof v !== "string") throw invalid(`\`headers\`: the value of ${k} must be a string, got ${show(v)}`);
  }
  return h;
}

/** "4xx" or "4.x.x" in a server's text: a temporary SMTP refusal. */
function showsTemporary(text) {
  return /(^|[^0-9.])4[0-9]{2}([^0-9]|$)/.test(text) || /(^|[^0-9])4\.[0-9]{1,3}\.[0-9]{1,3}/.test(text);
}
function showsPermanent(text) {
  return /(^|[^0-9.])5[0-9]{2}([^0-9]|$)/.test(text) || /(^|[^0-9])5\.[0-9]{1,3}\.[0-9]{1,3}/.test(text);
}

function retryAfterMs(res) {
  const v = res.headers?.get?.("retry-after");
  if (!v) return undefined;
  if (/^\d+$/.test(v.trim())) return Number(v.trim()) * 1000;
  const at = Date.parse(v);
  return Number.isNaN(at) ? undefined : Math.max(0, at - Date.now());
}

/**
 * @param {object} options SPEC §8
 * @returns {{ name: string, addressTypes: string[], send(outgoing: object, ctx?: { signal?: AbortSignal }): Promise<{ failed: { email: string, reason: string }[] }>, requests: number }}
 */
export function jmapTransport(options) {
  let opt;
  try {
    opt = readOptions(options);
  } catch (e) {
    if (e instanceof MapiError) throw e;
    // A Proxy trap or getter of the caller's threw: say so, with their error as the cause.
    const err = invalid(`options could not be read: it threw (${textOf(e)})`);
    err.cause = e;
    throw err;
  }
  /** The session and what the first message looked up, shared by concurrent sends. */
  let ready = null;

  async function headers() {
    let h = opt.headers;
    if (typeof h === "function") {
      try {
        h = await h();
      } catch (e) {
        throw transient(`the headers function failed: ${e?.message ?? e}`, { cause: e });
      }
      if (h === undefined || h === null) h = {};
      try {
        checkHeaders(h);
      } catch (e) {
        throw transient(e.message);
      }
    }
    return h ?? {};
  }

  async function http(url, init, what, signal) {
    transport.requests++;
    let res;
    try {
      const fetchFn = opt.fetch; // called unbound: a browser's fetch refuses another `this`
      res = await fetchFn(url, { ...init, headers: { ...(await headers()), ...init.headers }, signal });
    } catch (e) {
      if (e instanceof MapiError) throw e;
      throw transient(`${what}: no answer from ${new URL(url).origin} (${e?.message ?? e})`, { cause: e, status: 0 });
    }
    if (res.status === 401 || res.status === 403) {
      ready = null; // credentials expired: fetch the session again with the next headers
      throw transient(`${what}: HTTP ${res.status} from the server (credentials refused); the message waits for new ones`, { status: res.status });
    }
    if (res.status === 429 || res.status >= 500) {
      throw transient(`${what}: HTTP ${res.status}`, { status: res.status, retryAfterMs: retryAfterMs(res) });
    }
    let body;
    try {
      body = await res.json();
    } catch {
      throw transient(`${what}: HTTP ${res.status} with a body that is not JSON`, { status: res.status });
    }
    if (res.status >= 400) {
      // A JMAP problem (RFC 7807): nothing was done; it may pass (limits), so wait.
      if (typeof body?.type === "string" && body.type.includes("jmap:error")) ready = null;
      throw transient(`${what}: HTTP ${res.status} ${body?.type ?? ""} ${body?.detail ?? ""}`.trim(), { status: res.status });
    }
    return body;
  }

  async function api(s, calls, signal) {
    const body = await http(
      s.apiUrl,
      { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ using: USING, methodCalls: calls }) },
      "API request",
      signal,
    );
    if (!body || !Array.isArray(body.methodResponses)) throw transient("API request: the answer has no methodResponses");
    if (body.sessionState && s.state && body.sessionState !== s.state) ready = null; // stale: fetch it again next time
    const out = {};
    // The first answer per call id: an EmailSubmission/set with onSuccessUpdateEmail is
    // followed by an implicit Email/set answer under the same id.
    for (const [name, args, id] of body.methodResponses) {
      out[id] ??= { name, args };
    }
    return out;
  }

  function methodError(r, what) {
    if (!r) return transient(`${what}: the server did not answer the call`);
    if (r.name === "error") {
      return transient(`${what}: ${r.args?.type ?? "error"}${r.args?.description ? ` (${r.args.description})` : ""}`);
    }
    return null;
  }

  async function connect(signal) {
    const session = await http(opt.sessionUrl, { method: "GET", headers: { accept: "application/json" } }, "fetching the JMAP session", signal);
    if (!session || typeof session.apiUrl !== "string" || typeof session.uploadUrl !== "string") {
      throw transient("the JMAP session has no apiUrl or uploadUrl");
    }
    if (!session.capabilities?.[SUBMISSION]) {
      // Cyrus builds sessions without submission while its SMTP relay is down.
      throw transient("the JMAP session offers no submission capability (is the server's mail relay down?)");
    }
    const accountId = opt.accountId ?? session.primaryAccounts?.[SUBMISSION] ?? session.primaryAccounts?.["urn:ietf:params:jmap:mail"];
    if (!accountId || !session.accounts?.[accountId]) throw transient(`no JMAP account ${show(accountId)} in the session`);
    const s = {
      apiUrl: new URL(session.apiUrl, opt.sessionUrl).href,
      uploadUrl: new URL(session.uploadUrl.replace("{accountId}", encodeURIComponent(accountId)), opt.sessionUrl).href,
      state: session.state,
      accountId,
    };
    const r = await api(
      s,
      [
        ["Mailbox/get", { accountId, properties: ["role", "name"] }, "m"],
        ["Identity/get", { accountId }, "i"],
      ],
      signal,
    );
    const err = methodError(r.m, "Mailbox/get") ?? methodError(r.i, "Identity/get");
    if (err) throw err;
    const mailboxes = r.m.args.list ?? [];
    const find = (spec, what) => {
      if (spec === null) return null;
      const m = spec.startsWith("role:")
        ? mailboxes.find((b) => b.role === spec.slice(5))
        : mailboxes.find((b) => b.id === spec);
      if (!m) throw transient(`the account has no ${what} mailbox ${show(spec)}`);
      return m.id;
    };
    s.drafts = find(opt.draftsMailbox, "drafts");
    s.sent = find(opt.sentMailbox, "sent");
    s.identities = r.i.args.list ?? [];
    return s;
  }

  function session(signal) {
    if (!ready) {
      const p = connect(signal);
      ready = p;
      p.catch(() => {
        if (ready === p) ready = null;
      });
    }
    return ready;
  }

  function identityFor(s, mailFrom) {
    if (opt.identityId) return { id: opt.identityId };
    const want = String(mailFrom).toLowerCase();
    const match = s.identities.find((i) => String(i.email ?? "").toLowerCase() === want);
    if (match) return match;
    if (s.identities.length === 1) return s.identities[0];
    return null;
  }

  function envelope(mailFrom, rcpts) {
    return { mailFrom: { email: mailFrom, parameters: null }, rcptTo: rcpts.map((email) => ({ email, parameters: null })) };
  }

  function onSuccess(s, key) {
    if (s.sent === null) return { onSuccessDestroyEmail: [key] };
    const update = { "keywords/$draft": null, [`mailboxIds/${s.sent}`]: true };
    if (s.drafts !== s.sent) update[`mailboxIds/${s.drafts}`] = null;
    return { onSuccessUpdateEmail: { [key]: update } };
  }

  /** Whether the Email was sent by an earlier attempt. */
  async function wasSent(s, emailId, signal) {
    const r = await api(
      s,
      [
        ["Email/get", { accountId: s.accountId, ids: [emailId], properties: ["mailboxIds", "keywords"] }, "g"],
        ["EmailSubmission/query", { accountId: s.accountId, filter: { emailIds: [emailId] } }, "q"],
      ],
      signal,
    );
    const err = methodError(r.g, "Email/get");
    if (err) throw err;
    const email = r.g.args.list?.[0];
    if (email && s.sent && email.mailboxIds?.[s.sent]) return true;
    if (email && email.keywords?.$draft !== true && s.sent && !email.mailboxIds?.[s.drafts]) return true;
    const ids = r.q?.name === "EmailSubmission/query" ? r.q.args.ids ?? [] : [];
    return ids.length > 0;
  }

  const transport = {
    name: opt.name,
    addressTypes: opt.addressTypes,
    /** HTTP requests made so far (for benchmarks). */
    requests: 0,
    async send(outgoing, ctx) {
      const signal = ctx?.signal;
      if (!outgoing || !(outgoing.mime instanceof Uint8Array)) throw new MapiError(ErrorCode.MAPI_E_INVALID_PARAMETER, "jmapTransport: send needs an outgoing message");
      const rcpts = [...(outgoing.rcptTo ?? [])];
      const s = await session(signal);
      const identity = identityFor(s, outgoing.mailFrom);
      if (!identity) {
        const reason = `jmapTransport: the server has no Identity for ${outgoing.mailFrom} (and more than one other), so it cannot send as that address`;
        return { failed: rcpts.map((email) => ({ email, reason })) };
      }
      const upload = await http(
        s.uploadUrl,
        { method: "POST", headers: { "content-type": "message/rfc822" }, body: outgoing.mime },
        "uploading the message",
        signal,
      );
      if (typeof upload?.blobId !== "string") throw transient("upload: the answer has no blobId");
      const failed = [];
      let left = rcpts;
      // First round: import and submit in one request.
      let r = await api(
        s,
        [
          [
            "Email/import",
            {
              accountId: s.accountId,
              emails: { e: { blobId: upload.blobId, mailboxIds: { [s.drafts]: true }, keywords: { $draft: true, $seen: true } } },
            },
            "i",
          ],
          [
            "EmailSubmission/set",
            { accountId: s.accountId, create: { s: { emailId: "#e", identityId: identity.id, envelope: envelope(outgoing.mailFrom, left) } }, ...onSuccess(s, "#s") },
            "s",
          ],
        ],
        signal,
      );
      const importErr = methodError(r.i, "Email/import");
      if (importErr) throw importErr;
      let emailId = r.i.args.created?.e?.id;
      if (!emailId) {
        const why = r.i.args.notCreated?.e;
        if (why?.type !== "alreadyExists" || !why.existingId) {
          throw transient(`Email/import refused the message: ${why?.type ?? "no answer"}${why?.description ? ` (${why.description})` : ""}`);
        }
        // An earlier attempt imported these very bytes: was it sent?
        emailId = why.existingId;
        if (await wasSent(s, emailId, signal)) return { failed: [] };
        r = null;
      }
      for (let round = 0; round < 1 + rcpts.length; round++) {
        if (left.length === 0) break;
        if (r === null) {
          r = await api(
            s,
            [
              [
                "EmailSubmission/set",
                { accountId: s.accountId, create: { s: { emailId, identityId: identity.id, envelope: envelope(outgoing.mailFrom, left) } }, ...onSuccess(s, "#s") },
                "s",
              ],
            ],
            signal,
          );
        }
        const subErr = methodError(r.s, "EmailSubmission/set");
        if (subErr) throw subErr;
        if (r.s.args.created?.s) return { failed }; // accepted (undoStatus pending or final)
        const e = r.s.args.notCreated?.s ?? { type: "serverFail", description: "no answer for the submission" };
        const text = `${e.type}${e.description ? `: ${e.description}` : ""}`;
        if (e.type === "invalidRecipients" && Array.isArray(e.invalidRecipients) && e.invalidRecipients.length > 0) {
          const bad = new Set(e.invalidRecipients.map((x) => String(x).toLowerCase()));
          for (const email of left.filter((x) => bad.has(x.toLowerCase()))) {
            failed.push({ email, reason: `refused by the server (${text})` });
          }
          const rest = left.filter((x) => !bad.has(x.toLowerCase()));
          if (rest.length === left.length) break; // it named nobody we sent: do not loop
          left = rest;
          r = null;
          continue;
        }
        const temporary =
          showsTemporary(e.description ?? "") || (!showsPermanent(e.description ?? "") && TRANSIENT_TYPES.has(e.type));
        if (temporary) throw transient(`the server could not send it now (${text})`);
        for (const email of left) failed.push({ email, reason: `refused by the server (${text})` });
        return { failed };
      }
      return { failed };
    },
  };
  return transport;
}
