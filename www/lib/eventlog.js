// The event log: every store event in a line, with the message's subject.
import { log } from "./feedback.js";
import { formatTime } from "./format.js";
import { subjectOf } from "./queue.js";

const LINES = {
  submitted: (d) => `submitted ${subjectOf(d.entryId)}`,
  sending: (d) => `sending ${subjectOf(d.entryId)} via ${d.transport}`,
  retry: (d) => `attempt ${d.attempt} of ${subjectOf(d.entryId)} failed: ${d.error}; next at ${formatTime(d.nextAttemptAt)}`,
  sent: (d) => `sent ${subjectOf(d.entryId)}${d.sentEntryId ? " (now in Sent Items)" : ""}`,
  aborted: (d) => `send undone: ${subjectOf(d.entryId)} is back in Drafts`,
  ndr: (d) => `non-delivery report for ${subjectOf(d.entryId)}: ${d.recipients.map((r) => `${r.email} (${r.reason})`).join("; ")}`,
};

export function setupEventLog(store) {
  for (const [type, line] of Object.entries(LINES)) {
    store.addEventListener(type, (e) => log(line(e.detail ?? {})));
  }
}
