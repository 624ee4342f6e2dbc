// What both entry points share: the wasm classes, with Store.open loading the module on
// first use, and freed objects answering MAPI_E_INVALID_OBJECT instead of crashing.

import initWasm, { Store, Message, Attachment, registerErrorClass } from "../pkg/mapi_outbox.js";
import { MapiError, ErrorCode } from "./errors.js";

export { MapiError, ErrorCode, MessageFlags, SubmitFlags } from "./errors.js";
// `new Store()` is not how a store is made. The wasm constructors say so, but only once the
// module is loaded; these wrappers say it before that too (a newcomer's first line), and are
// the classes in every other way (static methods, instanceof).
function refuseNew(cls, hint) {
  return new Proxy(cls, {
    construct() {
      throw new MapiError(ErrorCode.MAPI_E_NO_SUPPORT, `new ${cls.name}() is not supported: ${hint}`);
    },
  });
}
const StoreClass = refuseNew(Store, "open one with `await Store.open(options)`");
const MessageClass = refuseNew(Message, "create one with `store.createMessage()` or open one with `await store.openMessage(entryId)`");
const AttachmentClass = refuseNew(Attachment, "create one with `message.createAttach()` or open one with `message.openAttach(number)`");
export { StoreClass as Store, MessageClass as Message, AttachmentClass as Attachment };

const ASYNC = new Set([
  "openMessage",
  "abortSubmit",
  "outgoingQueue",
  "contents",
  "deleteMessage",
  "corruptRecordForTesting",
  "flush",
  "retryNow",
  "sendNow",
  "close",
  "saveChanges",
  "submit",
]);

function freedError() {
  return new MapiError(ErrorCode.MAPI_E_INVALID_OBJECT, "the object was freed (free() was called)");
}

/** The text of any thrown value, read without letting it throw again. */
function textOf(e) {
  try {
    const m = e !== null && typeof e === "object" ? e.message : e;
    return String(m).slice(0, 300);
  } catch {
    return "an exception that cannot be read";
  }
}

/**
 * The last line of defence: every argument is read by catching code in the module, so only
 * a defect of ours gets here with anything but a MapiError. Even then the caller gets a
 * MapiError (MAPI_E_CALL_FAILED, the original as `cause`), never a foreign exception.
 */
function asMapiError(e, where) {
  if (e instanceof MapiError) return e;
  const err = new MapiError(ErrorCode.MAPI_E_CALL_FAILED, `${where}: unexpected ${textOf(e)}`);
  err.cause = e;
  return err;
}

// The objects whose free() ran: a call after that would reach Rust with a freed pointer.
// Answer it here, and make a second free() harmless. (Kept on our side, in a WeakSet, rather
// than read from wasm-bindgen's private fields.)
const freed = new WeakSet();

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
          if (freed.has(this)) {
            if (isAsync) return Promise.reject(freedError());
            throw freedError();
          }
          let result;
          try {
            result = raw.apply(this, args);
          } catch (e) {
            if (isAsync) return Promise.reject(asMapiError(e, key));
            throw asMapiError(e, key);
          }
          // (A promise is returned as it is: its rejections are made as MapiErrors in the
          // module, and another `then` here would delay them behind the caller's next step.)
          return result;
        },
      }[key];
    } else if (typeof desc.get === "function") {
      const rawGet = desc.get;
      desc.get = function () {
        if (freed.has(this)) throw freedError();
        return rawGet.call(this);
      };
    } else {
      continue;
    }
    Object.defineProperty(proto, key, desc);
  }
  const rawFree = proto.free;
  proto.free = function free() {
    if (freed.has(this)) return;
    freed.add(this);
    rawFree.call(this);
  };
  if (Symbol.dispose && proto[Symbol.dispose]) proto[Symbol.dispose] = proto.free;
}

let loading = null;
let defaultLoad = null;

function loadError(e) {
  return new MapiError(ErrorCode.MAPI_E_CALL_FAILED, `could not load the mapi-outbox wasm module: ${e?.message ?? e}`);
}

function ready(load = defaultLoad) {
  loading ??= Promise.resolve()
    .then(load)
    .then(() => registerErrorClass(MapiError))
    .catch((e) => {
      loading = null;
      throw loadError(e);
    });
  return loading;
}

