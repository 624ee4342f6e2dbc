// What both entry points share: the wasm classes, with Store.open loading the module on
// first use, and freed objects answering MAPI_E_INVALID_OBJECT instead of crashing.

import initWasm, { Store, Message, Attachment, registerErrorClass } from "../pkg/mapi_outbox.js";
import { MapiError, ErrorCode } from "./errors.js";

export { MapiError, ErrorCode, MessageFlags, SubmitFlags } from "./errors.js";
export { Store, Message, Attachment };

const ASYNC = new Set([
  "openMessage",
  "abortSubmit",
  "outgoingQueue",
  "contents",
  "deleteMessage",
  "corruptRecordForTesting",
  "flush",
  "close",
  "saveChanges",
  "submit",
]);

function freedError() {
  return new MapiError(ErrorCode.MAPI_E_INVALID_OBJECT, "the object was freed (free() was called)");
}

// wasm-bindgen zeroes __wbg_ptr in free(); a call after that would reach Rust with a null
// pointer. Answer it here, and make a second free() harmless.
function guardFreed(cls) {
  const proto = cls.prototype;
  for (const key of Object.getOwnPropertyNames(proto)) {
    if (key === "constructor" || key === "free" || key.startsWith("__")) continue;
    const desc = Object.getOwnPropertyDescriptor(proto, key);
    if (typeof desc.value === "function") {
      const raw = desc.value;
      const isAsync = ASYNC.has(key) && !(cls === Attachment && key === "saveChanges");
      desc.value = {
        [key](...args) {
          if (this.__wbg_ptr === 0) {
            if (isAsync) return Promise.reject(freedError());
            throw freedError();
          }
          return raw.apply(this, args);
        },
      }[key];
    } else if (typeof desc.get === "function") {
      const rawGet = desc.get;
      desc.get = function () {
        if (this.__wbg_ptr === 0) throw freedError();
        return rawGet.call(this);
      };
    } else {
      continue;
    }
    Object.defineProperty(proto, key, desc);
  }
  const rawFree = proto.free;
  proto.free = function free() {
    if (this.__wbg_ptr !== 0) rawFree.call(this);
  };
  if (Symbol.dispose && proto[Symbol.dispose]) proto[Symbol.dispose] = proto.free;
}

let loading = null;

/** Loads the wasm module once; `load` is the environment's way to instantiate it. */
export function install(load) {
  const ready = () => {
    loading ??= Promise.resolve()
      .then(load)
      .then(() => registerErrorClass(MapiError))
      .catch((e) => {
        loading = null;
        throw new MapiError(ErrorCode.MAPI_E_CALL_FAILED, `could not load the mapi-outbox wasm module: ${e?.message ?? e}`);
      });
    return loading;
  };
  const rawOpen = Store.open;
  Object.defineProperty(Store, "open", {
    value: async function open(options) {
      await ready();
      return rawOpen.call(Store, options);
    },
    writable: true,
    configurable: true,
  });
  for (const cls of [Store, Message, Attachment]) guardFreed(cls);
}

export { initWasm };
