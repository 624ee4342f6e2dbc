// The mapi-outbox demo: a small mail front-end on the MAPI submission model.
//
// - Compose writes the form into a Message (setProps, modifyRecipients, attachments) and
//   submits it. The store's sendDelayMs is the undo window; "send later" sets
//   PidTagDeferredSendTime instead.
// - Undo calls store.abortSubmit(entryId) and opens the message again into the form.
//   Too late → MAPI_E_UNABLE_TO_ABORT (a transport has it) or MAPI_E_NOT_IN_QUEUE (sent).
// - The spooler in this page sends through httpTransport to the local mail sink
//   (scripts/mail-sink.mjs, at /sink/ on this origin). Every view is redrawn from the
//   store's events; nothing is polled except the countdowns.
// - Submit failing with MAPI_E_CORRUPT_DATA: the stored copy is lost, so the page writes
//   the form into the message again, saves (a whole fresh record) and submits once more;
//   only if that fails too does the user see an error (SPEC §1).
//
// - Keeps going: the page registers the service worker www/sw.js and opens its store with
//   `backgroundSync`, so where the browser has Background Sync (Chromium) mail queued here
//   is sent by the worker after the tab closes. Outbox rows have "Send now" (sendNow) and
//   "Retry now" (retryNow); going back online retries at once.
// - `JMAP=1 npm start` serves /jmap-demo.json: the page then sends through the project's
//   Cyrus over JMAP (jmapTransport, through the same-origin proxy at /jmap) as its user.
//
// Modules (www/lib/, one job each): config.js (URL parameters), startup.js (opening the
// store, transport, service worker), feedback.js (the dock: undo bar, toasts, field
// errors, event log), explain.js (plain-language errors), addresses.js (address lists),
// sink.js (the mail sink's switches and listing, the online indicator), viewer.js (the
// read-only viewer), tabs.js, format.js, dom.js, state.js. This file keeps compose,
// autosave, undo and the folder views, which share the form's state.
//
// URL parameters (for tests and tinkering): ?db=NAME (database name, default
// "mapi-outbox-demo"), ?undo=MS (undo window, default 5000, at most 600000; a value
// out of range is said on the page), ?maxsize=BYTES (largest message, default 25 MiB), ?sw=0 (do not register the service worker www/sw.js, which otherwise keeps mail going after the tab closes).
import { MapiError, ErrorCode, SubmitFlags } from "mapi-outbox";
import { $, el, syncList, setCount } from "./lib/dom.js";
import { clampInt, formatSize, formatTime, secondsLeft, formatLeft, toLocalInput } from "./lib/format.js";
import { parseAddressList, recipientRows, formatRecipient } from "./lib/addresses.js";
import { technical as describe, plainTransportError } from "./lib/explain.js";
import { setupDock, showStatus, hideError, showError, setFieldError, focusField, log } from "./lib/feedback.js";
import { params, DB_NAME, UNDO_MAX_MS, UNDO_RAW, UNDO_MS, MAX_MESSAGE, IDENTITIES, AUTOSAVE_MS } from "./lib/config.js";
import { app } from "./lib/state.js";
import { openViewer, setupViewer } from "./lib/viewer.js";
import { setupTabs } from "./lib/tabs.js";
import { openStore } from "./lib/startup.js";
import { net, setRunner, sinkFetch, setupNet, showSinkState, setSinkState, refreshSinkSoon } from "./lib/sink.js";

/** @type {import("mapi-outbox").Store} */
let store;
let backend = "memory";

// The compose form's state: the Message object behind it (kept open once the message has
// an entry id, so a damaged stored copy can still be rewritten from it) and the
// attachments as bytes.
const compose = {
  /** @type {import("mapi-outbox").Message | null} */
  msg: null,
  saved: false, // msg has a stored copy (a draft)
  dirty: false,
  edits: 0, // counts changes, so a save that raced with typing leaves the form dirty
  conflict: false, // another tab saved this draft: waiting for the user's choice
  /** @type {{ name: string, type: string, bytes: Uint8Array }[]} */
  attachments: [],
};

// The latest outgoing queue rows by entry id (for countdowns and the undo bar).
let queueRows = new Map();
// The message the undo bar is about: { entryId, subject, phase, note }.
let undoBar = null;
let undoBarTimer = 0;
// Subjects by entry id, for the event log (a "submitted" event comes before the Outbox
// has been read again).
const subjects = new Map();
// Entry ids this page's spooler is sending now (from the store's "sending" events).
const sendingHere = new Set();

/** Runs a UI action with its button disabled; errors go to the toast. */
async function run(button, fn) {
  if (button) button.disabled = true;
  try {
    await settleAutosave(); // one save at a time: an autosave in flight finishes first
    await fn();
  } catch (err) {
    onActionError(err);
  } finally {
    if (button && button.isConnected) button.disabled = false;
    scheduleRender();
  }
}

// ---------------------------------------------------------------------------------------
// Compose

const FIELDS = ["to", "cc", "bcc", "subject", "body", "html", "send-at"];

