// The Drafts, Sent Items and Inbox lists (non-delivery reports land in the Inbox). A draft
// can be edited (opened into the compose form) or deleted; any message opens read-only.
import { $, syncList, setCount } from "./dom.js";
import { app } from "./state.js";
import { formatTime, formatSize } from "./format.js";
import { showStatus } from "./feedback.js";
import { run } from "./actions.js";
import { scheduleRender } from "./refresh.js";
import { baseRow, setRowText, addAction, recipientsLine } from "./rows.js";
import { compose } from "./compose.js";
import { keepUnsavedWork, loadIntoCompose, newMessage } from "./draft.js";
import { openViewer } from "./viewer.js";

function draftActions(li) {
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
      await app.store.deleteMessage(li.dataset.key);
      showStatus("Draft deleted.");
    }),
  );
}

/** Redraws one folder ("drafts", "sent" or "inbox") from its contents rows. */
export function renderFolder(name, rows) {
  syncList(
    $(name),
    rows,
    (r) => r.entryId,
    () => {
      const li = baseRow((li) => openViewer(li.dataset.key, name));
      if (name === "drafts") draftActions(li);
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
    const msg = await app.store.openMessage(r.entryId, { access: "read" });
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
