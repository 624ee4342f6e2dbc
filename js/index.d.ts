// Type declarations for the npm package "mapi-outbox" (both entry points: js/index.js for
// browsers and bundlers, js/node.js for Node). The contract is SPEC.md §2–§6.
//
// Self-contained on purpose: no dependency on the DOM or Node type libraries (events are
// described structurally; AbortSignal is the global one when a lib declares it).

// ---------------------------------------------------------------------------------------
// Entry ids

/**
 * An entry id as the API returns it: the lowercase hex form of the PT_BINARY
 * `PidTagEntryId` (72 hex characters for this store).
 */
export type EntryId = string;

/**
 * An entry id as methods accept it: the hex string (either case) or its `Uint8Array` form.
 * Not hex, or not of the store's id length → `MAPI_E_INVALID_ENTRYID`.
 */
export type EntryIdInput = string | Uint8Array;

/**
 * Bytes the package hands out: a `Uint8Array` over its own (non-shared) `ArrayBuffer`, so
 * it can go straight into `fetch(..., { body })` or a `Blob`. (Written this way so that it
 * is `Uint8Array<ArrayBuffer>` on TypeScript >= 5.7 and plain `Uint8Array` before.)
 */
export type Bytes = ReturnType<Uint8Array["slice"]>;

// ---------------------------------------------------------------------------------------
// Errors

/**
 * Every MAPI error code the package uses, by name: the HRESULT as an unsigned 32-bit
 * number. The object is frozen.
 */
export declare const ErrorCode: Readonly<{
  /** Unexpected internal failure (with a cause). */
  MAPI_E_CALL_FAILED: 0x80004005;
  /** Operation not supported by this store/backend. */
  MAPI_E_NO_SUPPORT: 0x80040102;
  /** An option value that is not one of the allowed ones. */
  MAPI_E_UNKNOWN_FLAGS: 0x80040106;
  /** An entry id that is not well formed. */
  MAPI_E_INVALID_ENTRYID: 0x80040107;
  /** Any use of a message/attachment object after a successful submit (or after close/free). */
  MAPI_E_INVALID_OBJECT: 0x80040108;
  /** Save conflicts with a newer save through another object. */
  MAPI_E_OBJECT_CHANGED: 0x80040109;
  /** Save of an object whose message was deleted or moved. */
  MAPI_E_OBJECT_DELETED: 0x8004010a;
  /** A call on a message whose submit is still in flight. */
  MAPI_E_BUSY: 0x8004010b;
  /** IndexedDB quota exceeded (nothing half-written). */
  MAPI_E_NOT_ENOUGH_DISK: 0x8004010d;
  /** Well-formed entry id that names nothing (any more). */
  MAPI_E_NOT_FOUND: 0x8004010f;
  /** Abort of a message a transport has locked. */
  MAPI_E_UNABLE_TO_ABORT: 0x80040114;
  /** Transport-side transient failure. */
  MAPI_E_NETWORK_ERROR: 0x80040115;
  /** Write to a property the store computes. */
  MAPI_E_COMPUTED: 0x8004011a;
  /** The persisted copy of the message cannot be read back intact. */
  MAPI_E_CORRUPT_DATA: 0x8004011b;
  /** Message over the size limit, or too many recipients. */
  MAPI_E_TOO_BIG: 0x80040305;
  /** Transport: try again later. */
  MAPI_E_WAIT: 0x80040500;
  /** Transport: do not resend. */
  MAPI_E_CANCEL: 0x80040501;
  /** Transport: not mine, try another transport. */
  MAPI_E_NOT_ME: 0x80040502;
  /** Abort of a message no longer in the outgoing queue (sent, finished). */
  MAPI_E_NOT_IN_QUEUE: 0x80040601;
  /** Submit with an empty recipient table. */
  MAPI_E_NO_RECIPIENTS: 0x80040607;
  /** Open-for-write, delete or second submit of a queued message. */
  MAPI_E_SUBMITTED: 0x80040608;
  /** Write through a read-only object; open of a locked message. */
  MAPI_E_NO_ACCESS: 0x80070005;
  /** Wrong type, bad address, CR/LF in a header value, unknown property name. */
  MAPI_E_INVALID_PARAMETER: 0x80070057;
}>;

/** The name of a MAPI error code, e.g. `"MAPI_E_NO_RECIPIENTS"`. */
export type ErrorCodeName = keyof typeof ErrorCode;

/** A MAPI error code number, e.g. `0x80040607`. */
export type ErrorCodeValue = (typeof ErrorCode)[ErrorCodeName];

