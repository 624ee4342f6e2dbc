// drainOutbox (SPEC §9): what a service worker's `sync` handler runs. It opens the pages'
// IndexedDB store with the worker's transports, makes messages waiting for a retry due
// (as retryNow), lets the spooler send until nothing is due or the time budget is spent,
// and closes the store. It rejects when messages that are due could not be sent, so the
// browser retries the sync later, and resolves { sent, remaining } otherwise.
import { Store } from "./common.js";
import { MapiError, ErrorCode } from "./errors.js";

const KEYS = new Set(["name", "identity", "transports", "transport", "timeBudgetMs"]);
/** Under Chromium's 180 s limit for a sync event. */
export const DEFAULT_TIME_BUDGET_MS = 150_000;

function bad(text) {
  return new MapiError(ErrorCode.MAPI_E_INVALID_PARAMETER, `drainOutbox: ${text}`);
}

function readOptions(opts) {
  if (opts === undefined || opts === null) return { budget: DEFAULT_TIME_BUDGET_MS, open: {} };
  if (typeof opts !== "object" || Array.isArray(opts)) throw bad("options must be an object");
  const open = {};
  let budget = DEFAULT_TIME_BUDGET_MS;
  for (const key of Object.keys(opts)) {
    if (!KEYS.has(key)) throw bad(`unknown option ${JSON.stringify(key)} (options: ${[...KEYS].join(", ")})`);
    const v = opts[key];
    if (v === undefined) continue;
    if (key === "timeBudgetMs") {
      if (typeof v !== "number" || !Number.isFinite(v) || v <= 0) throw bad("timeBudgetMs must be a positive number of milliseconds");
      budget = v;
    } else {
      open[key] = v;
    }
  }
  return { budget, open };
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));

/**
 * @param {{ name?: string, identity?: object, transports?: object[], transport?: object, timeBudgetMs?: number }} [opts]
 * @returns {Promise<{ sent: number, remaining: number }>}
 */
export async function drainOutbox(opts) {
  let parsed;
  try {
    parsed = readOptions(opts);
  } catch (e) {
    throw e instanceof MapiError ? e : bad(String(e?.message ?? e));
  }
  const deadline = Date.now() + parsed.budget;
  const store = await Store.open({ ...parsed.open, backend: "indexeddb" });
  let sent = 0;
  const onSent = () => sent++;
  store.addEventListener("sent", onSent);
  try {
    await store.retryNow();
    let result = { remaining: 0, nextDueAt: null };
    for (;;) {
      const left = deadline - Date.now();
      if (left <= 0) break;
      let timer;
      const out = await Promise.race([
        store.flush(),
        new Promise((resolve) => (timer = setTimeout(() => resolve(null), left))),
      ]);
      clearTimeout(timer);
      if (out === null) break; // budget spent while sending
      result = out;
      if (result.remaining === 0 || result.nextDueAt === null) break;
      // Something becomes due within the budget (an undo window, a retry back-off): wait
      // for it; anything later waits for a page or the next sync.
      const wait = result.nextDueAt.getTime() - Date.now();
      if (wait > deadline - Date.now()) break;
      await sleep(wait + 5);
    }
    const rows = await store.outgoingQueue();
    const now = Date.now();
    const stuck = rows.filter((r) => {
      if ((r.PidTagSubmitFlags & 0x1) !== 0) return false; // a transport (another tab) has it
      const later = r.PidTagDeferredSendTime;
      if (later !== undefined && later.getTime() > now) return false; // sent later on purpose
      return true; // due now, or waiting for a retry after a failed attempt
    });
    if (stuck.length > 0) {
      const why = stuck.find((r) => r.lastError)?.lastError ?? "the time budget was spent";
      throw new MapiError(
        ErrorCode.MAPI_E_NETWORK_ERROR,
        `drainOutbox: ${stuck.length} message(s) could not be sent yet (${why}); the browser will retry the sync`,
      );
    }
    return { sent, remaining: rows.length };
  } finally {
    store.removeEventListener("sent", onSent);
    await store.close().catch(() => {});
  }
}