function setComposeState() {
  const el = $("compose-state");
  el.textContent = compose.conflict
    ? "changed in another tab"
    : compose.saved
      ? compose.dirty
        ? "unsaved changes"
        : "saved"
      : "";
  el.hidden = !compose.saved;
  $("compose-title").firstChild.textContent = compose.saved ? "Draft " : "New message ";
}

function renderAttachments() {
  const ul = $("attachments");
  ul.replaceChildren(
    ...compose.attachments.map((a, i) => {
      const li = document.createElement("li");
      const name = document.createElement("span");
      name.className = "att-name";
      name.textContent = a.name;
      const size = document.createElement("span");
      size.className = "att-size";
      size.textContent = formatSize(a.bytes.length);
      const remove = document.createElement("button");
      remove.type = "button";
      remove.className = "quiet";
      remove.textContent = "Remove";
      remove.setAttribute("aria-label", `Remove ${a.name}`);
      remove.addEventListener("click", () => {
        compose.attachments.splice(i, 1);
        setFieldError("attach", "");
        markDirty();
        renderAttachments();
        $("attach").focus();
      });
      li.append(name, " ", size, " ", remove);
      return li;
    }),
  );
}

function markDirty() {
  compose.dirty = true;
  compose.edits++;
  setComposeState();
  scheduleAutosave();
}

// ---------------------------------------------------------------------------------------
// Autosave: the form is saved as a draft a moment after each change, and the draft being
// edited is remembered (localStorage, per database), so a reload brings it back.

const EDITING_KEY = `mapi-outbox-demo:${DB_NAME}:editing`;
let autosaveTimer = 0;
let autosaving = Promise.resolve();

function rememberEditing(entryId) {
  try {
    if (entryId) localStorage.setItem(EDITING_KEY, entryId);
    else localStorage.removeItem(EDITING_KEY);
  } catch {
    // No storage (private mode): nothing is restored after a reload, the draft is in Drafts.
  }
}

function recallEditing() {
  try {
    return localStorage.getItem(EDITING_KEY);
  } catch {
    return null;
  }
}

function hasContent() {
  return FIELDS.some((id) => $(id).value.trim() !== "") || compose.attachments.length > 0;
}

function scheduleAutosave() {
  clearTimeout(autosaveTimer);
  if (compose.conflict || !store) return;
  autosaveTimer = setTimeout(() => {
    autosaving = autosave();
  }, AUTOSAVE_MS);
}

async function autosave() {
  // Not while another tab's copy is waiting for a choice, nor with an address that is not
  // one (it would be left out of the draft): the form keeps it, marked, until it is fixed.
  if (!compose.dirty || compose.conflict || !hasContent()) return;
  if (ADDRESS_FIELDS.some((id) => parseAddressList($(id).value).bad.length > 0)) return;
  $("compose-state").textContent = "saving…";
  $("compose-state").hidden = false;
  try {
    await saveDraft();
  } catch (err) {
    onActionError(err);
  }
  scheduleRender(); // Drafts shows it
}

async function settleAutosave() {
  clearTimeout(autosaveTimer);
  await autosaving;
}

/** Errors of an action; another tab's newer save of this draft gets a choice. */
function onActionError(err) {
  if (MapiError.codeOf(err) === ErrorCode.MAPI_E_OBJECT_CHANGED && compose.msg) {
    compose.conflict = true;
    setComposeState();
    const subject = $("subject").value || "(no subject)";
    showError(err, "", {
      actions: [
        { label: "Load their copy", action: "load-theirs", run: () => run(null, loadTheirs) },
        { label: "Keep mine (replace theirs)", action: "keep-mine", run: () => run(null, keepMine) },
      ],
      detail: `"${subject}": ${describe(err)}`,
    });
    return;
  }
  showError(err);
}

async function loadTheirs() {
  const entryId = compose.msg.entryId;
  compose.conflict = false;
  releaseCompose();
  await loadIntoCompose(entryId);
  showStatus("Loaded the copy saved in the other tab.");
  $("subject").focus();
}

async function keepMine() {
  const msg = compose.msg;
  writeFormInto(msg);
  await msg.saveChanges({ force: true }); // overwrite the other tab's save
  compose.conflict = false;
  compose.saved = true;
  compose.dirty = false;
  setComposeState();
  showStatus("Saved your version: it replaced the copy from the other tab.");
}

const ADDRESS_FIELDS = ["to", "cc", "bcc"];

/** Checks one address field; shows what is wrong under it. Returns true when it is fine. */
function checkAddressField(id) {
  const { bad } = parseAddressList($(id).value);
  setFieldError(
    id,
    bad.length === 0
      ? ""
      : bad.length === 1
        ? `"${bad[0]}" is not an email address (name@example.org, or Name <name@example.org>).`
        : `These are not email addresses: ${bad.map((b) => `"${b}"`).join(", ")}.`,
  );
  return bad.length === 0;
}

/**
 * Checks the recipients before a send: every address field parses, and there is at least
 * one recipient. Returns the id of the first field to fix, or null.
 */
function checkRecipients() {
  let first = null;
  for (const id of ADDRESS_FIELDS) if (!checkAddressField(id) && !first) first = id;
  if (first) return first;
  const any = ADDRESS_FIELDS.some((id) => parseAddressList($(id).value).rows.length > 0);
  if (!any) {
    setFieldError("to", "Add at least one recipient: in To, Cc or Bcc.");
    return "to";
  }
  return null;
}