/**
 * The one error class of the package. Synchronous methods throw it, asynchronous ones
 * reject with it. An error of any class whose numeric `code` is one of the
 * {@link ErrorCode} values counts as that MapiError (e.g. when a transport rejects).
 *
 * @example
 * try { await msg.submit(); }
 * catch (err) {
 *   if (err instanceof MapiError && err.code === ErrorCode.MAPI_E_NO_RECIPIENTS) { ... }
 * }
 */
export declare class MapiError extends Error {
  /**
   * @param code the error code, as a number (`ErrorCode.MAPI_E_WAIT`) or a name (`"MAPI_E_WAIT"`)
   * @param message what was wrong, in words
   */
  constructor(code: ErrorCodeName | number, message?: string);
  /** Always `"MapiError"`. */
  name: "MapiError";
  /** The HRESULT as an unsigned 32-bit number, e.g. `0x80040607`. */
  readonly code: number;
  /**
   * The MAPI name of {@link code}, e.g. `"MAPI_E_NO_RECIPIENTS"`; for a code that is not in
   * {@link ErrorCode}, its hex form (`"0x80004001"`).
   */
  readonly codeName: ErrorCodeName | `0x${string}`;
  /**
   * For transports rejecting with a transient error: how long the spooler waits before
   * the next attempt (otherwise exponential backoff from `retry.initialMs`).
   */
  retryAfterMs?: number;
  /**
   * The MAPI code of any thrown value whose numeric `code` is one of {@link ErrorCode}'s
   * values (as an unsigned number), else `undefined`.
   */
  static codeOf(err: unknown): number | undefined;
}

// ---------------------------------------------------------------------------------------
// Flags

/** Bits of `PidTagMessageFlags`. */
export declare const MessageFlags: Readonly<{
  READ: 0x1;
  UNMODIFIED: 0x2;
  /** Set by submit, cleared by abort and by finishing the send. */
  SUBMIT: 0x4;
  /** Set on a new message; cleared when the send is finished. */
  UNSENT: 0x8;
  /** Follows the attachment table at each save. */
  HASATTACH: 0x10;
  FROMME: 0x20;
  RESEND: 0x80;
}>;

/** Bits of `PidTagSubmitFlags` (present while a message is queued). */
export declare const SubmitFlags: Readonly<{
  /** A transport (spooler) has locked the message; it can no longer be aborted. */
  LOCKED: 0x1;
  PREPROCESS: 0x2;
}>;

// ---------------------------------------------------------------------------------------
// Properties

/**
 * A property key given as a tag in hex: `"0x"` + 8 hex digits, `(id << 16) | type`,
 * e.g. `"0x8001001F"`. `getProps` returns unknown tags in this form with upper-case digits.
 */
export type HexTag = `0x${string}`;

/**
 * A property value. By type: PT_UNICODE string, PT_LONG integer number (int32 range),
 * PT_BOOLEAN boolean, PT_SYSTIME Date, PT_BINARY Uint8Array, PT_I8 bigint; the
 * multi-valued types (type | 0x1000) are arrays of those.
 */
export type PropValue =
  | string
  | number
  | boolean
  | Date
  | Uint8Array
  | bigint
  | string[]
  | number[]
  | boolean[]
  | Date[]
  | Uint8Array[]
  | bigint[];

/** Message properties a client may set (the computed ones are left out: writing them → `MAPI_E_COMPUTED`). */
export interface WritableMessageProps {
  /** Subject (header value: no CR/LF). */
  PidTagSubject?: string;
  /** text/plain body. */
  PidTagBody?: string;
  /** text/html body. */
  PidTagBodyHtml?: string;
  /** Message class, default `"IPM.Note"`. */
  PidTagMessageClass?: string;
  /** 0 low, 1 normal (default), 2 high. */
  PidTagImportance?: number;
  /** -1, 0 (default), 1. */
  PidTagPriority?: number;
  /** Submit time; set by submit. */
  PidTagClientSubmitTime?: Date;
  /** `<...>`; assigned at submit if absent, stable for that submission. */
  PidTagInternetMessageId?: string;
  /** Default: the store identity's name. */
  PidTagSenderName?: string;
  /** Default: the store identity's email address. */
  PidTagSenderEmailAddress?: string;
  /** Entry id (binary form) of the folder to move the message to once sent. */
  PidTagSentMailEntryId?: Uint8Array;
  /** Delete the message once sent. */
  PidTagDeleteAfterSubmit?: boolean;
  /** Not handed to a transport before this time. */
  PidTagDeferredSendTime?: Date;
  /** 0..999; with the units, overrides PidTagDeferredSendTime, counted from the submit time. */
  PidTagDeferredSendNumber?: number;
  /** 0 minutes, 1 hours, 2 days, 3 weeks. */
  PidTagDeferredSendUnits?: number;
  /** Passed to the transport; does not delay the hand-over. */
  PidTagDeferredDeliveryTime?: Date;
  /** Any property by hex tag. */
  [tag: HexTag]: PropValue | undefined;
}

