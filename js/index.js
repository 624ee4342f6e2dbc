// Browser and bundler entry: the .wasm is found next to this package's files through
// import.meta.url, which Vite and a plain <script type="module"> both understand.
import { install, initWasm } from "./common.js";

install(() => initWasm({ module_or_path: new URL("../pkg/mapi_outbox_bg.wasm", import.meta.url) }));

export { Store, Message, Attachment, MapiError, ErrorCode, MessageFlags, SubmitFlags, init } from "./common.js";
export { drainOutbox } from "./drain.js";
export { httpTransport } from "./http-transport.js";
export { jmapTransport } from "./jmap-transport.js";
