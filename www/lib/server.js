// Which mail server the page sends through: the local mail sink (httpTransport to /sink/)
// or the project's Cyrus over JMAP (jmapTransport through the same-origin proxy at /jmap),
// when this server offers it (/jmap-demo.json: `JMAP=1 npm start`). The choice is made on
// the page: ?server=sink|jmap in the address, else the last choice (localStorage, per
// database), else Cyrus when it is there. Switching reloads the page, whose store then
// sends through the other server; the Outbox keeps its messages.
import { $, el } from "./dom.js";
import { params, DB_NAME } from "./config.js";
import { showError } from "./feedback.js";
import { run } from "./actions.js";

const KEY = `mapi-outbox-demo:${DB_NAME}:server`;

/** The JMAP server `JMAP=1 npm start` offers (/jmap-demo.json), or null. */
async function jmapConfig() {
  try {
    const r = await fetch("/jmap-demo.json", { cache: "no-store" });
    if (!r.ok) return null;
    const c = await r.json();
    return typeof c?.sessionUrl === "string" && typeof c?.email === "string" ? c : null;
  } catch {
    return null;
  }
}

function lastChoice() {
  try {
    return localStorage.getItem(KEY);
  } catch {
    return null;
  }
}

/** { kind: "sink" | "jmap", jmap: the JMAP server's description or null }. */
export async function pickServer() {
  const jmap = await jmapConfig();
  const want = params.get("server") ?? lastChoice();
  return { kind: jmap && want !== "sink" ? "jmap" : "sink", jmap };
}

/** Reloads the page on the other server. */
function switchServer(kind) {
  try {
    localStorage.setItem(KEY, kind);
  } catch {
    // No storage: the address below still says which.
  }
  const url = new URL(location.href);
  url.searchParams.set("server", kind);
  location.assign(url.href);
}

/**
 * Shows the choice (and its summary line, which opens it on narrow screens). Without a JMAP
 * server the Cyrus choice is disabled, with the reason next to it. When the other one is
 * picked, `beforeSwitch()` keeps the form; it resolves with "" or with why the page stays.
 */
export function showServerChoice({ kind, jmap }, beforeSwitch) {
  const sink = $("server-sink");
  const cyrus = $("server-jmap");
  cyrus.disabled = !jmap;
  $("server-jmap-why").textContent = jmap
    ? `Sends as ${jmap.email} through the project's Cyrus mail server.`
    : "Not available: the Cyrus mail server is not running. Start the demo with JMAP=1 npm start to send through it.";
  const showCurrent = () => {
    sink.checked = kind === "sink";
    cyrus.checked = kind === "jmap";
  };
  showCurrent();
  for (const input of [sink, cyrus]) {
    input.addEventListener("change", () => {
      if (!input.checked || input.value === kind) return;
      run(null, async () => {
        const why = await beforeSwitch();
        if (!why) return switchServer(input.value);
        showCurrent();
        showError(why);
      });
    });
  }
  const lede = $("lede-server");
  lede.replaceChildren(
    ...(kind === "jmap"
      ? ["the project's Cyrus mail server over JMAP (", el("code", "", "jmapTransport"), " → ", el("code", "", "/jmap"), ")"]
      : ["a local mail sink (", el("code", "", "httpTransport"), " → ", el("code", "", "/sink/messages"), ")"]),
  );
  $("server-summary").textContent = kind === "jmap" ? "Cyrus (JMAP)" : "local mail sink";
  document.body.dataset.server = kind;
  // The settings are open on wide screens; on narrow ones they wait behind their summary line.
  const narrow = matchMedia("(max-width: 32rem)");
  const fit = () => {
    $("server-panel").open = !narrow.matches;
  };
  narrow.addEventListener("change", fit);
  fit();
}
