// The compose form: what is in it (fields and attached files), checking the send-later
// time and the size limit when a file is attached, writing the form into a Message and
// reading a Message back into it. Saving it is lib/draft.js's job; the address fields are
// lib/recipients.js's.
import { $ } from "./dom.js";
import { formatSize, toLocalInput } from "./format.js";
import { recipientRows, formatRecipient } from "./addresses.js";
import { setFieldError, focusField } from "./feedback.js";
import { MAX_MESSAGE, IDENTITIES } from "./config.js";
import { ADDRESS_FIELDS, recipientsOfForm } from "./recipients.js";

// The form's state: the Message object behind it (kept open once the message has an entry
// id, so a damaged stored copy can still be rewritten from it) and the attachments as bytes.
export const compose = {
  /** @type {import("mapi-outbox").Message | null} */
  msg: null,
  saved: false, // msg has a stored copy (a draft)
  dirty: false,
  edits: 0, // counts changes, so a save that raced with typing leaves the form dirty
  conflict: false, // another tab saved this draft: waiting for the user's choice
  /** @type {{ name: string, type: string, bytes: Uint8Array }[]} */
  attachments: [],
};

const FIELDS = ["to", "cc", "bcc", "subject", "body", "html", "send-at"];

/** Tells the page the form changed (an attachment added or removed): lib/draft.js saves it. */
function changed() {
  $("compose").dispatchEvent(new Event("input", { bubbles: true }));
}

/** The state next to the title: "saved", "unsaved changes", "changed in another tab". */
export function setComposeState() {
  const state = $("compose-state");
  state.textContent = compose.conflict
    ? "changed in another tab"
    : compose.saved
      ? compose.dirty
        ? "unsaved changes"
        : "saved"
      : "";
  state.hidden = !compose.saved;
  $("compose-title").firstChild.textContent = compose.saved ? "Draft " : "New message ";
}

function renderAttachments() {
  $("attachments").replaceChildren(
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
        changed();
        renderAttachments();
        $("attach").focus();
      });
      li.append(name, " ", size, " ", remove);
      return li;
    }),
  );
}

export function hasContent() {
  return FIELDS.some((id) => $(id).value.trim() !== "") || compose.attachments.length > 0;
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
  if (files.length > refused.length) changed();
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

/** Checks the send-later time; shows what is wrong under it. Returns true when it is fine. */
export function checkSendAt() {
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

/** Writes the whole form into `msg` (throws on bad input, e.g. an invalid address). */
export function writeFormInto(msg) {
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
  const rows = recipientsOfForm().flatMap((list, i) => recipientRows(list, i + 1));
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

/** Reads what the form shows of `msg` (throws if it cannot be read; the form is untouched). */
export function readMessage(msg) {
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
  return { p, recipients, attachments };
}

/** Fills the form with what readMessage() read. */
export function fillForm({ p, recipients, attachments }) {
  clearForm();
  const byType = (t) => recipients.filter((r) => r.PidTagRecipientType === t).map(formatRecipient).join(", ");
  ADDRESS_FIELDS.forEach((id, i) => {
    $(id).value = byType(i + 1);
  });
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
  for (const id of ADDRESS_FIELDS) $(id).dispatchEvent(new Event("compose-filled"));
}

export function clearForm() {
  for (const id of FIELDS) $(id).value = "";
  for (const id of [...ADDRESS_FIELDS, "attach", "send-at"]) setFieldError(id, "");
  $("importance").value = "1";
  $("from").value = "0";
  $("attach").value = "";
  compose.attachments = [];
  renderAttachments();
  for (const id of ADDRESS_FIELDS) $(id).dispatchEvent(new Event("compose-filled"));
}

export function setupCompose() {
  const from = $("from");
  IDENTITIES.forEach((id, i) => from.append(new Option(`${id.name} <${id.email}>`, String(i))));
  $("attach").addEventListener("change", async (e) => {
    const files = [...e.target.files];
    e.target.value = "";
    await attachFiles(files);
  });
  $("attach-hint").textContent = `Up to ${formatSize(MAX_MESSAGE)} a message.`;
  $("send-at").addEventListener("change", () => checkSendAt());
  const form = $("compose");
  form.addEventListener("keydown", (e) => {
    if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) {
      e.preventDefault();
      form.requestSubmit();
    }
  });
}
