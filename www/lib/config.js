// The page's settings from its URL (see the top of app.js for the parameters).
import { clampInt } from "./format.js";

export const params = new URLSearchParams(location.search);
export const DB_NAME = params.get("db") || "mapi-outbox-demo";
export const UNDO_MAX_MS = 600_000;
export const UNDO_RAW = params.get("undo");
export const UNDO_MS = clampInt(UNDO_RAW, 5000, 0, UNDO_MAX_MS);
// The largest message the store submits (maxMessageSize): ?maxsize=BYTES, default 25 MiB.
export const MAX_MESSAGE = clampInt(params.get("maxsize"), 25 * 1024 * 1024, 1024, 100 * 1024 * 1024);
export const SINK_URL = "/sink/messages";
export const IDENTITIES = [
  { email: "me@example.org", name: "Demo User" },
  { email: "support@example.org", name: "Example Support" },
];

export const AUTOSAVE_MS = clampInt(params.get("autosave"), 1000, 100, 60_000);