/** Message properties as `getProps` returns them: absent properties are left out. */
export interface MessageProps extends WritableMessageProps {
  /** Computed: bits of {@link MessageFlags}. */
  readonly PidTagMessageFlags?: number;
  /** Computed, present while queued: bits of {@link SubmitFlags}. */
  readonly PidTagSubmitFlags?: number;
  /** Computed size in bytes. */
  readonly PidTagMessageSize?: number;
  /** Computed from the attachment table. */
  readonly PidTagHasAttachments?: boolean;
  /** Computed: `; `-separated display names of the To recipients. */
  readonly PidTagDisplayTo?: string;
  /** Computed: `; `-separated display names of the Cc recipients. */
  readonly PidTagDisplayCc?: string;
  /** Computed: `; `-separated display names of the Bcc recipients. */
  readonly PidTagDisplayBcc?: string;
  /** Computed: the binary form of the entry id. */
  readonly PidTagEntryId?: Bytes;
  /** Entry id (binary form) of the folder to move the message to once sent. */
  PidTagSentMailEntryId?: Bytes;
}

/** Recipient properties a client may set in a row. */
export interface WritableRecipientProps {
  /** 1 To (default), 2 Cc, 3 Bcc. */
  PidTagRecipientType?: number;
  PidTagDisplayName?: string;
  /** Default `"SMTP"`. */
  PidTagAddressType?: string;
  /** Required; for SMTP a valid addr-spec. */
  PidTagEmailAddress?: string;
  /** Set true once a transport has dealt with the recipient. */
  PidTagResponsibility?: boolean;
  /** Any property by hex tag. */
  [tag: HexTag]: PropValue | undefined;
}

/** A row of `modifyRecipients("add", rows)`: the row id is assigned. */
export interface RecipientAddRow extends WritableRecipientProps {
  PidTagEmailAddress: string;
  /** Ignored by "add": the store assigns row ids. */
  PidTagRowid?: number;
}

/** A row of `modifyRecipients("modify", rows)`: replaces every property of the row with that row id. */
export interface RecipientModifyRow extends WritableRecipientProps {
  PidTagRowid: number;
  PidTagEmailAddress: string;
}

/** A row of `modifyRecipients("remove", rows)`. */
export interface RecipientRemoveRow {
  PidTagRowid: number;
}

/** A recipient row as `getRecipients()` (and a transport's `outgoing.recipients`) returns it. */
export interface RecipientRow extends WritableRecipientProps {
  /** Assigned by `modifyRecipients("add")`. */
  readonly PidTagRowid: number;
  readonly PidTagRecipientType: number;
  readonly PidTagEmailAddress: string;
  readonly PidTagAddressType: string;
}

/** The `op` of `modifyRecipients`. */
export type RecipientOp = "add" | "modify" | "remove";

/** Attachment properties a client may set. */
export interface WritableAttachmentProps {
  /** 1 by value (default). */
  PidTagAttachMethod?: number;
  /** The content. */
  PidTagAttachDataBinary?: Uint8Array;
  PidTagAttachLongFilename?: string;
  PidTagAttachFilename?: string;
  /** e.g. `"application/pdf"`. */
  PidTagAttachMimeTag?: string;
  /** For inline parts. */
  PidTagAttachContentId?: string;
  /** Any property by hex tag. */
  [tag: HexTag]: PropValue | undefined;
}

/** Attachment properties as `getProps` returns them. */
export interface AttachmentProps extends WritableAttachmentProps {
  /** The content. */
  PidTagAttachDataBinary?: Bytes;
  /** Assigned. */
  readonly PidTagAttachNumber?: number;
  /** Computed. */
  readonly PidTagAttachSize?: number;
}

/** A row of `getAttachments()`. */
export interface AttachmentRow {
  readonly PidTagAttachNumber: number;
  readonly PidTagAttachLongFilename?: string;
  readonly PidTagAttachSize: number;
  readonly PidTagAttachMimeTag?: string;
}

/** Canonical names of message properties. */
export type MessagePropName = Exclude<keyof MessageProps, HexTag>;
/** Canonical names of recipient properties. */
export type RecipientPropName = Exclude<keyof WritableRecipientProps, HexTag> | "PidTagRowid";
/** Canonical names of attachment properties. */
export type AttachmentPropName = Exclude<keyof AttachmentProps, HexTag>;
/** A property key: a canonical name or a hex tag. */
export type PropName = MessagePropName | RecipientPropName | AttachmentPropName | HexTag;

