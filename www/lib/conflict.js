// Two tabs editing one draft: when another tab saved it since this form opened it,
// saveChanges answers MAPI_E_OBJECT_CHANGED, and the page offers a choice: load their copy,
// or keep mine (written over theirs). Every other error goes to the toast as it is.
import { MapiError, ErrorCode } from "mapi-outbox";
import { $ } from "./dom.js";
import { technical as describe } from "./explain.js";
import { showError, showStatus } from "./feedback.js";
import { run } from "./actions.js";
import { compose, setComposeState } from "./compose.js";
import { loadIntoCompose, releaseCompose, saveOverTheirs } from "./draft.js";

/** What an action's error becomes (set as the actions' onError by app.js). */
export function onActionError(err) {
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
  await saveOverTheirs();
  showStatus("Saved your version: it replaced the copy from the other tab.");
}
