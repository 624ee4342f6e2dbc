// Plain language for what went wrong: the main text says what happened and what to do;
// the error code, the library's message and any URL go into the details on demand.
import { MapiError, ErrorCode } from "mapi-outbox";

/** The technical line of an error, for the details. */
export function technical(err) {
  if (err instanceof MapiError) return `${err.codeName}: ${err.message}`;
  if (typeof err === "string") return err;
  return `${err?.name ?? "Error"}: ${err?.message ?? err}`;
}

const PLAIN = {
  MAPI_E_NO_RECIPIENTS: "Add at least one recipient (To, Cc or Bcc).",
  MAPI_E_TOO_BIG: "The message is too big to send: remove an attachment or two.",
  MAPI_E_INVALID_PARAMETER: "Something in the message is not valid: check the addresses and the send-later time.",
  MAPI_E_UNABLE_TO_ABORT: "Too late to undo: the message is being sent right now.",
  MAPI_E_NOT_IN_QUEUE: "Too late to undo: the message has already been sent.",
  MAPI_E_NOT_FOUND: "That message is no longer there (it was sent or deleted meanwhile).",
  MAPI_E_OBJECT_DELETED: "That message is no longer there (it was sent or deleted meanwhile).",
  MAPI_E_OBJECT_CHANGED: "Another tab saved this draft after you opened it.",
  MAPI_E_CORRUPT_DATA: "The stored copy of this message is damaged.",
  MAPI_E_NO_ACCESS: "This message is being sent right now; it can be opened from Sent Items in a moment.",
  MAPI_E_BUSY: "The message is busy (it is being saved or sent); try again in a moment.",
};

/** { text, detail } of an error: `text` for people, `detail` for the details element. */
export function explain(err) {
  if (typeof err === "string") return { text: err, detail: "" };
  const detail = technical(err);
  const code = MapiError.codeOf(err);
  const name = code !== undefined && code !== null ? Object.keys(ErrorCode).find((k) => ErrorCode[k] === code) : undefined;
  if (name && PLAIN[name]) return { text: PLAIN[name], detail };
  // The page's own errors are written for people already.
  if (err instanceof Error && err.constructor === Error && !(err instanceof MapiError)) return { text: err.message, detail: err.detail ?? "" };
  if (err instanceof TypeError && /fetch|network/i.test(err.message)) {
    return { text: "The mail server could not be reached: check the connection.", detail };
  }
  return { text: "Something went wrong.", detail };
}

/**
 * A transport failure (a queue row's lastError) in plain words: why the message is not out
 * yet. The whole text stays in the row's details.
 */
export function plainTransportError(text) {
  if (!text) return "the mail server did not take it";
  if (/\b409\b/.test(text)) return "the mail server is still taking an earlier try of it";
  if (/MAPI_E_WAIT|\b503\b|\b429\b/.test(text)) return "the mail server is busy or offline";
  if (/Failed to fetch|NetworkError|network|MAPI_E_NETWORK_ERROR/i.test(text)) return "the mail server could not be reached";
  if (/MAPI_E_TIMEOUT|timed? ?out/i.test(text)) return "the mail server did not answer in time";
  return "the mail server did not take it";
}
