#!/usr/bin/env node
// Serves the demo page on 127.0.0.1 (port: $PORT, default 8080):
//   /      -> www/   (index.html, app.js, with an import map for "mapi-outbox")
//   /js/   -> js/    (the package's browser entry, js/index.js)
//   /pkg/  -> pkg/   (wasm-bindgen output, built by `npm run build`)
//   /sink/ -> the local mail sink (scripts/mail-sink.mjs) that the page's httpTransport
//             posts to; it stores each message as an .eml file in $SINK_DIR (default: a
//             folder under the system's temp dir, printed at start)
// with a strict CSP (script-src 'self' 'wasm-unsafe-eval', plus the hash of the inline
// import map). See scripts/static-server.mjs. The sink is on the page's own origin, so the
// CSP's default-src 'self' lets the page reach it and nothing else.
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { startStaticServer } from "./static-server.mjs";
import { createMailSink, DEFAULT_SINK_DIR } from "./mail-sink.mjs";
import { jmapProxy } from "./jmap-proxy.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");

export function demoMounts() {
  return {
    "/": join(root, "www"),
    "/js/": join(root, "js"),
    "/pkg/": join(root, "pkg"),
  };
}

/**
 * Serves the demo and its mail sink. Resolves with { url, port, sink, close() }; `sink` is
 * the mail sink's object (list(), state(), setState(), dir) for tests.
 */
export async function serveDemo({ port = 0, log = false, sinkDir = DEFAULT_SINK_DIR, retryAfterSeconds = 2, jmap = null } = {}) {
  const sink = createMailSink({ dir: sinkDir, retryAfterSeconds, log });
  await sink.ready;
  // jmap: { target, email, password } -> /jmap proxied to Cyrus and /jmap-demo.json for the page.
  const proxy = jmap ? jmapProxy({ target: jmap.target }) : null;
  const handle = async (req, res, path) => {
    if (!jmap && path === "/jmap-demo.json") {
      // No JMAP server in this run: the page sends to the mail sink.
      res.writeHead(200, { "content-type": "application/json", "cache-control": "no-store" }).end("null");
      return true;
    }
    if (jmap && path === "/jmap-demo.json") {
      const authorization = "Basic " + Buffer.from(`${jmap.email}:${jmap.password}`).toString("base64");
      res.writeHead(200, { "content-type": "application/json", "cache-control": "no-store" });
      res.end(JSON.stringify({ sessionUrl: "/jmap", email: jmap.email, name: "Alice (Cyrus)", authorization }));
      return true;
    }
    if (proxy && (await proxy(req, res, path))) return true;
    return sink.handle(req, res, path);
  };
  const served = await startStaticServer({ mounts: demoMounts(), port, log, handle });
  return {
    ...served,
    sink,
    close: async () => {
      sink.setState({ delayMs: 0 }); // answer held requests before the server goes
      await served.close();
    },
  };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const raw = process.env.PORT ?? "8080";
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    console.error(`[serve] PORT must be a port number, got ${JSON.stringify(raw)}`);
    process.exit(2);
  }
  if (!existsSync(join(root, "pkg", "mapi_outbox_bg.wasm"))) {
    console.error("[serve] pkg/mapi_outbox_bg.wasm is missing: run `npm run build` first");
    process.exit(1);
  }
  try {
    let jmap = null;
    if (process.env.JMAP === "1") {
      const { startSmtpRelay } = await import("./smtp-relay.mjs");
      const relay = await startSmtpRelay({ log: true });
      console.log(`[serve] SMTP relay for Cyrus on 127.0.0.1:${relay.port} (logs each message it relays)`);
      jmap = { target: `http://127.0.0.1:${process.env.CYRUS_HTTP_PORT || 18080}`, email: "alice@example.test", password: "alice-pw" };
    }
    const { url, sink } = await serveDemo({ port, log: !!process.env.SERVE_LOG, sinkDir: process.env.SINK_DIR || undefined, jmap });
    if (jmap) console.log(`[serve] JMAP: the page sends through Cyrus (${jmap.target}/jmap, proxied at ${url}jmap) as ${jmap.email}`);
    console.log(`[serve] mail sink: ${url}sink/messages  (stores each message as an .eml file in ${sink.dir})`);
    console.log(`[serve] mapi-outbox demo: ${url}  (Ctrl-C to stop)`);
  } catch (err) {
    console.error(`[serve] cannot listen on 127.0.0.1:${port}: ${err.message}`);
    process.exit(1);
  }
  const stop = () => process.exit(0);
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
}