/** The size a file adds to a message: base64 (4/3) and a little for its headers. */
const encodedSize = (n) => Math.ceil(n / 3) * 4 + 300;

function attachmentsSize() {
  return compose.attachments.reduce((sum, a) => sum + encodedSize(a.bytes.length), 0);
}

/** Attaches the picked files that fit under the store's size limit; says which did not. */
async function attachFiles(files) {
  const refused = [];
  for (const f of files) {
    // The text, headers and the other attachments need room too.
    const room = MAX_MESSAGE - 4096 - attachmentsSize() - $("body").value.length - $("html").value.length;
    if (encodedSize(f.size) > room) {
      refused.push(f);
      continue;
    }
    compose.attachments.push({ name: f.name, type: f.type, bytes: new Uint8Array(await f.arrayBuffer()) });
  }
  if (files.length > refused.length) markDirty();
  renderAttachments();
  setFieldError(
    "attach",
    refused.length === 0
      ? ""
      : `${refused.map((f) => `"${f.name}" (${formatSize(f.size)})`).join(", ")} ${refused.length === 1 ? "is" : "are"} too big to attach: ` +
          `a message can be at most ${formatSize(MAX_MESSAGE)}, and attached files grow by a third when sent.`,
  );
  if (refused.length) focusField("attach");
}

/** Writes the whole form into `msg` (throws on bad input, e.g. an invalid address). */
function writeFormInto(msg) {
  const identity = IDENTITIES[Number($("from").value)] ?? IDENTITIES[0];
  const props = {
    PidTagSenderName: identity.name,
    PidTagSenderEmailAddress: identity.email,
    PidTagSubject: $("subject").value,
    PidTagBody: $("body").value,
    PidTagImportance: Number($("importance").value),
  };
  const remove = [];
  const html = $("html").value;
  if (html.trim()) props.PidTagBodyHtml = html;
  else remove.push("PidTagBodyHtml");
  const sendAt = $("send-at").value;
  if (sendAt) {
    const when = new Date(sendAt);
    if (Number.isNaN(when.getTime())) throw new Error("The send-later time is not a valid date.");
    if (when.getTime() <= Date.now()) {
      throw new Error("The send-later time is in the past: clear it to send now, or pick a later time.");
    }
    props.PidTagDeferredSendTime = when;
  } else {
    remove.push("PidTagDeferredSendTime");
  }
  const rows = [
    ...recipientRows(parseAddressList($("to").value).rows, 1),
    ...recipientRows(parseAddressList($("cc").value).rows, 2),
    ...recipientRows(parseAddressList($("bcc").value).rows, 3),
  ];
  msg.setProps(props);
  msg.deleteProps(remove);
  msg.removeAllRecipients();
  if (rows.length) msg.modifyRecipients("add", rows);
  for (const row of msg.getAttachments()) msg.deleteAttach(row.PidTagAttachNumber);
  for (const a of compose.attachments) {
    const att = msg.createAttach();
    try {
      att.setProps({
        PidTagAttachLongFilename: a.name,
        PidTagAttachMimeTag: a.type || "application/octet-stream",
        PidTagAttachDataBinary: a.bytes,
      });
      att.saveChanges();
    } finally {
      att.free();
    }
  }
}

function clearForm() {
  for (const id of FIELDS) $(id).value = "";
  for (const id of [...ADDRESS_FIELDS, "attach"]) setFieldError(id, "");
  $("importance").value = "1";
  $("from").value = "0";
  $("attach").value = "";
  compose.attachments = [];
  renderAttachments();
}

/** Forgets the message behind the form (without touching its stored copy). */
function releaseCompose() {
  clearTimeout(autosaveTimer);
  compose.msg?.free();
  compose.msg = null;
  compose.saved = false;
  compose.dirty = false;
  compose.conflict = false;
  rememberEditing(null);
}

function newMessage() {
  releaseCompose();
  clearForm();
  setComposeState();
}

/** Saves the form as a draft; returns the entry id. */
async function saveDraft() {
  const msg = compose.msg ?? (compose.msg = store.createMessage());
  const edits = compose.edits;
  writeFormInto(msg);
  await msg.saveChanges();
  compose.saved = true;
  compose.dirty = compose.edits !== edits; // typed on meanwhile: saved again shortly
  rememberEditing(msg.entryId);
  setComposeState();
  if (compose.dirty) scheduleAutosave();
  return msg.entryId;
}

/** Keeps what the user typed before the form is replaced by another message. */
async function keepUnsavedWork() {
  if (!compose.dirty || !hasContent() || compose.conflict) return;
  try {
    await saveDraft();
    log(`kept the message you were writing in Drafts ("${$("subject").value}")`);
  } catch (err) {
    log(`could not keep the message you were writing: ${describe(err)}`);
  }
}

