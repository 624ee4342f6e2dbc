// The To, Cc and Bcc fields. Each address list is parsed as it is typed (lib/addresses.js,
// npm addressparser: `"Smith, Bob" <bob@example.org>` is one recipient) and shown as chips
// under its field, one a recipient (its ✕ takes it out of the field); what is not an
// address is a red chip and is said under the field at once. The item still being typed (the last one, with the caret after it) is
// judged when a comma or semicolon follows it or the field is left.
import { $, el } from "./dom.js";
import { parseAddressItems, parseAddressList, formatRecipient } from "./addresses.js";
import { setFieldError } from "./feedback.js";

export const ADDRESS_FIELDS = ["to", "cc", "bcc"];
const LABELS = { to: "To", cc: "Cc", bcc: "Bcc" };

/** The field's text without its item number `index` (a chip's ✕). */
function removeItem(id, index) {
  const input = $(id);
  const rest = parseAddressItems(input.value).filter((_, i) => i !== index);
  input.value = rest
    .map((i) => (i.ok ? formatRecipient({ PidTagDisplayName: i.name, PidTagEmailAddress: i.email }) : i.text))
    .join(", ");
  input.dispatchEvent(new Event("input", { bubbles: true })); // checked again, and saved
  input.focus();
}

function renderChips(id, items) {
  const ul = $(`${id}-chips`);
  // Unchanged chips stay the same elements (a click on a ✕ must find its button again).
  const key = JSON.stringify(items.map((i) => [i.ok, i.name, i.email, i.text]));
  if (ul.dataset.key === key) return;
  ul.dataset.key = key;
  ul.replaceChildren(
    ...items.map((i, index) => {
      const li = el("li", i.ok ? "chip" : "chip chip-bad");
      const text = el("span", "chip-text");
      if (i.ok) {
        if (i.name) text.append(el("span", "chip-name", i.name), " ");
        text.append(el("span", "chip-addr", i.name ? `<${i.email}>` : i.email));
      } else {
        text.append(el("span", "chip-mark", "✗"), " ", el("span", "chip-addr", i.text));
        li.title = "Not an email address";
      }
      const remove = el("button", "chip-remove", "✕");
      remove.type = "button";
      remove.tabIndex = -1; // out of the Tab order (To → Cc → Bcc): from the keyboard the text is edited
      remove.setAttribute("aria-label", `Remove ${i.ok ? i.email : `"${i.text}"`} from ${LABELS[id]}`);
      remove.addEventListener("mousedown", (e) => e.preventDefault()); // the field keeps the focus
      remove.addEventListener("click", () => removeItem(id, index));
      li.append(text, remove);
      return li;
    }),
  );
  const n = items.filter((i) => i.ok).length;
  ul.setAttribute("aria-label", `${LABELS[id]}: ${n} ${n === 1 ? "recipient" : "recipients"}`);
}

function errorText(bad) {
  if (bad.length === 0) return "";
  if (bad.length === 1 && bad[0].missingComma) return `"${bad[0].text}": put a comma between two addresses.`;
  if (bad.length === 1) return `"${bad[0].text}" is not an email address (name@example.org, or Name <name@example.org>).`;
  return `These are not email addresses: ${bad.map((b) => `"${b.text}"`).join(", ")}.`;
}

/**
 * Checks one address field: its chips, and what is wrong under it. `typing`: the field is
 * being typed in, so an unfinished last item is not judged yet. Returns true when it is fine.
 */
export function checkAddressField(id, { typing = false } = {}) {
  const input = $(id);
  let items = parseAddressItems(input.value);
  const last = items.at(-1);
  const unfinished =
    typing &&
    last &&
    !last.ok &&
    document.activeElement === input &&
    input.selectionStart === input.value.length &&
    !/[,;]\s*$/.test(input.value);
  if (unfinished) items = items.slice(0, -1);
  renderChips(id, items);
  const bad = items.filter((i) => !i.ok);
  const text = errorText(bad);
  const shown = $(`${id}-error`).textContent;
  setFieldError(id, text);
  // A new mistake while typing: its line comes into view (it may sit under the fold).
  if (typing && text && text !== shown) $(`${id}-error`).scrollIntoView({ block: "nearest" });
  return bad.length === 0;
}

/** Whether any address field holds something that is not an address (nothing is shown). */
export function anyBadAddress() {
  return ADDRESS_FIELDS.some((id) => parseAddressList($(id).value).bad.length > 0);
}

/**
 * Checks the recipients before a send: every address field parses, and there is at least
 * one recipient. Returns the id of the first field to fix, or null.
 */
export function checkRecipients() {
  let first = null;
  for (const id of ADDRESS_FIELDS) if (!checkAddressField(id) && !first) first = id;
  if (first) return first;
  const any = ADDRESS_FIELDS.some((id) => parseAddressList($(id).value).rows.length > 0);
  if (!any) {
    setFieldError("to", "Add at least one recipient: in To, Cc or Bcc.");
    return "to";
  }
  return null;
}

/** The recipient rows of the three fields (PidTagRecipientType 1, 2, 3). */
export function recipientsOfForm() {
  return ADDRESS_FIELDS.map((id) => parseAddressList($(id).value).rows);
}

export function setupRecipients() {
  for (const id of ADDRESS_FIELDS) {
    const input = $(id);
    input.addEventListener("input", () => checkAddressField(id, { typing: true }));
    input.addEventListener("change", () => checkAddressField(id));
    // The form was filled from a draft or cleared (lib/compose.js): chips, no judgement.
    input.addEventListener("compose-filled", () => {
      renderChips(id, parseAddressItems(input.value));
      setFieldError(id, "");
    });
  }
}
