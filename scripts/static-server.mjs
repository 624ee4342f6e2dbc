// A tiny static file server for the demo, the e2e test and the packed-tarball smoke test.
//
// - Listens on 127.0.0.1 only.
// - `mounts` maps URL prefixes to folders: { "/": "www", "/js/": "js", "/pkg/": "pkg" }.
//   The longest matching prefix wins; paths are resolved inside the folder (no `..` escape).
// - `.wasm` is served as application/wasm (what WebAssembly.instantiateStreaming needs).
// - Every response carries a strict Content-Security-Policy: scripts only from this origin,
//   plus 'wasm-unsafe-eval' so WebAssembly can be compiled. An inline
//   <script type="importmap"> cannot be loaded from a file, so for HTML pages the sha256
//   hash of each inline import map is added to script-src; any other inline script stays
//   blocked.
// - No caching (`Cache-Control: no-store`), so a rebuilt pkg/ is picked up on reload.
// - `handle(req, res, urlPath)` (optional) sees every request first and resolves true when
//   it answered it (the demo mounts its mail sink at /sink/ this way); static files are
//   GET/HEAD only.

import { createServer } from "node:http";
import { createHash } from "node:crypto";
import { readFile, stat } from "node:fs/promises";
import { extname, join, resolve, sep } from "node:path";

export const MIME_TYPES = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json; charset=utf-8",
  ".map": "application/json; charset=utf-8",
  ".wasm": "application/wasm",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".txt": "text/plain; charset=utf-8",
  ".ts": "text/plain; charset=utf-8",
};

export const BASE_SCRIPT_SRC = "'self' 'wasm-unsafe-eval'";

/** The CSP for a response; `extraScriptSrc` are hash sources for inline import maps. */
export function contentSecurityPolicy(extraScriptSrc = []) {
  return [
    "default-src 'self'",
    `script-src ${[BASE_SCRIPT_SRC, ...extraScriptSrc].join(" ")}`,
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join("; ");
}

/** sha256 CSP sources of every inline `<script type="importmap">` in an HTML page. */
export function importMapHashes(html) {
  const hashes = [];
  const re = /<script\b[^>]*\btype\s*=\s*["']?importmap["']?[^>]*>([\s\S]*?)<\/script>/gi;
  for (const m of html.matchAll(re)) {
    hashes.push(`'sha256-${createHash("sha256").update(m[1], "utf8").digest("base64")}'`);
  }
  return hashes;
}

function resolveMounted(mounts, urlPath) {
  const prefixes = Object.keys(mounts).sort((a, b) => b.length - a.length);
  for (const prefix of prefixes) {
    if (!urlPath.startsWith(prefix)) continue;
    const root = resolve(mounts[prefix]);
    const rest = urlPath.slice(prefix.length);
    const file = resolve(join(root, rest));
    if (file !== root && !file.startsWith(root + sep)) return null; // escaped the mount
    return file;
  }
  return null;
}

/**
 * Starts a server. Resolves with { server, port, url, close() } once it listens.
 * `port` 0 picks a free port.
 */
export async function startStaticServer({ mounts, port = 0, host = "127.0.0.1", log = false, handle = null }) {
  const server = createServer(async (req, res) => {
    const send = (status, body, type = "text/plain; charset=utf-8", extra = {}) => {
      res.writeHead(status, {
        "Content-Type": type,
        "Cache-Control": "no-store",
        "X-Content-Type-Options": "nosniff",
        "Content-Security-Policy": contentSecurityPolicy(extra.scriptSrc),
      });
      res.end(req.method === "HEAD" ? undefined : body);
    };
    try {
      let urlPath;
      try {
        urlPath = decodeURIComponent(new URL(req.url, "http://localhost").pathname);
      } catch {
        return send(400, "bad request\n");
      }
      if (urlPath.includes("\0")) return send(400, "bad request\n");
      if (handle && (await handle(req, res, urlPath))) return;
      if (req.method !== "GET" && req.method !== "HEAD") return send(405, "method not allowed\n");
      let file = resolveMounted(mounts, urlPath);
      if (!file) return send(404, "not found\n");
      let st = await stat(file).catch(() => null);
      if (st?.isDirectory()) {
        file = join(file, "index.html");
        st = await stat(file).catch(() => null);
      }
      if (!st?.isFile()) {
        // Browsers ask for /favicon.ico on their own; a missing one is not an error here.
        if (urlPath === "/favicon.ico") return send(204, "");
        if (log) console.log(`[serve] 404 ${urlPath}`);
        return send(404, "not found\n");
      }
      const body = await readFile(file);
      const type = MIME_TYPES[extname(file).toLowerCase()] ?? "application/octet-stream";
      const scriptSrc = type.startsWith("text/html") ? importMapHashes(body.toString("utf8")) : [];
      if (log) console.log(`[serve] 200 ${urlPath}`);
      send(200, body, type, { scriptSrc });
    } catch (err) {
      console.error("[serve] error:", err);
      if (!res.headersSent) send(500, "internal error\n");
      else res.destroy();
    }
  });
  await new Promise((ok, fail) => {
    server.once("error", fail);
    server.listen(port, host, () => {
      server.off("error", fail);
      ok();
    });
  });
  const actualPort = server.address().port;
  return {
    server,
    port: actualPort,
    url: `http://${host}:${actualPort}/`,
    close: () =>
      new Promise((ok) => {
        server.closeAllConnections?.();
        server.close(() => ok());
      }),
  };
}
