// The compose form's buttons besides Send: Save draft, New message, and (under "Demo
// controls") Damage stored copy, which saves the form and calls corruptRecordForTesting so
// that the next Send meets MAPI_E_CORRUPT_DATA (lib/send.js repairs it).
import { $ } from "./dom.js";
import { app } from "./state.js";
import { showStatus, showError, focusField, log } from "./feedback.js";
import { run } from "./actions.js";
import { ADDRESS_FIELDS, checkAddressField } from "./recipients.js";
import { saveDraft, keepUnsavedWork, newMessage } from "./draft.js";

export function setupComposeActions() {
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
      await app.store.corruptRecordForTesting(entryId);
      document.body.dataset.damaged = entryId;
      showStatus("The stored copy of this draft is now damaged. Press Send: the page rewrites it and sends it anyway.");
      log(`damaged the stored copy of "${$("subject").value}" (corruptRecordForTesting)`);
    }),
  );
}