// ---------------------------------------------------------------------------------------
// Attachment

/**
 * An attachment of a message, from `createAttach()` or `openAttach(n)`. Methods are
 * synchronous. After its message was submitted, every member but `free()` throws
 * `MAPI_E_INVALID_OBJECT`.
 */
export declare class Attachment {
  private constructor();
  /** Sets properties; validates all of them before changing anything. */
  setProps(props: WritableAttachmentProps): void;
  /** Returns the named properties (all when no names are given); absent ones are left out. */
  getProps(names?: readonly (AttachmentPropName | HexTag)[]): AttachmentProps;
  /** Deletes properties. */
  deleteProps(names: readonly (AttachmentPropName | HexTag)[]): void;
  /**
   * Commits into the parent message's pending state (synchronous). Attachments not saved
   * before the message is saved are lost.
   */
  saveChanges(): void;
  /** Releases the wasm memory; allowed at any time, a second call does nothing. */
  free(): void;
}

// ---------------------------------------------------------------------------------------
// Message

/** Options of `message.saveChanges()`. */
export interface SaveChangesOptions {
  /** What the object is good for after the save: `"readwrite"` (default) or `"readonly"`. */
  keepOpen?: "readwrite" | "readonly";
  /** Overwrite a newer save made through another object instead of failing with `MAPI_E_OBJECT_CHANGED`. */
  force?: boolean;
}

/**
 * A transacted property bag with a recipient table and attachments. Changes live in the
 * object until `saveChanges()` commits them. Methods are synchronous except `saveChanges`
 * and `submit`. After a successful `submit()` the object is dead: every member except
 * `free()` (`entryId` included) throws `MAPI_E_INVALID_OBJECT`.
 */
export declare class Message {
  private constructor();
  /** The message's entry id (lowercase hex). Read it before submitting. */
  readonly entryId: EntryId;
  /** Sets properties; validates all of them before changing anything. */
  setProps(props: WritableMessageProps): void;
  /** Returns the named properties (all when no names are given); absent ones are left out. */
  getProps(names?: readonly (MessagePropName | HexTag)[]): MessageProps;
  /** Deletes properties (computed ones → `MAPI_E_COMPUTED`). */
  deleteProps(names: readonly (MessagePropName | HexTag)[]): void;
  /** Adds recipients; each gets a `PidTagRowid`. */
  modifyRecipients(op: "add", rows: readonly RecipientAddRow[]): void;
  /** Replaces all properties of the rows with these row ids. */
  modifyRecipients(op: "modify", rows: readonly RecipientModifyRow[]): void;
  /** Removes the rows with these row ids. */
  modifyRecipients(op: "remove", rows: readonly RecipientRemoveRow[]): void;
  /** The recipient table. */
  getRecipients(): RecipientRow[];
  /** Empties the recipient table. */
  removeAllRecipients(): void;
  /** A new attachment; `saveChanges()` it to keep it. */
  createAttach(): Attachment;
  /** Opens the attachment with this `PidTagAttachNumber`. */
  openAttach(attachNumber: number): Attachment;
  /** Deletes the attachment with this `PidTagAttachNumber`. */
  deleteAttach(attachNumber: number): void;
  /** The attachment table. */
  getAttachments(): AttachmentRow[];
  /**
   * Commits the changes. Another object's newer save → `MAPI_E_OBJECT_CHANGED` (unless
   * `force`); message deleted or moved → `MAPI_E_OBJECT_DELETED`. A failed save leaves the
   * object as it was.
   */
  saveChanges(options?: SaveChangesOptions): Promise<void>;
  /** The RFC 5322 form as it would be sent now (no Bcc header). */
  toMime(): Bytes;
  /**
   * Saves, then queues the message for sending. On success the object is dead (only
   * `free()` works). Errors leave it valid and writable and queue nothing:
   * `MAPI_E_NO_RECIPIENTS`, `MAPI_E_TOO_BIG`, `MAPI_E_CORRUPT_DATA`, `MAPI_E_SUBMITTED`.
   * While in flight, other calls → `MAPI_E_BUSY`.
   */
  submit(): Promise<void>;
  /** Releases the wasm memory; allowed at any time (also after submit), a second call does nothing. */
  free(): void;
}

// ---------------------------------------------------------------------------------------
// Transports (SPEC §6)

