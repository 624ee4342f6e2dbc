// The SMTP server on loopback that the project's Cyrus relays EmailSubmissions to
// (scripts/cyrus.sh points smtp_host at it). It records every envelope and message, and
// can refuse chosen recipients or senders with any reply (550 5.1.1, 451 4.3.0, 553 ...),
// or be stopped and started again to play a mail relay that is down.
//
//   const relay = await startSmtpRelay({ port: 18025 });
//   relay.refuseRcpt.set("bad@example.org", "550 5.1.1 no such user");
//   relay.received  -> [{ mailFrom, rcptTo: [...], data: Buffer, at }]
//   await relay.stop(); await relay.start(); await relay.close();
//
// `node scripts/smtp-relay.mjs` runs one in the foreground (CYRUS_SMTP_PORT, default 18025)
// for `JMAP=1 npm start`, logging each message it relays.
import { SMTPServer } from "smtp-server";
import { fileURLToPath } from "node:url";

function smtpError(reply) {
  const m = /^(\d{3})\s+(.*)$/s.exec(reply);
  const err = new Error(m ? m[2] : reply);
  err.responseCode = m ? Number(m[1]) : 550;
  return err;
}

export async function startSmtpRelay({ port = Number(process.env.CYRUS_SMTP_PORT) || 18025, log = false } = {}) {
  const relay = {
    port,
    received: [],
    /** address (lower case) -> reply such as "550 5.1.1 no such user" */
    refuseRcpt: new Map(),
    /** a reply for every MAIL FROM, or null */
    refuseMailFrom: null,
    server: null,
    async start() {
      if (relay.server) return;
      const server = new SMTPServer({
        authOptional: true,
        disabledCommands: ["AUTH", "STARTTLS"],
        banner: "mapi-outbox test relay",
        size: 50 * 1024 * 1024,
        logger: false,
        // Advertised, so that Cyrus reads the enhanced codes in the replies (5.1.1 ...).
        hideENHANCEDSTATUSCODES: false,
        onMailFrom(address, _session, cb) {
          if (relay.refuseMailFrom) return cb(smtpError(relay.refuseMailFrom));
          cb();
        },
        onRcptTo(address, _session, cb) {
          const reply = relay.refuseRcpt.get(address.address.toLowerCase());
          if (reply) return cb(smtpError(reply));
          cb();
        },
        onData(stream, session, cb) {
          const chunks = [];
          stream.on("data", (c) => chunks.push(c));
          stream.on("end", () => {
            const msg = {
              mailFrom: session.envelope.mailFrom ? session.envelope.mailFrom.address : "",
              rcptTo: session.envelope.rcptTo.map((r) => r.address),
              data: Buffer.concat(chunks),
              at: Date.now(),
            };
            relay.received.push(msg);
            if (log) console.log(`[smtp-relay] ${msg.mailFrom} -> ${msg.rcptTo.join(", ")} (${msg.data.length} bytes)`);
            cb();
          });
        },
      });
      server.on("error", () => {});
      await new Promise((resolve, reject) => {
        server.once("error", reject);
        server.listen(port, "127.0.0.1", () => {
          server.removeListener("error", reject);
          resolve();
        });
      });
      relay.server = server;
    },
    async stop() {
      const s = relay.server;
      relay.server = null;
      if (s) await new Promise((r) => s.close(r));
    },
    async close() {
      await relay.stop();
    },
  };
  await relay.start();
  return relay;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const relay = await startSmtpRelay({ log: true });
  console.log(`[smtp-relay] listening on 127.0.0.1:${relay.port}`);
}
