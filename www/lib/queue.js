// The Outbox as the page knows it: the latest queue rows, the subjects of messages by entry
// id (an event can come before the Outbox is read again), which messages this page's
// spooler is sending, and the state of a row in plain words.
import { SubmitFlags } from "mapi-outbox";
import { formatTime, formatLeft } from "./format.js";
import { plainTransportError } from "./explain.js";
import { UNDO_MS, DB_NAME } from "./config.js";

/** The latest outgoing queue rows by entry id, in submit order. */
export const queueRows = new Map();
/** Subjects by entry id. */
export const subjects = new Map();
// Entry ids this page's spooler is sending now (from the store's "sending" events), and
// those this tab was sending when it was reloaded (sessionStorage outlives the reload).
const sendingHere = new Set();
const CUT_OFF_KEY = `mapi-outbox-demo:${DB_NAME}:sending`;
const cutOff = new Set(readCutOff());

function readCutOff() {
  try {
    const ids = JSON.parse(sessionStorage.getItem(CUT_OFF_KEY) ?? "[]");
    sessionStorage.removeItem(CUT_OFF_KEY);
    return Array.isArray(ids) ? ids : [];
  } catch {
    return [];
  }
}

/** Leaving the page (pagehide): what it was sending is cut off; the next page says so. */
export function rememberSendingOnLeave() {
  try {
    if (sendingHere.size) sessionStorage.setItem(CUT_OFF_KEY, JSON.stringify([...sendingHere]));
  } catch {
    // No storage: the next page shows such a message as being sent, without the reason.
  }
}

export function setQueueRows(rows) {
  queueRows.clear();
  for (const r of rows) {
    queueRows.set(r.entryId, r);
    subjects.set(r.entryId, r.PidTagSubject);
  }
}

/** `"Subject"` of a message for the event log, or "a message". */
export function subjectOf(entryId) {
  const s = queueRows.get(entryId)?.PidTagSubject ?? subjects.get(entryId);
  return s !== undefined ? `"${s || "(no subject)"}"` : "a message";
}

/** Follows the store's events that say who is sending what. */
export function trackSending(store) {
  store.addEventListener("sending", (e) => sendingHere.add(e.detail.entryId));
  for (const type of ["retry", "sent", "aborted"]) {
    store.addEventListener(type, (e) => {
      sendingHere.delete(e.detail.entryId);
      if (type !== "retry") cutOff.delete(e.detail.entryId); // after a retry: still the one the reload cut off
    });
  }
}

/** Whether this tab was sending the message when it was reloaded. */
export function wasCutOff(entryId) {
  return cutOff.has(entryId);
}

/** Whether this page's spooler has the message now. */
export function isSendingHere(entryId) {
  return sendingHere.has(entryId);
}

/**
 * Whether a queue row is waiting out the undo window (its deferred send time is the one
 * sendDelayMs gave it), not a "send later" time the user picked.
 */
export function inUndoWindow(row) {
  const deferred = row.PidTagDeferredSendTime;
  return (
    UNDO_MS > 0 &&
    !!deferred &&
    deferred.getTime() > Date.now() &&
    deferred.getTime() - row.PidTagClientSubmitTime.getTime() <= UNDO_MS + 1000
  );
}

const ELSEWHERE_TEXT =
  "Being sent from another tab or in the background. If that stopped (a tab closed or reloaded mid-send), it is picked up again within 30 s.";
const CUT_OFF_TEXT = "The page was reloaded while sending it: the send is picked up again within 30 s.";
const TAKEN_OVER_TEXT = "Sending again: the last try was cut off when the page was reloaded or a tab closed mid-send.";

/** The state of a queue row: { state, text, undo } (undo: whether Undo can work). */
export function queueState(row) {
  if (row.PidTagSubmitFlags & SubmitFlags.LOCKED) {
    // Not sent from this page: another tab, the service worker, or a page that was closed
    // mid-send (its lock runs out and the message is taken up again). After a reload the
    // page says why the message is being sent again, not just "Sending…".
    const id = row.entryId;
    const text = sendingHere.has(id)
      ? cutOff.has(id)
        ? TAKEN_OVER_TEXT
        : "Sending…"
      : cutOff.has(id)
        ? CUT_OFF_TEXT
        : ELSEWHERE_TEXT;
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
