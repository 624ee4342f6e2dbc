// Minimal demo of mapi-outbox (the full demo comes with issue 5): compose, submit into a
// memory store, watch the outgoing queue, undo the send (abortSubmit), send a draft again.
import { Store, MapiError, MessageFlags } from "mapi-outbox";

const $ = (id) => document.getElementById(id);
const form = $("compose");
const statusEl = $("status");
const errorEl = $("error");

/** @type {import("mapi-outbox").Store} */
let store;

function showStatus(text) {
  statusEl.textContent = text;
  errorEl.hidden = true;
  errorEl.textContent = "";
}

function showError(err) {
  const text =
    err instanceof MapiError ? `${err.codeName}: ${err.message}` : `${err?.name ?? "Error"}: ${err?.message ?? err}`;
  errorEl.textContent = text;
  errorEl.hidden = false;
}

/** "alice@example.org, Bob <bob@example.org>" -> recipient rows (To). */
function parseRecipients(text) {
  return text
    .split(/[,;]/)
    .map((s) => s.trim())
    .filter(Boolean)
    .map((item) => {
      const m = /^(.*?)\s*<([^<>]*)>$/.exec(item);
      const row = { PidTagRecipientType: 1, PidTagEmailAddress: m ? m[2].trim() : item };
      const name = m?.[1].replace(/^"(.*)"$/, "$1").trim();
      if (name) row.PidTagDisplayName = name;
      return row;
    });
}

function formatTime(date) {
  return date instanceof Date ? date.toLocaleTimeString() : "";
}

function rowElement({ subject, meta, action, entryId, testId }) {
  const li = document.createElement("li");
  li.dataset.entryId = entryId;
  const what = document.createElement("div");
  what.className = "what";
  const s = document.createElement("div");
  s.className = "subject";
  s.textContent = subject || "(no subject)";
  const m = document.createElement("div");
  m.className = "meta";
  m.textContent = meta;
  what.append(s, m);
  const button = document.createElement("button");
  button.type = "button";
  button.textContent = action.label;
  button.dataset.action = testId;
  button.addEventListener("click", () => run(button, action.run));
  li.append(what, button);
  return li;
}

/** Runs an async UI action with the button disabled; errors go to the alert line. */
async function run(button, fn) {
  if (button) button.disabled = true;
  try {
    await fn();
  } catch (err) {
    showError(err);
  } finally {
    if (button) button.disabled = false;
    await render();
  }
}

let renderSeq = 0;
async function render() {
  const seq = ++renderSeq;
  const [queue, drafts] = await Promise.all([store.outgoingQueue(), store.contents("drafts")]);
  if (seq !== renderSeq) return; // a newer render is on its way

  $("queue").replaceChildren(
    ...queue.map((row) =>
      rowElement({
        entryId: row.entryId,
        subject: row.PidTagSubject,
        meta: `To ${row.PidTagDisplayTo || "?"} · submitted ${formatTime(row.PidTagClientSubmitTime)}${
          row.PidTagMessageFlags & MessageFlags.SUBMIT ? " · waiting for a transport" : ""
        }`,
        testId: "undo",
        action: {
          label: "Undo send",
          run: async () => {
            await store.abortSubmit(row.entryId);
            showStatus(`Send undone: "${row.PidTagSubject ?? ""}" is back in Drafts.`);
          },
        },
      }),
    ),
  );
  $("queue-count").textContent = String(queue.length);
  $("queue-empty").hidden = queue.length > 0;

  $("drafts").replaceChildren(
    ...drafts.map((row) =>
      rowElement({
        entryId: row.entryId,
        subject: row.PidTagSubject,
        meta: `To ${row.PidTagDisplayTo || "(nobody yet)"}`,
        testId: "send-again",
        action: {
          label: "Send again",
          run: async () => {
            const msg = await store.openMessage(row.entryId);
            try {
              await msg.submit();
              showStatus(`Queued "${row.PidTagSubject ?? ""}" again.`);
            } finally {
              msg.free();
            }
          },
        },
      }),
    ),
  );
  $("drafts-count").textContent = String(drafts.length);
  $("drafts-empty").hidden = drafts.length > 0;
}

async function onSubmit(event) {
  event.preventDefault();
  const to = $("to").value;
  const subject = $("subject").value;
  const body = $("body").value;
  await run($("send"), async () => {
    const recipients = parseRecipients(to);
    const msg = store.createMessage();
    try {
      msg.setProps({ PidTagSubject: subject, PidTagBody: body });
      if (recipients.length) msg.modifyRecipients("add", recipients);
      await msg.submit(); // no recipients -> MAPI_E_NO_RECIPIENTS, shown to the user
      form.reset();
      showStatus(`Queued "${subject}". You can undo the send while it waits in the queue.`);
    } finally {
      msg.free(); // allowed after submit, and after a failed one
    }
  });
}

async function main() {
  store = await Store.open({ identity: { email: "me@example.org", name: "Demo User" }, spooler: false });
  store.addEventListener("queuechange", () => {
    render().catch(showError);
  });
  form.addEventListener("submit", onSubmit);
  $("send").disabled = false;
  await render();
  showStatus("Ready: messages stay in this page's memory.");
  document.body.dataset.ready = "true";
}

main().catch((err) => {
  showError(err);
  statusEl.textContent = "The demo could not start.";
  console.error(err);
});
