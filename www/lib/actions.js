// What a button does runs through run(): the button is disabled meanwhile, an autosave in
// flight finishes first (one save at a time), errors go to the toast (or to the choice of
// a save conflict), and the views are redrawn after. app.js sets the two hooks.
import { showError } from "./feedback.js";
import { scheduleRender } from "./refresh.js";

const hooks = {
  before: async () => {},
  onError: (err) => showError(err),
};

/** `before()`: awaited before each action; `onError(err)`: what an error becomes. */
export function configureActions({ before, onError }) {
  if (before) hooks.before = before;
  if (onError) hooks.onError = onError;
}

/** Runs a UI action with its button disabled; errors go to the toast. */
export async function run(button, fn) {
  if (button) button.disabled = true;
  try {
    await hooks.before();
    await fn();
  } catch (err) {
    hooks.onError(err);
  } finally {
    if (button && button.isConnected) button.disabled = false;
    scheduleRender();
  }
}

/** An error met outside run() (an autosave by its timer), shown the same way. */
export function reportError(err) {
  hooks.onError(err);
}
