// MapiError and the exported constant tables (SPEC §3, §4). Plain JS: usable before the
// wasm module is loaded, e.g. by a transport that rejects with a MapiError.

const codes = {
  MAPI_E_CALL_FAILED: 0x80004005,
  MAPI_E_NO_SUPPORT: 0x80040102,
  MAPI_E_UNKNOWN_FLAGS: 0x80040106,
  MAPI_E_INVALID_ENTRYID: 0x80040107,
  MAPI_E_INVALID_OBJECT: 0x80040108,
  MAPI_E_OBJECT_CHANGED: 0x80040109,
  MAPI_E_OBJECT_DELETED: 0x8004010a,
  MAPI_E_BUSY: 0x8004010b,
  MAPI_E_NOT_ENOUGH_DISK: 0x8004010d,
  MAPI_E_NOT_FOUND: 0x8004010f,
  MAPI_E_UNABLE_TO_ABORT: 0x80040114,
  MAPI_E_NETWORK_ERROR: 0x80040115,
  MAPI_E_COMPUTED: 0x8004011a,
  MAPI_E_CORRUPT_DATA: 0x8004011b,
  MAPI_E_TOO_BIG: 0x80040305,
  MAPI_E_WAIT: 0x80040500,
  MAPI_E_CANCEL: 0x80040501,
  MAPI_E_NOT_ME: 0x80040502,
  MAPI_E_NOT_IN_QUEUE: 0x80040601,
  MAPI_E_NO_RECIPIENTS: 0x80040607,
  MAPI_E_SUBMITTED: 0x80040608,
  MAPI_E_NO_ACCESS: 0x80070005,
  MAPI_E_INVALID_PARAMETER: 0x80070057,
};

export const ErrorCode = Object.freeze(codes);

export const MessageFlags = Object.freeze({
  READ: 0x1,
  UNMODIFIED: 0x2,
  SUBMIT: 0x4,
  UNSENT: 0x8,
  HASATTACH: 0x10,
  FROMME: 0x20,
  RESEND: 0x80,
});

export const SubmitFlags = Object.freeze({ LOCKED: 0x1, PREPROCESS: 0x2 });

const nameOf = new Map(Object.entries(codes).map(([name, value]) => [value, name]));

function hex(n) {
  return "0x" + n.toString(16).toUpperCase().padStart(8, "0");
}

/** An error carrying a MAPI HRESULT: `code` (unsigned), `codeName`, and a message. */
export class MapiError extends Error {
  constructor(code, message) {
    let value;
    if (typeof code === "string" && Object.hasOwn(codes, code)) {
      value = codes[code];
    } else if (typeof code === "number" && Number.isInteger(code) && code >= 0 && code <= 0xffffffff) {
      value = code;
    } else if (typeof code === "number" && Number.isInteger(code) && code < 0 && code >= -0x80000000) {
      value = code >>> 0; // a signed HRESULT, as some code writes them
    } else {
      const shown = typeof code === "string" ? JSON.stringify(code.slice(0, 60)) : typeof code;
      throw new MapiError(
        codes.MAPI_E_INVALID_PARAMETER,
        `MapiError: code must be a MAPI error name or an HRESULT number, got ${shown}`,
      );
    }
    const codeName = nameOf.get(value) ?? hex(value);
    super(message === undefined || message === null ? codeName : String(message));
    this.name = "MapiError";
    this.code = value;
    this.codeName = codeName;
  }

  /** The MAPI code of any thrown value whose numeric `code` is one of ErrorCode's, else undefined. */
  static codeOf(err) {
    const c = err !== null && typeof err === "object" ? err.code : undefined;
    return typeof c === "number" && nameOf.has(c >>> 0) ? c >>> 0 : undefined;
  }
}
