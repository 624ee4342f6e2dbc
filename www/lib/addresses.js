// Address lists of the To, Cc and Bcc fields, parsed by the npm package addressparser
// (bundled into www/vendor/ by scripts/build.sh): quoted names with commas
// (`"Smith, Bob" <bob@example.org>`), `,` or `;` between addresses, groups.
import addressparser from "../vendor/addressparser.js";

// What the page accepts as an address before the store checks it again: something@domain,
// no spaces or brackets, a domain with a dot (IDN and .invalid domains included).
const ADDRESS = /^[^\s@<>()[\]",;:\\]+@[^\s@<>()[\]",;:\\]+\.[^\s@<>()[\]",;:\\.]+$/u;

function flatten(list) {
  return list.flatMap((a) => (Array.isArray(a.group) ? flatten(a.group) : [a]));
}

/**
 * The items of an address list in order: { name, email, ok, text }. `text` is the item as
 * typed (for messages); `ok` says it is an address. Two addresses with only a space between
 * them parse as one address with the other as its name: that is not ok either
 * (`missingComma` is then true).
 */
export function parseAddressItems(text) {
  if (!text.trim()) return [];
  return flatten(addressparser(text)).flatMap((a) => {
    const email = (a.address ?? "").trim();
    const name = (a.name ?? "").trim();
    if (!email && !name) return [];
    const typed = email && name ? `${name} <${email}>` : email || name;
    const missingComma = ADDRESS.test(email) && ADDRESS.test(name) && name !== email;
    return [{ name, email, ok: ADDRESS.test(email) && !missingComma, text: missingComma ? `${email} ${name}` : typed, missingComma }];
  });
}

/**
 * Parses an address list. Returns { rows, bad }: `rows` are { name, email } of the good
 * addresses; `bad` are the items that are not an address, as typed (for the message).
 */
export function parseAddressList(text) {
  const items = parseAddressItems(text);
  return {
    rows: items.filter((i) => i.ok).map(({ name, email }) => ({ name, email })),
    bad: items.filter((i) => !i.ok).map((i) => i.text),
  };
}

/** Recipient rows of one PidTagRecipientType from a parsed list. */
export function recipientRows(rows, type) {
  return rows.map(({ name, email }) => {
    const row = { PidTagRecipientType: type, PidTagEmailAddress: email };
    if (name) row.PidTagDisplayName = name;
    return row;
  });
}

/** A recipient row as the form shows it; names with specials are quoted. */
export function formatRecipient(row) {
  const name = row.PidTagDisplayName;
  if (!name || name === row.PidTagEmailAddress) return row.PidTagEmailAddress;
  const shown = /[",;:<>@()[\]\\]/.test(name) ? `"${name.replace(/(["\\])/g, "\\$1")}"` : name;
  return `${shown} <${row.PidTagEmailAddress}>`;
}
