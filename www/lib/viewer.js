// The read-only viewer: any message opened with openMessage(id, { access: "read" }), its
// recipients, bodies and attachments (downloadable).
import { MapiError, ErrorCode, MessageFlags } from "mapi-outbox";
import { $, el } from "./dom.js";
import { formatSize } from "./format.js";
import { formatRecipient } from "./addresses.js";
import { showError, hideError } from "./feedback.js";
import { app } from "./state.js";


let viewerUrls = [];

export function setupViewer() {
  $("viewer").addEventListener("close", () => {
    for (const url of viewerUrls) URL.revokeObjectURL(url);
    viewerUrls = [];
  });
}

export async function openViewer(entryId, folder) {
  hideError();
  let msg;
  try {
    msg = await app.store.openMessage(entryId, { access: "read" });
  } catch (err) {
    const code = MapiError.codeOf(err);
    if (code === ErrorCode.MAPI_E_NO_ACCESS) return showError("This message is being sent right now; open it from Sent Items in a moment.");
    if (code === ErrorCode.MAPI_E_NOT_FOUND) return showError("This message is no longer there (it was sent or deleted meanwhile).");
    if (code === ErrorCode.MAPI_E_CORRUPT_DATA) return showError(err, "The stored copy of this message is damaged: ");
    return showError(err);
  }
  try {
    const p = msg.getProps();
    const recipients = msg.getRecipients();
    const ndr = (p.PidTagMessageClass ?? "").includes(".NDR");
    $("viewer-subject").textContent = p.PidTagSubject || "(no subject)";
    $("viewer-kind").textContent = ndr
      ? "Non-delivery report: the recipients below could not be reached."
      : { outbox: "In the Outbox (read-only while queued)", drafts: "Draft (read-only view)", sent: "Sent Items", inbox: "Inbox" }[folder] ?? "";
    const fields = [];
    const from = p.PidTagSenderEmailAddress
      ? formatRecipient({ PidTagDisplayName: p.PidTagSenderName, PidTagEmailAddress: p.PidTagSenderEmailAddress })
      : p.PidTagSenderName;
    if (from) fields.push(["From", from]);
    const label = ndr ? { 1: "Failed", 2: "Failed (Cc)", 3: "Failed (Bcc)" } : { 1: "To", 2: "Cc", 3: "Bcc" };
    for (const t of [1, 2, 3]) {
      const list = recipients.filter((r) => r.PidTagRecipientType === t).map(formatRecipient);
      if (list.length) fields.push([label[t], list.join(", ")]);
    }
    if (p.PidTagClientSubmitTime) fields.push(["Submitted", p.PidTagClientSubmitTime.toLocaleString()]);
    if (p.PidTagDeferredSendTime) fields.push(["Send later", p.PidTagDeferredSendTime.toLocaleString()]);
    if (p.PidTagImportance !== undefined && p.PidTagImportance !== 1) fields.push(["Importance", p.PidTagImportance === 2 ? "High" : "Low"]);
    if (p.PidTagInternetMessageId) fields.push(["Message-ID", p.PidTagInternetMessageId]);
    fields.push(["Class", p.PidTagMessageClass ?? "IPM.Note"]);
    const flags = p.PidTagMessageFlags ?? 0;
    fields.push(["State", [flags & MessageFlags.SUBMIT && "submitted", flags & MessageFlags.UNSENT ? "unsent" : "sent", flags & MessageFlags.READ && "read"].filter(Boolean).join(", ")]);
    $("viewer-fields").replaceChildren(
      ...fields.flatMap(([k, v]) => [el("dt", "", k), el("dd", "", v)]),
    );
    $("viewer-body").textContent = p.PidTagBody ?? "";
    $("viewer-body").hidden = !p.PidTagBody;
    $("viewer-html").textContent = p.PidTagBodyHtml ?? "";
    $("viewer-html-wrap").hidden = !p.PidTagBodyHtml;
    for (const url of viewerUrls) URL.revokeObjectURL(url);
    viewerUrls = [];
    const items = [];
    for (const row of msg.getAttachments()) {
      const att = msg.openAttach(row.PidTagAttachNumber);
      try {
        const ap = att.getProps(["PidTagAttachLongFilename", "PidTagAttachFilename", "PidTagAttachMimeTag", "PidTagAttachDataBinary"]);
        const bytes = ap.PidTagAttachDataBinary ?? new Uint8Array(0);
        const name = ap.PidTagAttachLongFilename ?? ap.PidTagAttachFilename ?? `attachment-${row.PidTagAttachNumber}`;
        const url = URL.createObjectURL(new Blob([bytes], { type: ap.PidTagAttachMimeTag || "application/octet-stream" }));
        viewerUrls.push(url);
        const li = el("li");
        const a = el("a", "att-name", name);
        a.href = url;
        a.download = name;
        li.append(a, " ", el("span", "att-size", formatSize(bytes.length)));
        items.push(li);
      } finally {
        att.free();
      }
    }
    $("viewer-attachments").replaceChildren(...items);
    $("viewer").dataset.entryId = entryId;
    if (!$("viewer").open) $("viewer").showModal();
  } finally {
    msg.free();
  }
}