/** `AbortSignal` from the DOM or Node type libraries when present, else its shape. */
export type TransportAbortSignal = typeof globalThis extends { AbortSignal: { prototype: infer S } }
  ? S
  : {
      readonly aborted: boolean;
      readonly reason: unknown;
      throwIfAborted(): void;
      addEventListener(type: "abort", listener: () => void, options?: { once?: boolean }): void;
      removeEventListener(type: "abort", listener: () => void): void;
    };

/** What a transport gets to send. */
export interface Outgoing {
  /** Stable across retries, reloads and tabs: use it to drop duplicates. */
  readonly submissionId: string;
  readonly entryId: EntryId;
  /** The `<...>` form of `PidTagInternetMessageId`. */
  readonly messageId: string;
  /** RFC 5322, CRLF line endings, no Bcc header. */
  readonly mime: Bytes;
  /** The envelope sender (bare addr-spec). */
  readonly mailFrom: string;
  /** Bare addr-specs of only the recipients this transport is responsible for. */
  readonly rcptTo: readonly string[];
  /** Their recipient rows. */
  readonly recipients: readonly RecipientRow[];
  /** 1-based attempt number. */
  readonly attempt: number;
  /** True when an earlier attempt's outcome is unknown (e.g. its tab died mid-send). */
  readonly possibleDuplicate: boolean;
}

/** A recipient that failed for good. */
export interface FailedRecipient {
  email: string;
  reason: string;
}

/**
 * What `transport.send` resolves with: nothing or `{ failed: [] }` → every recipient was
 * delivered; `{ failed: [...] }` → those recipients failed for good.
 */
export interface SendResult {
  failed?: readonly FailedRecipient[];
}

/**
 * A transport: a plain object. Reject `send` with `MAPI_E_NOT_ME` to pass the recipients
 * to the next transport, `MAPI_E_CANCEL` to fail them for good; any other rejection is
 * transient (retried after `err.retryAfterMs` or with exponential backoff).
 */
export interface Transport {
  readonly name: string;
  /** Address types it takes, e.g. `["SMTP"]`. */
  readonly addressTypes: readonly string[];
  send(outgoing: Outgoing, context: { readonly signal: TransportAbortSignal }): Promise<SendResult | void>;
}

/** Header values for {@link HttpTransportOptions.headers}. */
export type HttpTransportHeaders =
  | Readonly<Record<string, string | number | undefined>>
  | readonly (readonly [string, string])[]
  | { forEach(callback: (value: string, name: string) => void): void; get(name: string): string | null };

/** Options of {@link httpTransport}. Unknown keys → `MAPI_E_INVALID_PARAMETER`. */
export interface HttpTransportOptions {
  /**
   * Where to POST each message: an absolute `http:`/`https:` URL (in a browser page also
   * relative to the page), without credentials (use `headers`). Required.
   */
  url: string | URL;
  /**
   * Extra request headers, e.g. `Authorization`. The transport's own headers
   * (`Content-Type`, `Idempotency-Key`, `X-Mail-From`, `X-Rcpt-To`, `X-Message-Id`,
   * `X-Attempt`, `X-Possible-Duplicate`) cannot be overridden.
   */
  headers?: HttpTransportHeaders;
  /** The fetch to use (default: the global `fetch`), e.g. a wrapper that adds credentials. */
  fetch?: (url: string, init: {
    method: "POST";
    headers: [string, string][];
    body: Bytes;
    signal?: TransportAbortSignal;
    cache: "no-store";
    redirect: "manual";
  }) => Promise<HttpTransportResponse>;
  /** The transport's name (in `sending` events), default `"http"`. */
  name?: string;
  /** Address types it takes, default `["SMTP"]`. */
  addressTypes?: readonly string[];
}

/** What the transport reads of a fetch `Response` (the global `Response` fits). */
export interface HttpTransportResponse {
  readonly status: number;
  readonly statusText?: string;
  readonly headers: { get(name: string): string | null };
  readonly body?: unknown;
  text(): Promise<string>;
}

/**
 * The rejection of {@link httpTransport}'s `send`: a {@link MapiError} that also carries the
 * HTTP status (0 when no answer came).
 */
export interface HttpTransportError extends MapiError {
  readonly status: number;
}