/** Opens a draft (by entry id) into the compose form, read-write. */
async function loadIntoCompose(entryId) {
  const msg = await store.openMessage(entryId);
  try {
    const p = msg.getProps();
    const recipients = msg.getRecipients();
    const attachments = [];
    for (const row of msg.getAttachments()) {
      const att = msg.openAttach(row.PidTagAttachNumber);
      try {
        const ap = att.getProps(["PidTagAttachLongFilename", "PidTagAttachFilename", "PidTagAttachMimeTag", "PidTagAttachDataBinary"]);
        attachments.push({
          name: ap.PidTagAttachLongFilename ?? ap.PidTagAttachFilename ?? `attachment-${row.PidTagAttachNumber}`,
          type: ap.PidTagAttachMimeTag ?? "",
          bytes: ap.PidTagAttachDataBinary ?? new Uint8Array(0),
        });
      } finally {
        att.free();
      }
    }
    releaseCompose();
    clearForm();
    const byType = (t) => recipients.filter((r) => r.PidTagRecipientType === t).map(formatRecipient).join(", ");
    $("to").value = byType(1);
    $("cc").value = byType(2);
    $("bcc").value = byType(3);
    $("subject").value = p.PidTagSubject ?? "";
    $("body").value = p.PidTagBody ?? "";
    $("html").value = p.PidTagBodyHtml ?? "";
    $("importance").value = String(p.PidTagImportance ?? 1);
    const idx = IDENTITIES.findIndex((i) => i.email === p.PidTagSenderEmailAddress);
    $("from").value = String(Math.max(0, idx));
    $("send-at").value =
      p.PidTagDeferredSendTime instanceof Date && p.PidTagDeferredSendTime.getTime() > Date.now()
        ? toLocalInput(p.PidTagDeferredSendTime)
        : "";
    compose.attachments = attachments;
    renderAttachments();
    compose.msg = msg;
    compose.saved = true;
    compose.dirty = false;
    rememberEditing(entryId);
    setComposeState();
  } catch (err) {
    if (compose.msg !== msg) msg.free();
    throw err;
  }
}

/** Checks the send-later time; shows what is wrong under it. Returns true when it is fine. */
function checkSendAt() {
  const v = $("send-at").value;
  let text = "";
  if (v) {
    const when = new Date(v);
    if (Number.isNaN(when.getTime())) text = "This is not a date and time.";
    else if (when.getTime() <= Date.now()) text = "This time has passed: clear it to send now, or pick a later time.";
  }
  setFieldError("send-at", text);
  return !text;
}

async function onSend(event) {
  event.preventDefault();
  await run($("send"), async () => {
    hideError();
    // Bad input is said under its field, which comes into view with the focus in it.
    const bad = checkRecipients() ?? (checkSendAt() ? null : "send-at");
    if (bad) {
      focusField(bad);
      showError(bad === "send-at" ? "Check the send-later time." : "Check the recipients before sending.", "", {
        detail: $(`${bad}-error`).textContent,
      });
      return;
    }
    const msg = compose.msg ?? (compose.msg = store.createMessage());
    writeFormInto(msg); // what the page could not check throws here: shown, the form keeps it
    const entryId = msg.entryId; // read before submit: the object dies on submit
    const subject = $("subject").value;
    subjects.set(entryId, subject);
    const sendLater = $("send-at").value !== "";
    try {
      await msg.submit();
    } catch (err) {
      if (MapiError.codeOf(err) === ErrorCode.MAPI_E_TOO_BIG) {
        setFieldError("attach", `The message is bigger than ${formatSize(MAX_MESSAGE)}: remove an attachment.`);
        focusField("attach");
      }
      if (MapiError.codeOf(err) !== ErrorCode.MAPI_E_CORRUPT_DATA) throw err;
      // The stored copy is unreadable: rewrite it from the form and submit once more.
      log(`"${subject}": the stored copy was unreadable (MAPI_E_CORRUPT_DATA); rewrote it and submitted again`);
      try {
        writeFormInto(msg);
        await msg.saveChanges();
        await msg.submit();
      } catch (err2) {
        showError(err2, "The message was not sent: its stored copy was damaged and rewriting it failed. ");
        return;
      }
    }
    msg.free();
    compose.msg = null;
    compose.saved = false;
    compose.dirty = false;
    rememberEditing(null);
    clearForm();
    setComposeState();
    // The undo bar says what happens to it from here on (no status line to go stale).
    showUndoBar({ entryId, subject, phase: sendLater ? "later" : "waiting" });
    $("to").focus({ preventScroll: true });
  });
}

// ---------------------------------------------------------------------------------------
// Undo

async function undoSend(entryId, subject, button) {
  await run(button, async () => {
    hideError();
    try {
      await store.abortSubmit(entryId);
    } catch (err) {
      const code = MapiError.codeOf(err);
      if (code === ErrorCode.MAPI_E_UNABLE_TO_ABORT) {
        showError(`Too late to undo "${subject}": it is being sent right now.`, "", { detail: describe(err) });
        return;
      }
      if (code === ErrorCode.MAPI_E_NOT_IN_QUEUE || code === ErrorCode.MAPI_E_NOT_FOUND) {
        showError(`Too late to undo "${subject}": it has already been sent.`, "", { detail: describe(err) });
        return;
      }
      throw err;
    }
    if (undoBar?.entryId === entryId) hideUndoBar();
    await keepUnsavedWork();
    try {
      await loadIntoCompose(entryId);
      showStatus(`Send undone: "${subject}" is back in the compose form.`);
    } catch (err) {
      showError(err, `Send undone, but "${subject}" could not be opened (it is in Drafts): `);
    }
    $("subject").focus();
  });
}

