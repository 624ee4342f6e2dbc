// What the page's modules share: the open store and its backend.
export const app = {
  /** @type {import("mapi-outbox").Store | null} */
  store: null,
  /** "indexeddb" or "memory" */
  backend: "memory",
};