/**
 * The reference transport: POSTs each message to `url` as one request.
 *
 * Request: body `outgoing.mime` with `Content-Type: message/rfc822`;
 * `Idempotency-Key: <submissionId>` (the same on every retry: the server drops duplicates
 * by it); envelope headers `X-Mail-From` (addr-spec), `X-Rcpt-To` (comma-separated
 * addr-specs of this transport's recipients, Bcc ones included), `X-Message-Id`
 * (`<...>`), `X-Attempt` (1-based), `X-Possible-Duplicate` (`"true"`/`"false"`).
 * Envelope values are ASCII: `%`, `,`, controls and non-ASCII characters are
 * percent-encoded (UTF-8), so decode each item with `decodeURIComponent`. The spooler's
 * `signal` is passed to fetch.
 *
 * Answer: 2xx → delivered (a JSON body `{ failed: [{ email, reason }] }` names recipients
 * that failed for good); 408, 409, 425, 429, 5xx, a network error or an abort → transient
 * ({@link HttpTransportError} `MAPI_E_WAIT` for 409/425/429/503, else
 * `MAPI_E_NETWORK_ERROR`), with `retryAfterMs` from a `Retry-After` header (seconds or an
 * HTTP-date); any other 4xx → `MAPI_E_CANCEL` (permanent), the status and the start of the
 * body in the message; any other status → transient `MAPI_E_NETWORK_ERROR`. Redirects:
 * only 307/308 to the same origin are followed (a 301/302/303 would turn the POST into a
 * body-less GET); any other redirect is a transient failure naming it.
 *
 * Bad options → `MAPI_E_INVALID_PARAMETER` naming the option (thrown synchronously).
 *
 * @example
 * const store = await Store.open({
 *   identity: { email: "me@example.org" },
 *   transports: [httpTransport({ url: "/api/send", headers: { Authorization: `Bearer ${token}` } })],
 * });
 */
export declare function httpTransport(options: HttpTransportOptions): Transport;

/** Options of `jmapTransport` (SPEC §8). */
export interface JmapTransportOptions {
  /** The JMAP session resource, e.g. "https://mail.example.org/jmap" (relative URLs in the session resolve against it). */
  sessionUrl: string | URL;
  /** Headers for every request (e.g. Authorization), or a function giving them (called for every request: fresh credentials are picked up). */
  headers?: Record<string, string> | (() => Record<string, string> | Promise<Record<string, string>>);
  /** Default `globalThis.fetch`. */
  fetch?: (input: string, init?: RequestInit) => Promise<Response>;
  /** Default: the session's primary account for urn:ietf:params:jmap:submission. */
  accountId?: string;
  /** Default: the Identity whose email is the message's sender, else the account's only Identity. */
  identityId?: string;
  /** A mailbox id or "role:<role>" (default "role:sent"); null destroys the server's copy once sent (then a lost answer can mean a second delivery). */
  sentMailbox?: string | null;
  /** A mailbox id or "role:<role>", default "role:drafts". */
  draftsMailbox?: string;
  /** Default "jmap". */
  name?: string;
  /** Default ["SMTP"]. */
  addressTypes?: string[];
}

/**
 * A transport that sends through a mail server speaking JMAP (Cyrus, Stalwart, Fastmail,
 * Apache James): upload, Email/import and EmailSubmission/set, 2 HTTP requests a message
 * (+2 for the first). Exactly once across retries: an earlier attempt's Email is found
 * before anything is sent again. Bad options → `MAPI_E_INVALID_PARAMETER` at once.
 */
export declare function jmapTransport(options: JmapTransportOptions): Transport & { readonly requests: number };

// ---------------------------------------------------------------------------------------
// Store

/** Options of `Store.open()`. Unknown keys → `MAPI_E_INVALID_PARAMETER`. */
export interface StoreOptions {
  /** `"memory"` (default, everywhere) or `"indexeddb"` (browsers; shared by all tabs). */
  backend?: "memory" | "indexeddb";
  /** Database name, default `"mapi-outbox"`. */
  name?: string;
  /** The default sender. */
  identity?: { email: string; name?: string };
  /** A tightly coupled transport: submitted messages are handed to it directly. */
  transport?: Transport;
  /** Run a spooler in this store object (default true). */
  spooler?: boolean;
  /** Undo window: a deferred send time applied to every submit whose message has none (default 0). */
  sendDelayMs?: number;
  /** Loosely coupled transports, as if passed to `registerTransport` in order. */
  transports?: readonly Transport[];
  /**
   * Retry backoff for transient transport failures. `leaseMs` (an extension of this
   * library, default 30000, at least 300) is the lease of a spooler's lock: a lock whose
   * holder died is taken again after it, with `possibleDuplicate: true`.
   */
  retry?: { initialMs?: number; maxMs?: number; leaseMs?: number };
  /** Bytes, default 25 MiB; checked by submit. */
  maxMessageSize?: number;
  /** Default 500; checked by submit. */
  maxRecipients?: number;
  /**
   * IndexedDB stores in a page controlled by a service worker: every submit and every
   * transient failure registers a one-off Background Sync (`true`: tag "mapi-outbox"), so
   * the worker's `drainOutbox` sends after the tabs close. Where the API is missing
   * (Firefox, Safari, Node) it does nothing and says so once in the console.
   */
  backgroundSync?: boolean | { tag?: string };
}

