// Feedback that lands where people look: a dock fixed at the bottom of the viewport holds
// the undo bar and one toast (a status that goes away by itself, or an error with its
// details on demand and, at times, a choice to make); field errors sit under their field.
// The dock's height is published as --dock-h, so the page reserves room for it and the
// compose buttons stay above it (style.css).
import { $, el } from "./dom.js";
import { explain } from "./explain.js";

let statusTimer = 0;
const STATUS_MS = 8000;

export function setupDock() {
  const dock = $("dock");
  const publish = () => document.documentElement.style.setProperty("--dock-h", `${dock.offsetHeight}px`);
  new ResizeObserver(publish).observe(dock);
  publish();
  $("error-close").addEventListener("click", hideError);
}

/** A short status in the toast; it goes away after a few seconds, and any error with it. */
export function showStatus(text) {
  hideError();
  clearTimeout(statusTimer);
  const s = $("status");
  s.textContent = text;
  s.hidden = false;
  statusTimer = setTimeout(hideStatus, STATUS_MS);
}

export function hideStatus() {
  clearTimeout(statusTimer);
  $("status").textContent = "";
  $("status").hidden = true;
}

export function hideError() {
  const e = $("error");
  e.hidden = true;
  $("error-text").textContent = "";
  $("error-detail").textContent = "";
  $("error-actions").replaceChildren();
}

/**
 * An error in the toast until dismissed or replaced. `err`: an Error (explained in plain
 * words, its code in the details) or a string. `prefix` goes before the plain text.
 * `actions`: [{ label, action, run }] buttons of a choice (the toast closes after one).
 */
export function showError(err, prefix = "", { actions = [], detail } = {}) {
  hideStatus();
  const x = explain(err);
  $("error-text").textContent = prefix + x.text;
  const more = detail ?? x.detail;
  $("error-detail").textContent = more;
  $("error-more").hidden = !more;
  $("error-more").open = false;
  $("error-actions").replaceChildren(
    ...actions.map((a) => {
      const b = el("button", "", a.label);
      b.type = "button";
      b.dataset.action = a.action;
      b.addEventListener("click", async () => {
        b.disabled = true;
        hideError();
        await a.run();
      });
      return b;
    }),
  );
  $("error").hidden = false;
}

/** An error under a form field (aria-invalid + aria-describedby); "" clears it. */
export function setFieldError(id, text) {
  const field = $(id);
  const msg = $(`${id}-error`);
  msg.textContent = text;
  msg.hidden = !text;
  if (text) field.setAttribute("aria-invalid", "true");
  else field.removeAttribute("aria-invalid");
}

/** Focuses a field and brings it, with its error line, into the middle of the view. */
export function focusField(id) {
  const field = $(id);
  field.focus({ preventScroll: true });
  field.scrollIntoView({ block: "center" });
}

export function log(text) {
  const li = document.createElement("li");
  const time = document.createElement("time");
  const now = new Date();
  time.dateTime = now.toISOString();
  time.textContent = now.toLocaleTimeString();
  li.append(time, " ", text);
  const ol = $("log");
  ol.prepend(li);
  while (ol.children.length > 100) ol.lastElementChild.remove();
}
