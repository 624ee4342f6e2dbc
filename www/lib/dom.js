// DOM helpers shared by the demo's modules.

export const $ = (id) => document.getElementById(id);

export function el(tag, className, text) {
  const e = document.createElement(tag);
  if (className) e.className = className;
  if (text !== undefined) e.textContent = text;
  return e;
}

/** Keyed update of a <ul>: existing rows are updated in place (focus stays where it is). */
export function syncList(ul, rows, key, create, update) {
  const existing = new Map([...ul.children].map((li) => [li.dataset.key, li]));
  const wanted = rows.map((row) => {
    const k = key(row);
    let li = existing.get(k);
    if (li) existing.delete(k);
    else {
      li = create(row);
      li.dataset.key = k;
    }
    update(li, row);
    return li;
  });
  for (const li of existing.values()) li.remove();
  wanted.forEach((li, i) => {
    if (ul.children[i] !== li) ul.insertBefore(li, ul.children[i] ?? null);
  });
}

/** The count next to a folder tab and its "empty" line. */
export function setCount(name, n) {
  $(`count-${name}`).textContent = String(n);
  $(`empty-${name}`).hidden = n > 0;
}
