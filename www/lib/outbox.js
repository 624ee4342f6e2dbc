// The Outbox view, live from the store's events: each message's state in plain words (the
// error itself under Details), its countdown, and Undo, Send now and Retry now where each
// can work.
import { $, el, syncList, setCount } from "./dom.js";
import { app } from "./state.js";
import { formatTime, formatSize } from "./format.js";
import { showStatus } from "./feedback.js";
import { run } from "./actions.js";
import { baseRow, setRowText, addAction, recipientsLine } from "./rows.js";
import { queueRows, setQueueRows, queueState } from "./queue.js";
import { undoSend } from "./undo.js";
import { openViewer } from "./viewer.js";

async function hurry(kind, entryId, button) {
  await run(button, async () => {
    if (kind === "send") {
      await app.store.sendNow(entryId);
      showStatus("Sending now.");
    } else {
      const n = await app.store.retryNow(entryId);
      showStatus(n > 0 ? "Retrying now." : "Nothing to retry: it is already going.");
    }
  });
}

function showButtons(li, q) {
  li.querySelector("[data-action=undo]").hidden = !q.undo;
  li.querySelector("[data-action=send-now]").hidden = q.state !== "scheduled";
  li.querySelector("[data-action=retry-now]").hidden = q.state !== "retrying";
}

export function renderOutbox(rows) {
  setQueueRows(rows);
  syncList(
    $("outbox"),
    rows,
    (r) => r.entryId,
    () => {
      const li = baseRow((li) => openViewer(li.dataset.key, "outbox"));
      const why = el("details", "why");
      why.append(el("summary", "", "Details"), el("span"));
      li.querySelector(".what").append(why);
      addAction(li, "Undo", "undo", (b) => {
        const r = queueRows.get(li.dataset.key);
        undoSend(li.dataset.key, r?.PidTagSubject ?? "", b);
      });
      addAction(li, "Send now", "send-now", (b) => hurry("send", li.dataset.key, b));
      addAction(li, "Retry now", "retry-now", (b) => hurry("retry", li.dataset.key, b));
      return li;
    },
    (li, r) => {
      const q = queueState(r);
      li.dataset.state = q.state;
      li.title = r.lastError ? `Last error: ${r.lastError}` : "";
      const why = li.querySelector(".why");
      why.hidden = !r.lastError;
      const whyText = r.lastError ? `Attempt ${r.attempts} failed: ${r.lastError}` : "";
      if (why.lastChild.textContent !== whyText) why.lastChild.textContent = whyText;
      setRowText(li, r.PidTagSubject, `${recipientsLine(r) || "?"} · submitted ${formatTime(r.PidTagClientSubmitTime)} · ${formatSize(r.PidTagMessageSize)}`, q.text);
      showButtons(li, q);
    },
  );
  setCount("outbox", rows.length);
}

/** The countdowns: every row's state text again (called a few times a second). */
export function tickOutbox() {
  for (const li of $("outbox").children) {
    const r = queueRows.get(li.dataset.key);
    if (!r) continue;
    const q = queueState(r);
    const st = li.querySelector(".state");
    if (st.textContent !== q.text) st.textContent = q.text;
    if (li.dataset.state !== q.state) {
      li.dataset.state = q.state;
      showButtons(li, q);
    }
  }
}
