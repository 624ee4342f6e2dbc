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
 * Parses an address list. Returns { rows, bad }: `rows` are { name, email } of the good
 * addresses; `bad` are the items that are not an address, as typed (for the message).
 */
export function parseAddressList(text) {
  const rows = [];
  const bad = [];
  if (!text.trim()) return { rows, bad };
  for (const a of flatten(addressparser(text))) {
    const email = (a.address ?? "").trim();
    const name = (a.name ?? "").trim();
    if (ADDRESS.test(email)) rows.push({ name, email });
    else if (email || name) bad.push(email && name ? `${name} <${email}>` : email || name);
  }
  return { rows, bad };
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