function showUndoBar(state) {
  clearTimeout(undoBarTimer);
  undoBar = state;
  $("undo-bar").hidden = false;
  updateUndoBar();
}

/**
 * After a reload (or in a second tab) the undo bar comes back for the newest message still
 * in its undo window: the Outbox is in IndexedDB, so the undo is still possible.
 */
function restoreUndoBar() {
  if (undoBar) return;
  const waiting = [...queueRows.values()].filter(
    (r) => inUndoWindow(r) && !(r.PidTagSubmitFlags & SubmitFlags.LOCKED) && !r.attempts,
  );
  const newest = waiting.at(-1); // the queue is in ascending submit order
  if (newest) showUndoBar({ entryId: newest.entryId, subject: newest.PidTagSubject ?? "", phase: "waiting" });
}

function hideUndoBar() {
  clearTimeout(undoBarTimer);
  undoBar = null;
  $("undo-live").textContent = "";
  $("undo-bar").hidden = true;
}

function updateUndoBar() {
  if (!undoBar) return;
  const { subject, phase, entryId } = undoBar;
  const row = queueRows.get(entryId);
  // A long subject is cut: the bar stays short, and the compose buttons stay above it.
  const shown = subject.length > 48 ? `${subject.slice(0, 47)}…` : subject;
  const name = `"${shown || "(no subject)"}"`;
  let text;
  let canUndo = true;
  if (row) undoBar.seen = true;
  if (phase === "sent") {
    text = `Sent ${name}.`;
    canUndo = false;
  } else if (phase === "failed") {
    text = `${name} could not be delivered to every recipient: see the Inbox.`;
    canUndo = false;
  } else if (phase === "sending" || (row && row.PidTagSubmitFlags & SubmitFlags.LOCKED)) {
    // A transport has it: abortSubmit would answer MAPI_E_UNABLE_TO_ABORT, so no Undo.
    text = `Sending ${name} now: too late to undo.`;
    canUndo = false;
  } else if (!row && undoBar.seen) {
    // Gone from the Outbox without an event here: another tab or the worker sent it.
    text = `${name} has left the Outbox.`;
    canUndo = false;
  } else if (row && row.attempts > 0 && row.nextAttemptAt) {
    text = `${name} is not out yet: ${plainTransportError(row.lastError)}. Next try in ${formatLeft(row.nextAttemptAt)}.`;
  } else if (row?.PidTagDeferredSendTime && row.PidTagDeferredSendTime.getTime() > Date.now()) {
    text =
      phase === "later"
        ? `Scheduled ${name} for ${formatTime(row.PidTagDeferredSendTime)}.`
        : `Sending ${name} in ${secondsLeft(row.PidTagDeferredSendTime)} s…`;
  } else {
    text = `Sending ${name}…`;
  }
  if ($("undo-text").textContent !== text) $("undo-text").textContent = text;
  // Screen readers hear each change of state once, not every tick of the countdown.
  const said = text.replace(/\d+ (s|min|h)\b/g, "").replace(/\s+/g, " ");
  if (undoBar.said !== said) {
    undoBar.said = said;
    $("undo-live").textContent = canUndo ? `${text} Undo is available.` : text;
  }
  $("undo-button").hidden = !canUndo;
  $("undo-bar").dataset.phase = phase;
}

/** A row: subject (opens the message read-only), meta line, state line, action buttons. */
function baseRow(onOpen) {
  const li = el("li", "row");
  const what = el("div", "what");
  const subject = el("button", "link subject");
  subject.type = "button";
  subject.dataset.action = "open";
  subject.addEventListener("click", () => onOpen(li));
  what.append(subject, el("div", "meta"), el("div", "state"));
  li.append(what, el("div", "row-actions"));
  return li;
}

function setRowText(li, subject, meta, state) {
  const s = li.querySelector(".subject");
  const text = subject || "(no subject)";
  if (s.textContent !== text) s.textContent = text;
  li.querySelector(".meta").textContent = meta;
  const st = li.querySelector(".state");
  st.textContent = state ?? "";
  st.hidden = !state;
}

function addAction(li, label, action, onClick) {
  const b = el("button", "", label);
  b.type = "button";
  b.dataset.action = action;
  b.addEventListener("click", () => onClick(b));
  li.querySelector(".row-actions").append(b);
  return b;
}

/**
 * Whether a queue row is waiting out the undo window (its deferred send time is the one
 * sendDelayMs gave it), not a "send later" time the user picked.
 */
function inUndoWindow(row) {
  const deferred = row.PidTagDeferredSendTime;
  return (
    UNDO_MS > 0 &&
    !!deferred &&
    deferred.getTime() > Date.now() &&
    deferred.getTime() - row.PidTagClientSubmitTime.getTime() <= UNDO_MS + 1000
  );
}

