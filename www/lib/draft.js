// Saving the form as a draft and opening a draft into it. Autosave: the form is saved a
// moment after each change, and the draft being edited is remembered (localStorage, per
// database), so a reload brings it back.
import { $ } from "./dom.js";
import { app } from "./state.js";
import { DB_NAME, AUTOSAVE_MS } from "./config.js";
import { log, showStatus, showError, focusField } from "./feedback.js";
import { technical as describe } from "./explain.js";
import { reportError } from "./actions.js";
import { scheduleRender } from "./refresh.js";
import { ADDRESS_FIELDS, anyBadAddress, checkAddressField } from "./recipients.js";
import { compose, setComposeState, hasContent, writeFormInto, readMessage, fillForm, clearForm } from "./compose.js";

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

/** The form changed: say so, and save it shortly. */
export function markDirty() {
  compose.dirty = true;
  compose.edits++;
  setComposeState();
  scheduleAutosave();
}

function scheduleAutosave() {
  clearTimeout(autosaveTimer);
  if (compose.conflict || !app.store) return;
  autosaveTimer = setTimeout(() => {
    autosaving = autosave();
  }, AUTOSAVE_MS);
}

async function autosave() {
  // Not while another tab's copy is waiting for a choice, nor with an address that is not
  // one (it would be left out of the draft): the form keeps it, marked, until it is fixed.
  if (!compose.dirty || compose.conflict || !hasContent() || anyBadAddress()) return;
  $("compose-state").textContent = "saving…";
  $("compose-state").hidden = false;
  try {
    await saveDraft();
  } catch (err) {
    reportError(err);
  }
  scheduleRender(); // Drafts shows it
}

/** Waits for an autosave in flight (and cancels a pending one): one save at a time. */
export async function settleAutosave() {
  clearTimeout(autosaveTimer);
  await autosaving;
}

/**
 * Leaving the page: starts saving what is not saved yet (on pagehide the save usually
 * completes); resolves when it is saved.
 */
export function saveOnLeave() {
  if (compose.dirty && !compose.conflict) autosaving = autosave();
  return autosaving;
}

/**
 * Before the page reloads on purpose (on another mail server): saves what is typed. Returns
 * "" when it is kept, else why it cannot be (for the user; the page then stays).
 */
export async function keepFormForReload() {
  await settleAutosave();
  if (!compose.dirty || !hasContent()) return "";
  if (compose.conflict) return "First choose which copy of this draft to keep: another tab changed it.";
  const bad = ADDRESS_FIELDS.find((id) => !checkAddressField(id));
  if (bad) {
    focusField(bad);
    return "Fix the marked address first: the page reloads to switch servers, and a draft keeps only real addresses.";
  }
  await saveDraft();
  return "";
}

/** Saves the form as a draft; returns the entry id. */
export async function saveDraft() {
  const msg = compose.msg ?? (compose.msg = app.store.createMessage());
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

/** Another tab saved this draft: overwrite its copy with the form (saveChanges force). */
export async function saveOverTheirs() {
  const msg = compose.msg;
  writeFormInto(msg);
  await msg.saveChanges({ force: true });
  compose.conflict = false;
  compose.saved = true;
  compose.dirty = false;
  setComposeState();
}

/** Keeps what the user typed before the form is replaced by another message. */
export async function keepUnsavedWork() {
  if (!compose.dirty || !hasContent() || compose.conflict) return;
  try {
    await saveDraft();
    log(`kept the message you were writing in Drafts ("${$("subject").value}")`);
  } catch (err) {
    log(`could not keep the message you were writing: ${describe(err)}`);
  }
}

/** Opens a draft (by entry id) into the compose form, read-write. */
export async function loadIntoCompose(entryId) {
  const msg = await app.store.openMessage(entryId);
  try {
    const content = readMessage(msg);
    releaseCompose();
    fillForm(content);
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

/** Forgets the message behind the form (without touching its stored copy). */
export function releaseCompose() {
  clearTimeout(autosaveTimer);
  compose.msg?.free();
  compose.msg = null;
  compose.saved = false;
  compose.dirty = false;
  compose.conflict = false;
  rememberEditing(null);
}

/** An empty form; the message behind it (a draft, or just submitted) is let go. */
export function newMessage() {
  releaseCompose();
  clearForm();
  setComposeState();
}

/** After a reload: the draft that was being edited comes back into the form. */
export async function restoreDraft() {
  const entryId = recallEditing();
  if (!entryId) return;
  const drafts = await app.store.contents("drafts");
  if (!drafts.some((r) => r.entryId === entryId)) return rememberEditing(null); // sent or deleted
  try {
    await loadIntoCompose(entryId);
    showStatus(`Your draft "${$("subject").value || "(no subject)"}" is back, as last saved.`);
  } catch (err) {
    rememberEditing(null);
    showError(err, "Your last draft could not be opened (it is in Drafts). ");
  }
}
