// Send: the form is checked (bad input is said under its field), written into the Message
// and submitted; the undo bar takes it from there. A submit failing with
// MAPI_E_CORRUPT_DATA means the stored copy is lost: the page writes the form into the
// message again, saves (a whole fresh record) and submits once more; only if that fails
// too does the user see an error.
import { MapiError, ErrorCode } from "mapi-outbox";
import { $ } from "./dom.js";
import { app } from "./state.js";
import { formatSize } from "./format.js";
import { MAX_MESSAGE } from "./config.js";
import { showError, hideError, setFieldError, focusField, log } from "./feedback.js";
import { run } from "./actions.js";
import { checkRecipients } from "./recipients.js";
import { compose, checkSendAt, writeFormInto } from "./compose.js";
import { newMessage } from "./draft.js";
import { subjects } from "./queue.js";
import { showUndoBar } from "./undo.js";

async function submitForm() {
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
  const msg = compose.msg ?? (compose.msg = app.store.createMessage());
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
  newMessage(); // lets the submitted (dead) object go and empties the form
  // The undo bar says what happens to it from here on (no status line to go stale).
  showUndoBar(entryId, subject, sendLater);
  $("to").focus({ preventScroll: true });
}

export function setupSend() {
  $("compose").addEventListener("submit", (event) => {
    event.preventDefault();
    run($("send"), submitForm);
  });
}