/** The state of a queue row, for the Outbox view. */
function queueState(row) {
  if (row.PidTagSubmitFlags & SubmitFlags.LOCKED) {
    // Not sent from this page: another tab, the service worker, or a page that was closed
    // mid-send (its lock runs out and the message is taken up again).
    const text = sendingHere.has(row.entryId)
      ? "Sending…"
      : "Sending from another tab or in the background… (if that stopped, it is picked up again within 30 s)";
    return { state: "sending", text, undo: false };
  }
  if (row.attempts > 0 && row.nextAttemptAt) {
    return {
      state: "retrying",
      text: `Not sent yet: ${plainTransportError(row.lastError)}. Next try in ${formatLeft(row.nextAttemptAt)}`,
      undo: true,
    };
  }
  const deferred = row.PidTagDeferredSendTime;
  if (deferred && deferred.getTime() > Date.now()) {
    return {
      state: "scheduled",
      text: inUndoWindow(row)
        ? `Undo window: sends in ${formatLeft(deferred)}`
        : `Scheduled for ${formatTime(deferred)} (in ${formatLeft(deferred)})`,
      undo: true,
    };
  }
  return { state: "waiting", text: "Waiting for the spooler", undo: true };
}

async function hurry(kind, entryId, button) {
  await run(button, async () => {
    if (kind === "send") {
      await store.sendNow(entryId);
      showStatus("Sending now.");
    } else {
      const n = await store.retryNow(entryId);
      showStatus(n > 0 ? "Retrying now." : "Nothing to retry: it is already going.");
    }
  });
}

function renderOutbox(rows) {
  queueRows = new Map(rows.map((r) => [r.entryId, r]));
  for (const r of rows) subjects.set(r.entryId, r.PidTagSubject);
  syncList(
    $("outbox"),
    rows,
    (r) => r.entryId,
    () => {
      const li = baseRow((li) => openViewer(li.dataset.key, "outbox"));
      const why = el("details", "why");
      why.append(el("summary", "", "Details"), el("span"));
      li.querySelector(".what").append(why);
      addAction(li, "Undo", "undo", (b) => {
        const r = queueRows.get(li.dataset.key);
        undoSend(li.dataset.key, r?.PidTagSubject ?? "", b);
      });
      addAction(li, "Send now", "send-now", (b) => hurry("send", li.dataset.key, b));
      addAction(li, "Retry now", "retry-now", (b) => hurry("retry", li.dataset.key, b));
      return li;
    },
    (li, r) => {
      const q = queueState(r);
      li.dataset.state = q.state;
      li.title = r.lastError ? `Last error: ${r.lastError}` : "";
      const why = li.querySelector(".why");
      why.hidden = !r.lastError;
      const whyText = r.lastError ? `Attempt ${r.attempts} failed: ${r.lastError}` : "";
      if (why.lastChild.textContent !== whyText) why.lastChild.textContent = whyText;
      setRowText(li, r.PidTagSubject, `${recipientsLine(r) || "?"} · submitted ${formatTime(r.PidTagClientSubmitTime)} · ${formatSize(r.PidTagMessageSize)}`, q.text);
      li.querySelector("[data-action=undo]").hidden = !q.undo;
      li.querySelector("[data-action=send-now]").hidden = q.state !== "scheduled";
      li.querySelector("[data-action=retry-now]").hidden = q.state !== "retrying";
    },
  );
  setCount("outbox", rows.length);
}

function renderFolder(name, rows) {
  syncList(
    $(name),
    rows,
    (r) => r.entryId,
    () => {
      const li = baseRow((li) => openViewer(li.dataset.key, name));
      if (name === "drafts") {
        addAction(li, "Edit", "edit", (b) =>
          run(b, async () => {
            if (compose.msg?.entryId === li.dataset.key) return $("subject").focus();
            await keepUnsavedWork();
            await loadIntoCompose(li.dataset.key);
            showStatus("Draft opened in the compose form.");
            $("to").focus();
          }),
        );
        addAction(li, "Delete", "delete", (b) =>
          run(b, async () => {
            if (compose.msg?.entryId === li.dataset.key) newMessage();
            await store.deleteMessage(li.dataset.key);
            showStatus("Draft deleted.");
          }),
        );
      }
      return li;
    },
    (li, r) => {
      const ndr = r.PidTagMessageClass.startsWith("REPORT.") && r.PidTagMessageClass.endsWith(".NDR");
      li.dataset.kind = ndr ? "ndr" : "note";
      const when = r.PidTagClientSubmitTime ? ` · ${formatTime(r.PidTagClientSubmitTime)}` : "";
      const extra = ndr ? null : copiesOf(r, () => scheduleRender());
      const meta = ndr
        ? `Non-delivery report${when}`
        : `${recipientsLine({ ...r, ...extra }) || "To (nobody yet)"}${when} · ${formatSize(r.PidTagMessageSize)}`;
      setRowText(li, r.PidTagSubject, meta, "");
    },
  );
  setCount(name, rows.length);
}

// Contents rows carry PidTagDisplayTo only: the Cc and Bcc of Drafts and Sent Items rows are
// read from the message once per version (entry id, size, flags) and kept here.
const copies = new Map();

