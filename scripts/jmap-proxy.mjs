// A same-origin reverse proxy to the JMAP server, for browser pages: Cyrus answers no CORS
// preflight, so a page reaches it through its own origin (SPEC §8). Used by the JMAP browser
// tests and by `JMAP=1 npm start` (scripts/serve.mjs), as static-server's `handle`:
//
//   handle: jmapProxy({ target: "http://127.0.0.1:18080" })
//
// forwards /jmap, /jmap/... and /.well-known/jmap with method, headers and body, and streams
// the answer back. `hold(pred)` (tests) keeps answers to matching requests from the page.
import { request } from "node:http";

export function jmapProxy({ target = `http://127.0.0.1:${process.env.CYRUS_HTTP_PORT || 18080}`, onAnswer } = {}) {
  const base = new URL(target);
  const handle = async (req, res, path) => {
    if (!(path === "/jmap" || path.startsWith("/jmap/") || path === "/.well-known/jmap")) return false;
    const chunks = [];
    for await (const c of req) chunks.push(c);
    const body = Buffer.concat(chunks);
    const headers = { ...req.headers, host: base.host };
    delete headers.origin;
    delete headers.referer;
    await new Promise((resolve) => {
      const up = request(
        { hostname: base.hostname, port: base.port, method: req.method, path: req.url, headers },
        async (answer) => {
          const parts = [];
          for await (const c of answer) parts.push(c);
          const data = Buffer.concat(parts);
          if (onAnswer && (await onAnswer({ method: req.method, path, body, status: answer.statusCode, data })) === "drop") {
            resolve(); // the page never gets this answer (the test closes it)
            return;
          }
          const out = { ...answer.headers };
          delete out["transfer-encoding"];
          out["content-length"] = String(data.length);
          res.writeHead(answer.statusCode, out);
          res.end(data);
          resolve();
        },
      );
      up.on("error", (e) => {
        if (!res.headersSent) res.writeHead(502, { "content-type": "text/plain" });
        res.end(`jmap proxy: ${e.message}`);
        resolve();
      });
      up.end(body);
    });
    return true;
  };
  return handle;
}
