// The static server for the benchmark pages (bench/page/), with the package and the three
// node_modules folders Workbox's ES modules need, under scripts/static-server.mjs's CSP.
// BENCH_PKG_DIR serves another build of pkg/ (e.g. one kept with its function names, made by
// `wasm-opt -O3 -g`, for bench/profile-idb.mjs).
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { startStaticServer } from "../scripts/static-server.mjs";

const repo = join(dirname(fileURLToPath(import.meta.url)), "..");
export function benchServerOnly() {
  const nm = (p) => join(repo, "node_modules", p);
  return startStaticServer({
    mounts: {
      "/": join(repo, "bench/page"),
      "/js/": join(repo, "js"),
      "/pkg/": process.env.BENCH_PKG_DIR ?? join(repo, "pkg"),
      "/node_modules/workbox-background-sync/": nm("workbox-background-sync"),
      "/node_modules/workbox-core/": nm("workbox-core"),
      "/node_modules/idb/": nm("idb"),
    },
  });
}