/** { PidTagDisplayCc, PidTagDisplayBcc } of a contents row, or null until read (then `done`). */
function copiesOf(r, done) {
  const key = `${r.entryId}:${r.PidTagMessageSize}:${r.PidTagMessageFlags}`;
  if (copies.has(key)) return copies.get(key);
  copies.set(key, null);
  (async () => {
    const msg = await store.openMessage(r.entryId, { access: "read" });
    try {
      const list = (t) => msg.getRecipients().filter((x) => x.PidTagRecipientType === t).map((x) => x.PidTagDisplayName || x.PidTagEmailAddress).join("; ");
      copies.set(key, { PidTagDisplayCc: list(2), PidTagDisplayBcc: list(3) });
    } finally {
      msg.free();
    }
    done();
  })().catch(() => {}); // gone or damaged meanwhile: the row shows To only
  return null;
}

/** "To a; b · Cc c · Bcc d" of a contents or queue row (the parts it has). */
function recipientsLine(r) {
  return [
    ["To", r.PidTagDisplayTo],
    ["Cc", r.PidTagDisplayCc],
    ["Bcc", r.PidTagDisplayBcc],
  ]
    .filter(([, v]) => v)
    .map(([k, v]) => `${k} ${v}`)
    .join(" · ");
}

let renderRunning = false;
let renderAgain = false;
async function render() {
  const [queue, drafts, sent, inbox] = await Promise.all([
    store.outgoingQueue(),
    store.contents("drafts"),
    store.contents("sent"),
    store.contents("inbox"),
  ]);
  renderOutbox(queue);
  renderFolder("drafts", drafts);
  renderFolder("sent", sent);
  renderFolder("inbox", inbox);
  updateUndoBar();
}

/** Coalesces redraws: one runs at a time, and one more after it if anything changed. */
function scheduleRender() {
  if (renderRunning) {
    renderAgain = true;
    return;
  }
  renderRunning = true;
  (async () => {
    try {
      do {
        renderAgain = false;
        await render();
      } while (renderAgain);
    } catch (err) {
      showError(err, "Could not read the store: ");
    } finally {
      renderRunning = false;
      document.body.dataset.rendered = String(Number(document.body.dataset.rendered ?? 0) + 1);
    }
  })();
}

function tick() {
  for (const li of $("outbox").children) {
    const r = queueRows.get(li.dataset.key);
    if (!r) continue;
    const q = queueState(r);
    const st = li.querySelector(".state");
    if (st.textContent !== q.text) st.textContent = q.text;
    if (li.dataset.state !== q.state) {
      li.dataset.state = q.state;
      li.querySelector("[data-action=undo]").hidden = !q.undo;
      li.querySelector("[data-action=send-now]").hidden = q.state !== "scheduled";
      li.querySelector("[data-action=retry-now]").hidden = q.state !== "retrying";
    }
  }
  updateUndoBar();
}

// ---------------------------------------------------------------------------------------
// Store events

function onStoreEvent(event) {
  const d = event.detail ?? {};
  const subject = (id) => {
    const s = queueRows.get(id)?.PidTagSubject ?? subjects.get(id);
    return s !== undefined ? `"${s || "(no subject)"}"` : "a message";
  };
  switch (event.type) {
    case "submitted":
      log(`submitted ${subject(d.entryId)}`);
      break;
    case "sending":
      log(`sending ${subject(d.entryId)} via ${d.transport}`);
      sendingHere.add(d.entryId);
      // Too late for Undo from here on: the bar stops offering it at once.
      if (undoBar?.entryId === d.entryId && (undoBar.phase === "waiting" || undoBar.phase === "later")) {
        undoBar.phase = "sending";
        updateUndoBar();
      }
      break;
    case "retry":
      sendingHere.delete(d.entryId);
      if (undoBar?.entryId === d.entryId && undoBar.phase === "sending") undoBar.phase = "waiting";
      log(`attempt ${d.attempt} of ${subject(d.entryId)} failed: ${d.error}; next at ${formatTime(d.nextAttemptAt)}`);
      break;
    case "sent":
      sendingHere.delete(d.entryId);
      log(`sent ${subject(d.entryId)}${d.sentEntryId ? " (now in Sent Items)" : ""}`);
      if (undoBar?.entryId === d.entryId && undoBar.phase !== "failed") {
        undoBar.phase = "sent";
        clearTimeout(undoBarTimer);
        undoBarTimer = setTimeout(hideUndoBar, 4000);
      }
      refreshSinkSoon();
      break;
    case "aborted":
      log(`send undone: ${subject(d.entryId)} is back in Drafts`);
      if (undoBar?.entryId === d.entryId) hideUndoBar();
      break;
    case "ndr":
      log(`non-delivery report for ${subject(d.entryId)}: ${d.recipients.map((r) => `${r.email} (${r.reason})`).join("; ")}`);
      if (undoBar?.entryId === d.entryId) undoBar.phase = "failed";
      break;
    default:
      break;
  }
  scheduleRender();
}

// ---------------------------------------------------------------------------------------
// Start

