// What the page's modules share: the open store, its backend and the mail server.
export const app = {
  /** @type {import("mapi-outbox").Store | null} */
  store: null,
  /** "indexeddb" or "memory" */
  backend: "memory",
  /** The mail server (lib/server.js): { kind: "sink" | "jmap", jmap } */
  server: { kind: "sink", jmap: null },
};