/** What `flush()` resolves with. */
export interface FlushResult {
  /** Messages still in the outgoing queue. */
  remaining: number;
  /** When the earliest of them becomes due; null when none is queued. */
  nextDueAt: Date | null;
}

/**
 * Initializes the wasm module explicitly, for service workers and strict-CSP pages that
 * precache it: a `WebAssembly.Module`, the `.wasm` bytes, a `Response` (or a promise of
 * one), or a URL; without it the `.wasm` next to the package is loaded (the subpath
 * `mapi-outbox/wasm` resolves to that file). A second call does nothing. `Store.open()`
 * calls it when needed.
 */
export declare function init(
  source?: WebAssembly.Module | BufferSource | Response | PromiseLike<Response> | URL | string,
): Promise<void>;

/** Options of `drainOutbox`. */
export interface DrainOutboxOptions {
  /** The pages' database name (default "mapi-outbox"). */
  name?: string;
  identity?: { email: string; name?: string };
  /** Loosely coupled transports (as `Store.open`'s `transports`). */
  transports?: Transport[];
  /** A tightly coupled transport (as `Store.open`'s `transport`). */
  transport?: Transport;
  /** How long to keep sending, default 150,000 ms (under Chromium's 180 s sync limit). */
  timeBudgetMs?: number;
}

/**
 * For a service worker's `sync` handler (`event.waitUntil(drainOutbox({...}))`): opens the
 * pages' IndexedDB store, makes messages waiting for a retry due, sends until nothing is
 * due or the budget is spent, and closes the store. Rejects when messages that are due
 * could not be sent (so the browser retries the sync later).
 */
export declare function drainOutbox(options?: DrainOutboxOptions): Promise<{ sent: number; remaining: number }>;

/** The store's folders by name. */
export interface Folders {
  readonly drafts: EntryId;
  readonly outbox: EntryId;
  readonly sent: EntryId;
  readonly inbox: EntryId;
}

/** A folder name for `store.contents()`. */
export type FolderName = keyof Folders;

/** Options of `store.openMessage()`. */
export interface OpenMessageOptions {
  /** `"readwrite"` (default) or `"read"`. */
  access?: "readwrite" | "read";
}

/** A row of `store.outgoingQueue()`. */
export interface QueueRow {
  readonly entryId: EntryId;
  readonly PidTagClientSubmitTime: Date;
  readonly PidTagDisplayTo: string;
  readonly PidTagDisplayCc: string;
  readonly PidTagDisplayBcc: string;
  readonly PidTagMessageFlags: number;
  readonly PidTagMessageSize: number;
  readonly PidTagPriority: number;
  /** `""` when the message has none. */
  readonly PidTagSenderName: string;
  /** `""` when the message has none. */
  readonly PidTagSubject: string;
  readonly PidTagSubmitFlags: number;
  /** Present when set. */
  readonly PidTagDeferredSendTime?: Date;
  /** Send attempts made so far. */
  readonly attempts: number;
  /** The last transient failure, if any. */
  readonly lastError: string | null;
  /** When the next attempt is due after a failure. */
  readonly nextAttemptAt: Date | null;
}

/** A row of `store.contents()`. */
export interface ContentsRow {
  readonly entryId: EntryId;
  /** `""` when the message has none. */
  readonly PidTagSubject: string;
  readonly PidTagMessageClass: string;
  readonly PidTagMessageFlags: number;
  readonly PidTagMessageSize: number;
  readonly PidTagDisplayTo: string;
  /** Present when set. */
  readonly PidTagClientSubmitTime?: Date;
}

/** An event of the store: a `CustomEvent` with this `type` and `detail`. */
export interface StoreEvent<K extends keyof StoreEventDetailMap = keyof StoreEventDetailMap> {
  readonly type: K;
  readonly detail: StoreEventDetailMap[K];
}

/** The `detail` of each store event. */
export interface StoreEventDetailMap {
  /** The outgoing queue changed. */
  queuechange: unknown;
  submitted: { entryId: EntryId; submissionId: string };
  sending: { entryId: EntryId; transport: string };
  sent: { entryId: EntryId; sentEntryId: EntryId | null; submissionId: string };
  /** `attempt` is the one that failed (1-based). */
  retry: { entryId: EntryId; attempt: number; error: string; nextAttemptAt: Date };
  aborted: { entryId: EntryId };
  ndr: { entryId: EntryId; reportEntryId: EntryId; recipients: FailedRecipient[] };
  /**
   * IndexedDB only: another tab opened (or deleted) the database at a newer schema version,
   * so this store closed its connection; every later call rejects with
   * `MAPI_E_INVALID_OBJECT` saying so. Reload the page.
   */
  versionchange: { name: string; oldVersion: number; newVersion: number | null };
}