function isSource(s) {
  if (typeof s === "string" || s instanceof URL) return true;
  if (typeof WebAssembly === "object" && s instanceof WebAssembly.Module) return true;
  if (s instanceof ArrayBuffer || ArrayBuffer.isView(s)) return true;
  if (typeof SharedArrayBuffer === "function" && s instanceof SharedArrayBuffer) return true;
  if (typeof Response === "function" && s instanceof Response) return true;
  return s !== null && typeof s === "object" && typeof s.then === "function";
}

/**
 * Initializes the wasm module explicitly (SPEC §2): `source` is a WebAssembly.Module, the
 * .wasm bytes, a Response or a promise of one, or a URL; without it the .wasm next to the
 * package is loaded. A second call is a no-op; Store.open() calls it when needed.
 */
export function init(source) {
  if (loading) return loading.then(() => undefined);
  if (source === undefined) return ready().then(() => undefined);
  let ok = false;
  try {
    ok = isSource(source);
  } catch {
    ok = false;
  }
  if (!ok) {
    return Promise.reject(
      new MapiError(
        ErrorCode.MAPI_E_INVALID_PARAMETER,
        "init(source): source must be a WebAssembly.Module, an ArrayBuffer or typed array of the .wasm bytes, a Response (or a promise of one), or a URL",
      ),
    );
  }
  return ready(() => initWasm({ module_or_path: source })).then(() => undefined);
}

// --- what the JS side drives for an open store: `online`, Background Sync --------------

const warned = new Set();
function warnOnce(key, text) {
  if (warned.has(key)) return;
  warned.add(key);
  console.warn(`mapi-outbox: ${text}`);
}

const cleanups = new WeakMap();

/** The service worker registration that can register a sync for this context, or null. */
async function syncRegistration() {
  const g = globalThis;
  if (g.registration && g.registration.sync) return g.registration; // inside a service worker
  const sw = g.navigator?.serviceWorker;
  if (!sw || typeof sw.getRegistration !== "function") return null;
  const reg = await sw.getRegistration();
  return reg && reg.sync ? reg : null;
}

function hasBackgroundSync() {
  const g = globalThis;
  return typeof g.SyncManager === "function" || !!g.registration?.sync;
}

function attach(store) {
  const undo = [];
  // Back online: whatever waits for a retry goes at once (SPEC §5).
  if (typeof globalThis.addEventListener === "function") {
    const ref = new WeakRef(store);
    const onOnline = () => {
      const s = ref.deref();
      if (!s) return globalThis.removeEventListener("online", onOnline);
      s.retryNow().catch(() => {});
    };
    globalThis.addEventListener("online", onOnline);
    undo.push(() => globalThis.removeEventListener("online", onOnline));
  }
  const tag = store.backgroundSyncTag;
  if (tag !== undefined) {
    if (store.backend !== "indexeddb") {
      warnOnce("bs-memory", "backgroundSync needs backend: \"indexeddb\" (a service worker cannot see a memory store); the option does nothing here");
    } else if (!hasBackgroundSync()) {
      warnOnce("bs-missing", "this browser has no Background Sync API; backgroundSync does nothing here, and mail is sent while a page of this site is open");
    } else {
      const register = () =>
        syncRegistration()
          .then((reg) => {
            if (!reg) {
              warnOnce("bs-noworker", "backgroundSync: no service worker controls this page, so no sync is registered");
              return;
            }
            return reg.sync.register(tag);
          })
          .catch((e) => warnOnce("bs-failed", `backgroundSync: registering the sync failed: ${e?.message ?? e}`));
      const onEvent = () => void register();
      store.addEventListener("submitted", onEvent);
      store.addEventListener("retry", onEvent);
      // Mail left queued by an earlier page gets a sync too.
      store
        .outgoingQueue()
        .then((rows) => rows.length > 0 && register())
        .catch(() => {});
    }
  }
  cleanups.set(store, () => undo.forEach((f) => f()));
}

/** Loads the wasm module once; `load` is the environment's way to instantiate it. */
export function install(load) {
  defaultLoad = load;
  const rawOpen = Store.open;
  Object.defineProperty(Store, "open", {
    value: async function open(options) {
      await ready();
      let store;
      try {
        store = await rawOpen.call(Store, options);
      } catch (e) {
        throw asMapiError(e, "Store.open");
      }
      attach(store);
      return store;
    },
    writable: true,
    configurable: true,
  });
  for (const cls of [Store, Message, Attachment]) guardFreed(cls);
  const guardedClose = Store.prototype.close;
  Store.prototype.close = function close() {
    const undo = cleanups.get(this);
    if (undo) {
      cleanups.delete(this);
      undo();
    }
    return guardedClose.call(this);
  };
}

export { initWasm };
