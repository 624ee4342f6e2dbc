// The mail sink: its switches (offline, slow; only while the page sends through the sink),
// what it received, and whether the page is online at all (navigator.onLine and the
// demo server's answers).
import { $, el, syncList, setCount } from "./dom.js";
import { formatSize, formatTime } from "./format.js";
import { showStatus, showError, log } from "./feedback.js";
import { technical } from "./explain.js";
import { SINK_URL } from "./config.js";
import { run } from "./actions.js";
import { app } from "./state.js";

async function sinkFetch(path, init) {
  const res = await fetch(path, { cache: "no-store", ...init });
  if (!res.ok) {
    await res.text().catch(() => {}); // read it: an unread body shows as an aborted request
    const e = new Error("The mail server did not answer as expected.");
    e.detail = `the mail sink answered ${res.status} to ${init?.method ?? "GET"} ${path}`;
    throw e;
  }
  return res.json();
}

// ---------------------------------------------------------------------------------------
// Online or not: the browser's navigator.onLine and whether the mail server answers (its
// state is read every few seconds; the demo's "offline" switch counts as offline too).

const net = { sinkReachable: true };
let sinkOffline = false;
let sinkPolling = false;

function updateNet() {
  let text = "";
  if (!navigator.onLine) text = "You are offline: messages wait in the Outbox and go out when you are back online.";
  else if (!net.sinkReachable) text = "The mail server cannot be reached: messages wait in the Outbox and go out when it answers.";
  else if (sinkOffline && app.server.kind === "sink") text = "The mail server is offline: messages wait in the Outbox and go out when it is back.";
  const indicator = $("net");
  indicator.dataset.state = text ? "offline" : "online";
  $("net-text").textContent = text ? (navigator.onLine ? "Mail server offline" : "Offline") : "Online";
  const banner = $("net-banner");
  if (banner.textContent !== text) banner.textContent = text;
  banner.hidden = !text;
  document.body.dataset.net = indicator.dataset.state;
}

async function pollSink() {
  if (sinkPolling || !navigator.onLine) return updateNet();
  sinkPolling = true;
  try {
    showSinkState(await sinkFetch("/sink/state"));
    net.sinkReachable = true;
  } catch {
    net.sinkReachable = false;
  } finally {
    sinkPolling = false;
  }
  updateNet();
}

function setupNet() {
  window.addEventListener("offline", updateNet);
  window.addEventListener("online", () => {
    updateNet();
    pollSink();
  });
  setInterval(pollSink, 5000);
  updateNet();
}

function showSinkState(s) {
  sinkOffline = !!s.offline;
  $("offline").checked = s.offline;
  $("slow").checked = s.delayMs > 0;
  $("slow-label").textContent = `Slow mail server (holds each message ${s.delayMs > 0 ? Math.round(s.delayMs / 1000) : 5} s)`;
  $("sink-folder").textContent = s.folder;
  document.body.dataset.offline = String(s.offline);
  updateNet();
}

async function setSinkState(change, button) {
  await run(button, async () => {
    const s = await sinkFetch("/sink/state", {
      method: "PUT",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(change),
    });
    net.sinkReachable = true;
    showSinkState(s);
    log(`mail sink: ${s.offline ? "offline (refuses with 503 + Retry-After)" : "online"}${s.delayMs ? `, slow (${s.delayMs / 1000} s a message)` : ""}`);
    if (!s.offline) showStatus("The mail server is back: waiting messages go out at their next attempt.");
  });
}

let sinkSeq = 0;
async function refreshSink() {
  const seq = ++sinkSeq;
  const list = await sinkFetch(SINK_URL);
  if (seq !== sinkSeq) return;
  syncList(
    $("sink"),
    list,
    (r) => r.id,
    (r) => {
      const li = el("li", "row");
      const what = el("div", "what");
      const a = el("a", "subject");
      a.href = `${SINK_URL}/${encodeURIComponent(r.id)}`;
      a.target = "_blank";
      a.rel = "noopener";
      what.append(a, el("div", "meta"), el("div", "state"));
      li.append(what);
      return li;
    },
    (li, r) => {
      const a = li.querySelector(".subject");
      a.textContent = r.subject || "(no subject)";
      a.setAttribute("aria-label", `${r.subject || "(no subject)"}: raw .eml file ${r.file}`);
      li.querySelector(".meta").textContent = `${r.mailFrom} → ${r.rcptTo.join(", ")} · ${formatSize(r.size)} · ${formatTime(new Date(r.receivedAt))}`;
      const notes = [`${r.file}`, `attempt ${r.attempt}`];
      if (r.possibleDuplicate) notes.push("possible duplicate");
      if (r.duplicates) notes.push(`${r.duplicates} duplicate ${r.duplicates === 1 ? "delivery" : "deliveries"} dropped`);
      if (r.failed?.length) notes.push(`refused: ${r.failed.map((f) => f.email).join(", ")}`);
      li.querySelector(".state").textContent = notes.join(" · ");
    },
  );
  setCount("sink", list.length);
}

export function refreshSinkSoon() {
  refreshSink().catch((err) => showError(err, "Could not list what the mail sink received: "));
}


/** The switches, the listing's Refresh, and a first look at the sink (an error if it is not there). */
export async function setupSink() {
  $("offline").addEventListener("change", (e) => setSinkState({ offline: e.target.checked }, null));
  $("slow").addEventListener("change", (e) => setSinkState({ delayMs: e.target.checked ? 5000 : 0 }, null));
  $("sink-refresh").addEventListener("click", refreshSinkSoon);
  try {
    showSinkState(await sinkFetch("/sink/state"));
    // Sending through Cyrus, the sink's switches would change nothing the page does.
    const sink = app.server.kind === "sink";
    $("offline").disabled = !sink;
    $("slow").disabled = !sink;
    $("switches-why").hidden = sink;
  } catch (err) {
    net.sinkReachable = false;
    showError("The mail server cannot be reached: start the demo with npm start.", "", { detail: technical(err) });
  }
  setupNet();
}