/** The name of a store event. */
export type StoreEventType = keyof StoreEventDetailMap;

/** A listener: a function, or an object with `handleEvent`. */
export type StoreEventListener<K extends StoreEventType = StoreEventType> =
  | ((event: StoreEvent<K>) => void)
  | { handleEvent(event: StoreEvent<K>): void };

/**
 * A message store: folders `drafts`, `outbox`, `sent`, `inbox`, messages, and the
 * outgoing queue. Methods return promises except `createMessage`, `folders`,
 * `registerTransport`, `addEventListener` and `removeEventListener`. After `close()`
 * every call → `MAPI_E_INVALID_OBJECT`.
 */
export declare class Store {
  private constructor();
  /** Opens a store; initializes the wasm module on first use. */
  static open(options?: StoreOptions): Promise<Store>;
  /** Folder entry ids by name. */
  readonly folders: Folders;
  /** The database name this store was opened with. */
  readonly name: string;
  /** A new message in Drafts, with an entry id already; not in any folder until its first save. */
  createMessage(): Message;
  /**
   * Opens a message. Queued: readwrite → `MAPI_E_SUBMITTED`, read → a read-only Message.
   * Locked by a transport → `MAPI_E_NO_ACCESS`. Unknown, deleted or moved → `MAPI_E_NOT_FOUND`.
   */
  openMessage(entryId: EntryIdInput, options?: OpenMessageOptions): Promise<Message>;
  /**
   * Undo send: takes a queued, unlocked message out of the queue, back into Drafts with the
   * same entry id. Locked → `MAPI_E_UNABLE_TO_ABORT`; not queued → `MAPI_E_NOT_IN_QUEUE`;
   * unknown → `MAPI_E_NOT_FOUND`.
   */
  abortSubmit(entryId: EntryIdInput): Promise<void>;
  /** The outgoing queue in ascending submit order. */
  outgoingQueue(): Promise<QueueRow[]>;
  /** A folder's messages (by name or folder entry id), newest first. */
  contents(folder: FolderName | EntryIdInput): Promise<ContentsRow[]>;
  /** Deletes a message; queued → `MAPI_E_SUBMITTED`. */
  deleteMessage(entryId: EntryIdInput): Promise<void>;
  /** Adds a loosely coupled transport for the spooler (used in registration order). */
  registerTransport(transport: Transport): void;
  /**
   * Resolves when no message in the (shared) queue is eligible to go now (each is sent,
   * failed, or waiting for a deferred or retry time), with how many are still queued and
   * when the earliest of them becomes due (null when none is queued).
   */
  flush(): Promise<FlushResult>;
  /**
   * Messages (all, or the one given) waiting for a retry after a failed attempt become due
   * at once (a deferred send time is kept); resolves with how many. Also done by itself
   * when the browser comes back online. Unknown → `MAPI_E_NOT_FOUND`; not queued →
   * `MAPI_E_NOT_IN_QUEUE`.
   */
  retryNow(entryId?: EntryIdInput): Promise<number>;
  /**
   * "Send now": a queued, unlocked message goes at once (its undo window, send-later time
   * and retry wait end now). Already with a transport → resolves. Unknown →
   * `MAPI_E_NOT_FOUND`; not queued → `MAPI_E_NOT_IN_QUEUE`.
   */
  sendNow(entryId: EntryIdInput): Promise<void>;
  /** The backend this store was opened with. */
  readonly backend: "memory" | "indexeddb";
  /** The Background Sync tag this store registers, if `backgroundSync` was given. */
  readonly backgroundSyncTag: string | undefined;
  /** Listens to a store event; events fire in every store object open on the same database. */
  addEventListener<K extends StoreEventType>(type: K, listener: StoreEventListener<K>): void;
  /** Stops listening. */
  removeEventListener<K extends StoreEventType>(type: K, listener: StoreEventListener<K>): void;
  /** Closes the store. */
  close(): Promise<void>;
  /** Damages the persisted copy so that the next submit of it meets `MAPI_E_CORRUPT_DATA` (tests and demos). */
  corruptRecordForTesting(entryId: EntryIdInput): Promise<void>;
  /** Releases the wasm memory of this store object; a second call does nothing. */
  free(): void;
}
