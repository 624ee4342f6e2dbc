// What the .wasm is made of, by crate and module: the profile behind BENCHMARKS.md's size
// findings (bench/profiles.json "size").
//   bash scripts/build.sh && bash bench/build-named.sh /tmp/named
//   node bench/size-parts.mjs /tmp/named/mapi_outbox_bg.wasm [--write]
// Runs `twiggy top -f csv` (cargo install twiggy) on a build that kept its function names,
// sums each item's shallow bytes under the crate (or mapi_outbox module) its name starts
// with, leaves the name section out, and compresses each section of pkg/'s .wasm alone with
// zlib level 9. --write stores the result as profiles.json's "size".
import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { deflateSync, constants } from "node:zlib";

const repo = join(dirname(fileURLToPath(import.meta.url)), "..");
const named = process.argv[2];
if (!named) {
  console.error("usage: node bench/size-parts.mjs <named build .wasm> [--write]");
  process.exit(2);
}

const csv = execFileSync("twiggy", ["top", "-f", "csv", "-n", "1000000", named], { encoding: "utf8", maxBuffer: 1 << 28 });
const rows = [];
for (const line of csv.split("\n").slice(1)) {
  const m = /^"?(.*?)"?,(\d+),/.exec(line);
  if (m) rows.push({ name: m[1].replaceAll('""', '"'), bytes: Number(m[2]) });
}

function part(name) {
  name = name.replace(/\[[0-9a-f]{16}\]/g, ""); // crate disambiguators: core[c5930c85a12de822]
  if (/subsection|custom section|^producers|^target_features/.test(name)) return null; // names, not code
  if (name.startsWith("data segment") || name.startsWith("data[")) return "data (rodata: strings, tables)";
  if (/^(import|export) |__wbg_|__wbindgen|__externref|wasm_bindgen::convert::closures/.test(name) ||
      / shim\b/.test(name))
    return "wasm-bindgen export/import shims and imports";
  if (/^__(rustc|[a-z]+[0-9]+|mem)|^mem(cmp|cpy|set|move)$/.test(name)) return "compiler-builtins";
  if (name.includes("alloc::collections::btree")) return "alloc::collections::btree (all key types)";
  // `<T as Trait>::f` and `&T`: the path of T; otherwise the item's own path.
  let path = name.replace(/^[<&\s]+(mut\s+)?/, "").replace(/^(dyn|impl)\s+/, "");
  // `<u8 as core::fmt::Debug>`, `<T as serde::Serialize>`: a primitive or a generic parameter
  // has no crate: the trait's is taken.
  const as = /^([A-Za-z0-9_]+|\[[^\]]*\]|\([^)]*\)) as ([^>]+)>/.exec(path);
  if (as && !as[1].includes("::")) path = as[2];
  const segs = path.split("::");
  const crate = segs[0].replace(/[^A-Za-z0-9_].*$/, "");
  if (crate === "mapi_outbox") {
    const m1 = segs[1]?.replace(/[^A-Za-z0-9_].*$/, "");
    if (m1 === "wasm") return `mapi_outbox::wasm::${segs[2]?.replace(/[^A-Za-z0-9_].*$/, "")}`;
    return `mapi_outbox::${m1}`;
  }
  if (["js_sys", "wasm_bindgen", "web_sys", "wasm_bindgen_futures"].includes(crate)) return "js-sys/wasm-bindgen/web-sys runtime";
  if (/^(code|func)\[\d+\]$/.test(name) || crate === "") return "other";
  return crate;
}

const sums = new Map();
const largest = new Map();
let total = 0;
for (const r of rows) {
  const p = part(r.name);
  if (p === null) continue;
  total += r.bytes;
  sums.set(p, (sums.get(p) ?? 0) + r.bytes);
  if (!largest.has(p) || largest.get(p).bytes < r.bytes) largest.set(p, { name: r.name.replace(/::h[0-9a-f]{16}$/, ""), bytes: r.bytes });
}
const parts = [...sums]
  .map(([p, bytes]) => ({ part: p, bytes, largestItem: largest.get(p) }))
  .sort((a, b) => b.bytes - a.bytes);

// Each section of the shipped .wasm (pkg/, no names) compressed alone.
const wasm = readFileSync(join(repo, "pkg/mapi_outbox_bg.wasm"));
const z = (b) => deflateSync(b, { level: 9, strategy: constants.Z_DEFAULT_STRATEGY }).length;
const sections = { code: [], data: [], rest: [] };
let at = 8;
const leb = () => {
  let v = 0, s = 0, b;
  do { b = wasm[at++]; v |= (b & 0x7f) << s; s += 7; } while (b & 0x80);
  return v >>> 0;
};
while (at < wasm.length) {
  const id = wasm[at++];
  const len = leb();
  const body = wasm.subarray(at, at + len);
  (id === 10 ? sections.code : id === 11 ? sections.data : sections.rest).push(body);
  at += len;
}
const gzipBySection = {
  command: "zlib level 9 of each section of pkg/mapi_outbox_bg.wasm alone (node:zlib), and of the whole file",
  code: z(Buffer.concat(sections.code)),
  data: z(Buffer.concat(sections.data)),
  everythingElse: z(Buffer.concat(sections.rest)),
  whole: z(wasm),
};

const profile = {
  command: "bash bench/build-named.sh /tmp/named; node bench/size-parts.mjs /tmp/named/mapi_outbox_bg.wasm (twiggy top -f csv of the names-kept build: shallow bytes summed by crate/module, name sections left out); raw bytes, not gzip",
  total,
  parts,
  gzipBySection,
};
for (const p of parts) console.log(`${String(p.bytes).padStart(8)}  ${p.part}`);
console.log(`${String(total).padStart(8)}  in all (raw)`);
console.log(`gzip by section: code ${gzipBySection.code}, data ${gzipBySection.data}, the rest ${gzipBySection.everythingElse}, whole ${gzipBySection.whole}`);
if (process.argv.includes("--write")) {
  const file = join(repo, "bench/profiles.json");
  const all = JSON.parse(readFileSync(file, "utf8"));
  all.size = profile;
  writeFileSync(file, `${JSON.stringify(all, null, 1)}\n`);
  console.log("written: bench/profiles.json size");
}
