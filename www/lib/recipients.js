// The To, Cc and Bcc fields: each address list is parsed (lib/addresses.js), and what is
// not an address is said under its field.
import { $ } from "./dom.js";
import { parseAddressList } from "./addresses.js";
import { setFieldError } from "./feedback.js";

export const ADDRESS_FIELDS = ["to", "cc", "bcc"];

/** Checks one address field; shows what is wrong under it. Returns true when it is fine. */
export function checkAddressField(id) {
  const { bad } = parseAddressList($(id).value);
  setFieldError(
    id,
    bad.length === 0
      ? ""
      : bad.length === 1
        ? `"${bad[0]}" is not an email address (name@example.org, or Name <name@example.org>).`
        : `These are not email addresses: ${bad.map((b) => `"${b}"`).join(", ")}.`,
  );
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
  // Addresses are checked when the field is left, and again as it is typed in once wrong.
  for (const id of ADDRESS_FIELDS) {
    $(id).addEventListener("change", () => checkAddressField(id));
    $(id).addEventListener("input", () => {
      if ($(id).getAttribute("aria-invalid") === "true") checkAddressField(id);
    });
  }
}
