// Helpers shared by the benchmarks in bench/: statistics, machine facts, and the JSON hand-off
// to bench/run.mjs (`npm run bench`). Every benchmark also runs on its own and prints its table.
import os from "node:os";
import { execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";

/** Nearest-rank quantile of a list of numbers. */
export function quantile(xs, q) {
  const s = [...xs].sort((a, b) => a - b);
  if (!s.length) return NaN;
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))];
}

/** median, p90, p99, mean and the count of a list of samples (ms). */
export function stats(xs) {
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  return { n: xs.length, median: quantile(xs, 0.5), p90: quantile(xs, 0.9), p99: quantile(xs, 0.99), mean };
}

/** Per-round ratios a[i]/b[i] of two interleaved sample lists, summarised by their median. */
export function pairedRatio(a, b) {
  const r = a.map((x, i) => x / b[i]).filter(Number.isFinite);
  return { median: quantile(r, 0.5), p10: quantile(r, 0.1), p90: quantile(r, 0.9) };
}

/** The order to run `items` in on round `i`: rotated every round so none always goes first. */
export function rotate(items, i) {
  const k = i % items.length;
  return [...items.slice(k), ...items.slice(0, k)];
}

export function chromiumVersion() {
  try {
    return execFileSync(process.env.CHROMIUM_PATH ?? "/usr/bin/chromium", ["--version"], { encoding: "utf8" }).trim();
  } catch {
    return null;
  }
}

/** lscpu's model name, hypervisor and caches, when lscpu is there. */
function lscpu() {
  try {
    const out = execFileSync("lscpu", [], { encoding: "utf8" });
    const get = (k) => out.match(new RegExp(`^${k}:\\s*(.+)$`, "m"))?.[1]?.trim();
    return [get("Model name"), get("Hypervisor vendor") && `${get("Hypervisor vendor")} guest`, get("L2 cache") && `L2 ${get("L2 cache")}`, get("L3 cache") && `L3 ${get("L3 cache")}`].filter(Boolean).join(", ");
  } catch {
    return null;
  }
}

export function machine() {
  const cpus = os.cpus();
  return {
    cpu: cpus[0]?.model ?? "?",
    lscpu: lscpu(),
    cores: cpus.length,
    ramGiB: +(os.totalmem() / 2 ** 30).toFixed(1),
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    node: process.version,
    loadavg: os.loadavg().map((x) => +x.toFixed(2)),
  };
}

/** The command line that ran this script, relative to the repository. */
export function commandLine() {
  const args = process.argv.slice(1).map((a) => a.replace(process.cwd() + "/", ""));
  const flags = process.execArgv.length ? process.execArgv.join(" ") + " " : "";
  return `node ${flags}${args.join(" ")}`;
}

/** Writes this benchmark's result where bench/run.mjs asked for it (BENCH_JSON), if it did. */
export function emit(result) {
  const out = { command: commandLine(), machine: machine(), ...result };
  if (process.env.BENCH_JSON) writeFileSync(process.env.BENCH_JSON, JSON.stringify(out, null, 2));
  return out;
}

export const fmt = (x, d = 2) => (x == null || Number.isNaN(x) ? "–" : Number(x).toFixed(d));

/** Adds one attachment to the Message `msg` (createAttach, setProps, saveChanges, free). */
export function attach(msg, filename, mimeTag, data) {
  const a = msg.createAttach();
  a.setProps({ PidTagAttachLongFilename: filename, PidTagAttachMimeTag: mimeTag, PidTagAttachDataBinary: data });
  a.saveChanges();
  a.free();
}

/** Submits `n` messages of the scale benchmarks (3 recipients, a 2 KB body) into `store`. */
export async function queueScaleMessages(store, n) {
  const body = "x".repeat(2048);
  for (let i = 0; i < n; i++) {
    const m = store.createMessage();
    m.setProps({ PidTagSubject: `message ${i}`, PidTagBody: body });
    m.modifyRecipients("add", [
      { PidTagEmailAddress: "a@example.org" },
      { PidTagEmailAddress: "b@example.org", PidTagRecipientType: 2 },
      { PidTagEmailAddress: "c@example.org", PidTagRecipientType: 3 },
    ]);
    await m.submit();
    m.free();
  }
}
