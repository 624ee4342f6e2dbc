// Redraws of the views, coalesced: one runs at a time, and one more after it if anything
// changed meanwhile. What a redraw does is set once by app.js (setRenderer), so any module
// can ask for one without knowing the views.
import { showError } from "./feedback.js";

let renderer = async () => {};
let running = false;
let again = false;

export function setRenderer(fn) {
  renderer = fn;
}

/** Redraws now: resolves when the views show the store as it is. */
export async function renderNow() {
  await renderer();
}

export function scheduleRender() {
  if (running) {
    again = true;
    return;
  }
  running = true;
  (async () => {
    try {
      do {
        again = false;
        await renderer();
      } while (again);
    } catch (err) {
      showError(err, "Could not read the store: ");
    } finally {
      running = false;
      document.body.dataset.rendered = String(Number(document.body.dataset.rendered ?? 0) + 1);
    }
  })();
}
