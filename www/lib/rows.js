// The rows of the folder lists (Outbox, Drafts, Sent Items, Inbox): a subject that opens
// the message read-only, a meta line, a state line and action buttons.
import { el } from "./dom.js";

export function baseRow(onOpen) {
  const li = el("li", "row");
  const what = el("div", "what");
  const subject = el("button", "link subject");
  subject.type = "button";
  subject.dataset.action = "open";
  subject.addEventListener("click", () => onOpen(li));
  what.append(subject, el("div", "meta"), el("div", "state"));
  li.append(what, el("div", "row-actions"));
  return li;
}

export function setRowText(li, subject, meta, state) {
  const s = li.querySelector(".subject");
  const text = subject || "(no subject)";
  if (s.textContent !== text) s.textContent = text;
  li.querySelector(".meta").textContent = meta;
  const st = li.querySelector(".state");
  st.textContent = state ?? "";
  st.hidden = !state;
}

export function addAction(li, label, action, onClick) {
  const b = el("button", "", label);
  b.type = "button";
  b.dataset.action = action;
  b.addEventListener("click", () => onClick(b));
  li.querySelector(".row-actions").append(b);
  return b;
}

/** "To a; b · Cc c · Bcc d" of a contents or queue row (the parts it has). */
export function recipientsLine(r) {
  return [
    ["To", r.PidTagDisplayTo],
    ["Cc", r.PidTagDisplayCc],
    ["Bcc", r.PidTagDisplayBcc],
  ]
    .filter(([, v]) => v)
    .map(([k, v]) => `${k} ${v}`)
    .join(" · ");
}