async function main() {
  setupDock();
  const from = $("from");
  IDENTITIES.forEach((id, i) => from.append(new Option(`${id.name} <${id.email}>`, String(i))));
  setupTabs((tab) => {
    if (tab.id === "tab-sink") refreshSinkSoon();
  });
  await openStore();
  store = app.store;
  backend = app.backend;
  setRunner(run);
  for (const type of ["queuechange", "submitted", "sending", "sent", "retry", "aborted", "ndr"]) {
    store.addEventListener(type, onStoreEvent);
  }
  if (backend === "indexeddb") {
    // Another tab opened a newer version of the database: this store object is closed.
    store.addEventListener("versionchange", () => {
      showError("The demo's database was upgraded by another tab: reload this page to go on.");
      for (const id of ["send", "save", "new", "damage"]) $(id).disabled = true;
    });
  }
  const form = $("compose");
  form.addEventListener("submit", onSend);
  form.addEventListener("input", (e) => {
    if (e.target.id !== "attach") markDirty();
  });
  form.addEventListener("keydown", (e) => {
    if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) {
      e.preventDefault();
      form.requestSubmit();
    }
  });
  $("attach").addEventListener("change", async (e) => {
    const files = [...e.target.files];
    e.target.value = "";
    await attachFiles(files);
  });
  $("attach-hint").textContent = `Up to ${formatSize(MAX_MESSAGE)} a message.`;
  // Addresses are checked when the field is left, and again as it is typed in once wrong.
  for (const id of ADDRESS_FIELDS) {
    $(id).addEventListener("change", () => checkAddressField(id));
    $(id).addEventListener("input", () => {
      if ($(id).getAttribute("aria-invalid") === "true") checkAddressField(id);
    });
  }
  $("send-at").addEventListener("change", () => checkSendAt());
  $("save").addEventListener("click", (e) =>
    run(e.currentTarget, async () => {
      const bad = ADDRESS_FIELDS.find((id) => !checkAddressField(id));
      if (bad) {
        focusField(bad);
        showError("Fix the marked address before saving: a draft keeps only real addresses.");
        return;
      }
      await saveDraft();
      showStatus(`Saved "${$("subject").value || "(no subject)"}" in Drafts.`);
    }),
  );
  $("new").addEventListener("click", async (e) => {
    await run(e.currentTarget, async () => {
      await keepUnsavedWork();
      newMessage();
      showStatus("New message.");
    });
    $("to").focus();
  });
  $("damage").addEventListener("click", (e) =>
    run(e.currentTarget, async () => {
      const entryId = await saveDraft();
      await store.corruptRecordForTesting(entryId);
      document.body.dataset.damaged = entryId;
      showStatus("The stored copy of this draft is now damaged. Press Send: the page rewrites it and sends it anyway.");
      log(`damaged the stored copy of "${$("subject").value}" (corruptRecordForTesting)`);
    }),
  );
  $("undo-button").addEventListener("click", (e) => {
    if (undoBar) undoSend(undoBar.entryId, undoBar.subject, e.currentTarget);
  });
  $("undo-dismiss").addEventListener("click", hideUndoBar);
  $("offline").addEventListener("change", (e) => setSinkState({ offline: e.target.checked }, null));
  $("slow").addEventListener("change", (e) => setSinkState({ delayMs: e.target.checked ? 5000 : 0 }, null));
  $("sink-refresh").addEventListener("click", refreshSinkSoon);
  setupViewer();

  try {
    showSinkState(await sinkFetch("/sink/state"));
    $("offline").disabled = false;
    $("slow").disabled = false;
  } catch (err) {
    net.sinkReachable = false;
    showError("The mail server cannot be reached: start the demo with npm start.", "", { detail: describe(err) });
  }
  setupNet();
  await render();
  restoreUndoBar();
  await restoreDraft();
  // Leaving the page: start saving what is not saved yet (the save usually completes).
  window.addEventListener("pagehide", () => {
    if (compose.dirty && !compose.conflict) autosaving = autosave();
  });
  refreshSinkSoon();
  setInterval(tick, 250);
  for (const id of ["send", "save", "new", "damage"]) $(id).disabled = false;
  setComposeState();
  $("undo-words").textContent = UNDO_MS > 0 ? `a ${formatWindow(UNDO_MS)} undo window` : "no undo window";
  if (UNDO_RAW !== null && String(UNDO_MS) !== UNDO_RAW && $("error").hidden) {
    showError(`The undo window in the address (?undo=${UNDO_RAW}) must be a whole number of milliseconds from 0 to ${UNDO_MAX_MS}: using ${formatWindow(UNDO_MS)}.`);
  }
  document.body.dataset.ready = "true";
}

/** After a reload: the draft that was being edited comes back into the form. */
async function restoreDraft() {
  const entryId = recallEditing();
  if (!entryId) return;
  const drafts = await store.contents("drafts");
  if (!drafts.some((r) => r.entryId === entryId)) return rememberEditing(null); // sent or deleted
  try {
    await loadIntoCompose(entryId);
    showStatus(`Your draft "${$("subject").value || "(no subject)"}" is back, as last saved.`);
  } catch (err) {
    rememberEditing(null);
    showError(err, "Your last draft could not be opened (it is in Drafts). ");
  }
}

function formatWindow(ms) {
  return ms % 60_000 === 0 && ms >= 60_000 ? `${ms / 60_000}-minute` : `${+(ms / 1000).toFixed(1)}-second`;
}

main().catch((err) => {
  showError(err, "The demo could not start. ");
  console.error(err);
});
