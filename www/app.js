// The mapi-outbox demo: a small mail client on the MAPI submission model. This file only
// starts the page and wires its modules (www/lib/, one job each):
//
//   config.js      the page's URL parameters     startup.js     the store, transport, worker
//   server.js      the mail server choice        sink.js        the mail sink, online or not
//   compose.js     the compose form              recipients.js  To/Cc/Bcc: chips, checked as typed
//   draft.js       saving drafts, autosave       conflict.js    another tab saved the draft
//   send.js        Send, corrupt-data repair     compose-actions.js  Save draft, New, Damage
//   undo.js        the undo bar and Undo         queue.js       the Outbox's rows and states
//   outbox.js      the Outbox view               folders.js     Drafts, Sent Items, Inbox
//   viewer.js      a message opened read-only    eventlog.js    the event log
//   feedback.js    the dock and field errors     actions.js     what a button runs
//   refresh.js     coalesced redraws             explain.js     errors in plain words
//   addresses.js, format.js, dom.js, rows.js, tabs.js, state.js: helpers
//
// URL parameters (for tests and tinkering): ?db=NAME (database name, default
// "mapi-outbox-demo"), ?server=sink|jmap (the mail server, when both are offered), ?undo=MS
// (undo window, default 5000, at most 600000; a value out of range is said on the page),
// ?maxsize=BYTES (largest message, default 25 MiB), ?autosave=MS (draft autosave delay,
// default 1000), ?sw=0 (do not register the service worker www/sw.js, which otherwise keeps
// mail going after the tab closes).
import { $ } from "./lib/dom.js";
import { app } from "./lib/state.js";
import { UNDO_MAX_MS, UNDO_RAW, UNDO_MS } from "./lib/config.js";
import { setupDock, showError } from "./lib/feedback.js";
import { configureActions } from "./lib/actions.js";
import { setRenderer, renderNow, scheduleRender } from "./lib/refresh.js";
import { openStore } from "./lib/startup.js";
import { showServerChoice } from "./lib/server.js";
import { setupTabs } from "./lib/tabs.js";
import { setupViewer } from "./lib/viewer.js";
import { setupRecipients } from "./lib/recipients.js";
import { setupCompose, setComposeState } from "./lib/compose.js";
import { markDirty, settleAutosave, restoreDraft, saveOnLeave, keepFormForReload } from "./lib/draft.js";
import { setupComposeActions } from "./lib/compose-actions.js";
import { onActionError } from "./lib/conflict.js";
import { setupSend } from "./lib/send.js";
import { trackSending, rememberSendingOnLeave } from "./lib/queue.js";
import { renderOutbox, tickOutbox } from "./lib/outbox.js";
import { renderFolder } from "./lib/folders.js";
import { setupUndo, restoreUndoBar, updateUndoBar } from "./lib/undo.js";
import { setupEventLog } from "./lib/eventlog.js";
import { setupSink, refreshSinkSoon } from "./lib/sink.js";

const BUTTONS = ["send", "save", "new", "damage"];

/** Every view from the store: the Outbox, the folders and the undo bar. */
async function render() {
  const [queue, drafts, sent, inbox] = await Promise.all([
    app.store.outgoingQueue(),
    app.store.contents("drafts"),
    app.store.contents("sent"),
    app.store.contents("inbox"),
  ]);
  renderOutbox(queue);
  renderFolder("drafts", drafts);
  renderFolder("sent", sent);
  renderFolder("inbox", inbox);
  updateUndoBar();
}

function formatWindow(ms) {
  return ms % 60_000 === 0 && ms >= 60_000 ? `${ms / 60_000}-minute` : `${+(ms / 1000).toFixed(1)}-second`;
}

async function main() {
  setupDock();
  setupTabs((tab) => {
    if (tab.id === "tab-sink") refreshSinkSoon();
  });
  await openStore();
  const store = app.store;
  configureActions({ before: settleAutosave, onError: onActionError });
  setRenderer(render);
  // Each module follows the store events of its job; every event redraws the views.
  trackSending(store);
  setupUndo(store);
  setupEventLog(store);
  for (const type of ["queuechange", "submitted", "sending", "sent", "retry", "aborted", "ndr"]) {
    store.addEventListener(type, scheduleRender);
  }
  store.addEventListener("sent", refreshSinkSoon);
  if (app.backend === "indexeddb") {
    // Another tab opened a newer version of the database: this store object is closed.
    store.addEventListener("versionchange", () => {
      showError("The demo's database was upgraded by another tab: reload this page to go on.");
      for (const id of BUTTONS) $(id).disabled = true;
    });
  }
  setupCompose();
  setupRecipients();
  setupSend();
  setupComposeActions();
  $("compose").addEventListener("input", (e) => {
    if (e.target.id !== "attach") markDirty();
  });
  setupViewer();
  // Another mail server: what is typed is saved first, then the page reloads on it.
  showServerChoice(app.server, keepFormForReload);
  await setupSink();
  await renderNow();
  restoreUndoBar();
  await restoreDraft();
  window.addEventListener("pagehide", () => {
    saveOnLeave();
    rememberSendingOnLeave();
  });
  refreshSinkSoon();
  setInterval(() => {
    tickOutbox();
    updateUndoBar();
  }, 250);
  for (const id of BUTTONS) $(id).disabled = false;
  setComposeState();
  $("undo-words").textContent = UNDO_MS > 0 ? `a ${formatWindow(UNDO_MS)} undo window` : "no undo window";
  if (UNDO_RAW !== null && String(UNDO_MS) !== UNDO_RAW && $("error").hidden) {
    showError(`The undo window in the address (?undo=${UNDO_RAW}) must be a whole number of milliseconds from 0 to ${UNDO_MAX_MS}: using ${formatWindow(UNDO_MS)}.`);
  }
  document.body.dataset.ready = "true";
}

main().catch((err) => {
  showError(err, "The demo could not start. ");
  console.error(err);
});
