// Node entry: Node's fetch cannot read file: URLs, so the .wasm is read from disk.
import { readFile } from "node:fs/promises";
import { install, initWasm } from "./common.js";

install(async () =>
  initWasm({ module_or_path: await readFile(new URL("../pkg/mapi_outbox_bg.wasm", import.meta.url)) }),
);

export { Store, Message, Attachment, MapiError, ErrorCode, MessageFlags, SubmitFlags, init } from "./common.js";
export { drainOutbox } from "./drain.js";
export { httpTransport } from "./http-transport.js";
export { jmapTransport } from "./jmap-transport.js";
