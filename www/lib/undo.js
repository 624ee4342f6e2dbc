// The undo bar (in the dock): what happens to the message just sent, with Undo while it can
// work. Undo calls store.abortSubmit(entryId) and opens the message again into the form.
// Too late → MAPI_E_UNABLE_TO_ABORT (a transport has it) or MAPI_E_NOT_IN_QUEUE (sent).
import { MapiError, ErrorCode, SubmitFlags } from "mapi-outbox";
import { $ } from "./dom.js";
import { app } from "./state.js";
import { formatTime, secondsLeft, formatLeft } from "./format.js";
import { technical as describe, plainTransportError } from "./explain.js";
import { showStatus, showError, hideError } from "./feedback.js";
import { run } from "./actions.js";
import { queueRows, inUndoWindow, wasCutOff, isSendingHere } from "./queue.js";
import { keepUnsavedWork, loadIntoCompose } from "./draft.js";

// The message the bar is about: { entryId, subject, phase, seen, said }; phase is
// "waiting", "later", "sending", "sent" or "failed".
let undoBar = null;
let undoBarTimer = 0;

export async function undoSend(entryId, subject, button) {
  await run(button, async () => {
    hideError();
    try {
      await app.store.abortSubmit(entryId);
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

/** Shows the bar for a message just submitted; `later`: it has a send-later time. */
export function showUndoBar(entryId, subject, later) {
  clearTimeout(undoBarTimer);
  undoBar = { entryId, subject, phase: later ? "later" : "waiting" };
  $("undo-bar").hidden = false;
  updateUndoBar();
}

/**
 * After a reload (or in a second tab) the undo bar comes back for the newest message still
 * in its undo window: the Outbox is in IndexedDB, so the undo is still possible. A message
 * the reload cut off mid-send comes first: the bar says why it is sent again.
 */
export function restoreUndoBar() {
  if (undoBar) return;
  // A message this tab was sending when it was reloaded: the bar says what became of it.
  const cut = [...queueRows.values()].filter((r) => wasCutOff(r.entryId)).at(-1);
  if (cut) {
    showUndoBar(cut.entryId, cut.PidTagSubject ?? "", false);
    return;
  }
  const waiting = [...queueRows.values()].filter(
    (r) => inUndoWindow(r) && !(r.PidTagSubmitFlags & SubmitFlags.LOCKED) && !r.attempts,
  );
  const newest = waiting.at(-1); // the queue is in ascending submit order
  if (newest) showUndoBar(newest.entryId, newest.PidTagSubject ?? "", false);
}

function hideUndoBar() {
  clearTimeout(undoBarTimer);
  undoBar = null;
  $("undo-live").textContent = "";
  $("undo-bar").hidden = true;
}

/** Redraws the bar from the latest queue rows (after each render and every tick). */
export function updateUndoBar() {
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
  } else if (row && wasCutOff(entryId) && row.PidTagSubmitFlags & SubmitFlags.LOCKED) {
    text = isSendingHere(entryId)
      ? `Sending ${name} again: the reload cut off the last try. Too late to undo.`
      : `${name} was being sent when the page reloaded: it is picked up again within 30 s.`;
    canUndo = false;
  } else if (row && wasCutOff(entryId) && row.attempts > 0 && row.nextAttemptAt) {
    text = `${name} was being sent when the page reloaded, and is not out yet: ${plainTransportError(row.lastError)}. Next try in ${formatLeft(row.nextAttemptAt)}.`;
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

/** The bar follows the store's events for its message; its buttons. */
export function setupUndo(store) {
  const mine = (e) => undoBar?.entryId === e.detail.entryId;
  store.addEventListener("sending", (e) => {
    // Too late for Undo from here on: the bar stops offering it at once.
    if (mine(e) && (undoBar.phase === "waiting" || undoBar.phase === "later")) {
      undoBar.phase = "sending";
      updateUndoBar();
    }
  });
  store.addEventListener("retry", (e) => {
    if (mine(e) && undoBar.phase === "sending") undoBar.phase = "waiting";
  });
  store.addEventListener("sent", (e) => {
    if (mine(e) && undoBar.phase !== "failed") {
      undoBar.phase = "sent";
      clearTimeout(undoBarTimer);
      undoBarTimer = setTimeout(hideUndoBar, 4000);
    }
  });
  store.addEventListener("aborted", (e) => {
    if (mine(e)) hideUndoBar();
  });
  store.addEventListener("ndr", (e) => {
    if (mine(e)) undoBar.phase = "failed";
  });
  $("undo-button").addEventListener("click", (e) => {
    if (undoBar) undoSend(undoBar.entryId, undoBar.subject, e.currentTarget);
  });
  $("undo-dismiss").addEventListener("click", hideUndoBar);
}
