// A TypeScript consumer of "mapi-outbox", type-checked (never run) with `tsc --strict
// --noEmit` by `npm test`: once against the repo (tests/types/tsconfig.json, resolving the
// package by name through its own "exports") and once inside a project that installed the
// packed tarball (tests/pack/). It uses every member of the public API the way a user
// would; the `@ts-expect-error` lines check that the declarations reject misuse.
import {
  Attachment,
  ErrorCode,
  MapiError,
  Message,
  MessageFlags,
  Store,
  SubmitFlags,
  type AttachmentProps,
  type AttachmentRow,
  type ContentsRow,
  type EntryId,
  type ErrorCodeName,
  type Folders,
  type MessageProps,
  type Outgoing,
  type QueueRow,
  type RecipientRow,
  type SendResult,
  type StoreEvent,
  type StoreOptions,
  type Transport,
  type HttpTransportError,
  type HttpTransportOptions,
  httpTransport,
  jmapTransport,
  init,
  drainOutbox,
  type FlushResult,
  type JmapTransportOptions,
} from "mapi-outbox";

async function issue2Example(): Promise<void> {
  const store: Store = await Store.open({ identity: { email: "me@example.org" }, spooler: false });
  const msg: Message = store.createMessage();
  msg.setProps({ PidTagSubject: "Отправка сообщения", PidTagBody: "..." });
  msg.modifyRecipients("add", [{ PidTagRecipientType: 1, PidTagEmailAddress: "a@example.org" }]);
  const id: EntryId = msg.entryId;
  await msg.submit();
  await store.abortSubmit(id);
  msg.free();
}

async function everything(): Promise<void> {
  const options: StoreOptions = {
    backend: "memory",
    name: "mapi-outbox",
    identity: { email: "me@example.org", name: "Me" },
    spooler: true,
    sendDelayMs: 5000,
    retry: { initialMs: 1000, maxMs: 300_000 },
    maxMessageSize: 25 * 1024 * 1024,
    maxRecipients: 500,
  };
  const store = await Store.open(options);
  await Store.open();

  // folders
  const folders: Folders = store.folders;
  const drafts: string = folders.drafts;
  const all: string[] = [folders.drafts, folders.outbox, folders.sent, folders.inbox];

  // message properties
  const msg = store.createMessage();
  msg.setProps({
    PidTagSubject: "Quarterly report",
    PidTagBody: "text",
    PidTagBodyHtml: "<p>html</p>",
    PidTagMessageClass: "IPM.Note",
    PidTagImportance: 2,
    PidTagPriority: 1,
    PidTagInternetMessageId: "<abc@example.org>",
    PidTagSenderName: "Me",
    PidTagSenderEmailAddress: "me@example.org",
    PidTagSentMailEntryId: new Uint8Array(36),
    PidTagDeleteAfterSubmit: false,
    PidTagDeferredSendTime: new Date(Date.now() + 60_000),
    PidTagDeferredSendNumber: 5,
    PidTagDeferredSendUnits: 0,
    PidTagDeferredDeliveryTime: new Date(),
    "0x8001001F": "a custom string",
    "0x80020003": 42,
    "0x8003000B": true,
    "0x80040040": new Date(),
    "0x80050102": new Uint8Array([1, 2, 3]),
    "0x80060014": 10n,
    "0x8007101F": ["a", "b"],
    "0x80081003": [1, 2],
  });
  const props: MessageProps = msg.getProps();
  const some = msg.getProps(["PidTagSubject", "PidTagMessageFlags", "0x8001001F"]);
  const subject: string | undefined = some.PidTagSubject;
  const flags: number = some.PidTagMessageFlags ?? 0;
  const custom = some["0x8001001F"];
  const isUnsent: boolean = (flags & MessageFlags.UNSENT) !== 0;
  const computed: [number?, number?, boolean?, string?, string?, string?, Uint8Array?, number?] = [
    props.PidTagMessageSize,
    props.PidTagSubmitFlags,
    props.PidTagHasAttachments,
    props.PidTagDisplayTo,
    props.PidTagDisplayCc,
    props.PidTagDisplayBcc,
    props.PidTagEntryId,
    props.PidTagMessageFlags,
  ];
  msg.deleteProps(["PidTagBodyHtml", "0x8001001F"]);

  // recipients
  msg.modifyRecipients("add", [
    { PidTagEmailAddress: "to@example.org" },
    { PidTagRecipientType: 2, PidTagDisplayName: "Cc Person", PidTagEmailAddress: "cc@example.org" },
    { PidTagRecipientType: 3, PidTagAddressType: "SMTP", PidTagEmailAddress: "bcc@example.org" },
  ]);
  const rows: RecipientRow[] = msg.getRecipients();
  const first = rows[0];
  const rowid: number = first.PidTagRowid;
  const email: string = first.PidTagEmailAddress;
  const responsible: boolean | undefined = first.PidTagResponsibility;
  msg.modifyRecipients("modify", [{ PidTagRowid: rowid, PidTagEmailAddress: "other@example.org", PidTagDisplayName: "Other" }]);
  msg.modifyRecipients("remove", [{ PidTagRowid: rowid }]);
  const fromVariable = { PidTagRecipientType: 1, PidTagEmailAddress: "var@example.org" };
  msg.modifyRecipients("add", [fromVariable]);
  const readonlyRows: readonly { PidTagEmailAddress: string }[] = [{ PidTagEmailAddress: "ro@example.org" }];
  msg.modifyRecipients("add", readonlyRows);
  msg.removeAllRecipients();

  // attachments
  const att: Attachment = msg.createAttach();
  att.setProps({
    PidTagAttachMethod: 1,
    PidTagAttachDataBinary: new TextEncoder().encode("hello"),
    PidTagAttachLongFilename: "hello.txt",
    PidTagAttachFilename: "HELLO.TXT",
    PidTagAttachMimeTag: "text/plain",
    PidTagAttachContentId: "part1@example.org",
  });
  const attProps: AttachmentProps = att.getProps();
  const attNumber: number | undefined = att.getProps(["PidTagAttachNumber"]).PidTagAttachNumber;
  const attSize: number | undefined = attProps.PidTagAttachSize;
  att.deleteProps(["PidTagAttachContentId"]);
  att.saveChanges();
  att.free();
  const attRows: AttachmentRow[] = msg.getAttachments();
  for (const row of attRows) {
    const n: number = row.PidTagAttachNumber;
    const size: number = row.PidTagAttachSize;
    const name: string | undefined = row.PidTagAttachLongFilename;
    const mime: string | undefined = row.PidTagAttachMimeTag;
    const opened = msg.openAttach(n);
    opened.free();
    void [size, name, mime];
  }
  msg.deleteAttach(attRows[0]?.PidTagAttachNumber ?? 0);

  // saving, MIME, submit
  await msg.saveChanges();
  await msg.saveChanges({ keepOpen: "readonly", force: true });
  const mime: Uint8Array = msg.toMime();
  const entryId = msg.entryId;
  await msg.submit();
  msg.free();

  // store calls
  const queue: QueueRow[] = await store.outgoingQueue();
  for (const row of queue) {
    const values: [string, Date, string, string, string, number, number, number, number] = [
      row.entryId,
      row.PidTagClientSubmitTime,
      row.PidTagDisplayTo,
      row.PidTagDisplayCc,
      row.PidTagDisplayBcc,
      row.PidTagMessageFlags,
      row.PidTagMessageSize,
      row.PidTagPriority,
      row.PidTagSubmitFlags,
    ];
    const locked: boolean = (row.PidTagSubmitFlags & SubmitFlags.LOCKED) !== 0;
    const preprocess: number = SubmitFlags.PREPROCESS;
    const optional: [string, string, Date | undefined] = [
      row.PidTagSenderName,
      row.PidTagSubject,
      row.PidTagDeferredSendTime,
    ];
    const retry: [number, string | null, Date | null] = [row.attempts, row.lastError, row.nextAttemptAt];
    void [values, locked, preprocess, optional, retry];
  }
  const readOnly = await store.openMessage(entryId, { access: "read" });
  readOnly.free();
  await store.openMessage(new Uint8Array(36));
  await store.abortSubmit(entryId);
  const contents: ContentsRow[] = await store.contents("drafts");
  await store.contents(folders.sent);
  for (const row of contents) {
    const v: [string, string, string, number, number, string, Date | undefined] = [
      row.entryId,
      row.PidTagSubject,
      row.PidTagMessageClass,
      row.PidTagMessageFlags,
      row.PidTagMessageSize,
      row.PidTagDisplayTo,
      row.PidTagClientSubmitTime,
    ];
    void v;
  }
  await store.corruptRecordForTesting(entryId);
  await store.deleteMessage(entryId);
  await store.flush();

  // events
  const onSubmitted = (event: StoreEvent<"submitted">): void => {
    const ids: [string, string] = [event.detail.entryId, event.detail.submissionId];
    void ids;
  };
  store.addEventListener("submitted", onSubmitted);
  store.removeEventListener("submitted", onSubmitted);
  store.addEventListener("queuechange", () => {});
  store.addEventListener("sending", (e) => {
    const t: string = e.detail.transport;
    void t;
  });
  store.addEventListener("sent", (e) => {
    const sentId: string | null = e.detail.sentEntryId;
    void [sentId, e.detail.submissionId, e.detail.entryId];
  });
  store.addEventListener("retry", (e) => {
    const r: [number, string, Date] = [e.detail.attempt, e.detail.error, e.detail.nextAttemptAt];
    void r;
  });
  store.addEventListener("aborted", { handleEvent: (e) => void e.detail.entryId });
  store.addEventListener("ndr", (e) => {
    for (const { email, reason } of e.detail.recipients) void [email, reason, e.detail.reportEntryId];
  });
  store.addEventListener("versionchange", (e) => {
    const v: [string, number, number | null] = [e.detail.name, e.detail.oldVersion, e.detail.newVersion];
    void v;
  });

  // transports (SPEC §6)
  const gateway: Transport = {
    name: "gateway",
    addressTypes: ["SMTP"],
    async send(outgoing: Outgoing, { signal }): Promise<SendResult | void> {
      const fields: [string, string, string, Uint8Array, string, readonly string[], number, boolean] = [
        outgoing.submissionId,
        outgoing.entryId,
        outgoing.messageId,
        outgoing.mime,
        outgoing.mailFrom,
        outgoing.rcptTo,
        outgoing.attempt,
        outgoing.possibleDuplicate,
      ];
      const recipientRows: readonly RecipientRow[] = outgoing.recipients;
      void [fields, recipientRows];
      if (signal.aborted) throw new MapiError("MAPI_E_CANCEL", "aborted");
      await fetch("https://gateway.example.org/send", { method: "POST", body: outgoing.mime, signal });
      if (outgoing.rcptTo.length > 10) {
        const wait = new MapiError(ErrorCode.MAPI_E_WAIT, "rate limited");
        wait.retryAfterMs = 30_000;
        throw wait;
      }
      return { failed: [{ email: "gone@example.org", reason: "550 no such user" }] };
    },
  };
  const silent: Transport = { name: "null", addressTypes: ["SMTP", "X400"], async send() {} };
  store.registerTransport(gateway);
  await Store.open({ transport: silent, transports: [gateway, silent] });

  const dbName: string = store.name;
  await store.close();
  store.free();

  void [dbName, drafts, all, subject, custom, isUnsent, computed, email, responsible, attNumber, attSize, mime];
}

function errors(err: unknown): void {
  if (err instanceof MapiError) {
    const code: number = err.code;
    const name: ErrorCodeName | `0x${string}` = err.codeName;
    if (err.codeName === "MAPI_E_NO_ACCESS") console.log("read-only");
    const asError: Error = err;
    const msgText: string = err.message;
    const literal: "MapiError" = err.name;
    if (err.code === ErrorCode.MAPI_E_NO_RECIPIENTS) console.log("add a recipient");
    void [code, name, asError, msgText, literal];
  }
  const byName = new MapiError("MAPI_E_NOT_ME");
  const byNumber = new MapiError(0x80040502, "not mine");
  const allCodes: number[] = Object.values(ErrorCode);
  const known: number | undefined = MapiError.codeOf(new Error("plain"));
  const knownName: ErrorCodeName = "MAPI_E_TOO_BIG";
  const flagValues: number[] = [
    MessageFlags.READ,
    MessageFlags.UNMODIFIED,
    MessageFlags.SUBMIT,
    MessageFlags.UNSENT,
    MessageFlags.HASATTACH,
    MessageFlags.FROMME,
    MessageFlags.RESEND,
  ];
  void [byName, byNumber, allCodes, flagValues, known, knownName];
}

async function misuse(store: Store, msg: Message): Promise<void> {
  // @ts-expect-error computed properties cannot be written
  msg.setProps({ PidTagMessageFlags: 1 });
  // @ts-expect-error PT_UNICODE takes a string
  msg.setProps({ PidTagSubject: 5 });
  // @ts-expect-error an "add" row needs PidTagEmailAddress
  msg.modifyRecipients("add", [{ PidTagDisplayName: "nobody" }]);
  // @ts-expect-error "remove" rows need a PidTagRowid
  msg.modifyRecipients("remove", [{}]);
  // @ts-expect-error unknown op
  msg.modifyRecipients("replace", []);
  // @ts-expect-error keepOpen takes "readwrite" | "readonly"
  await msg.saveChanges({ keepOpen: "write" });
  // @ts-expect-error access takes "readwrite" | "read"
  await store.openMessage("00", { access: "write" });
  // @ts-expect-error unknown folder name
  await store.contents(["drafts"]);
  // @ts-expect-error unknown backend
  await Store.open({ backend: "localStorage" });
  // @ts-expect-error unknown event
  store.addEventListener("delivered", () => {});
  // @ts-expect-error unknown error code name
  new MapiError("MAPI_E_NOPE");
  // @ts-expect-error constructors are not public
  new Store();
  // @ts-expect-error ErrorCode is read-only
  ErrorCode.MAPI_E_WAIT = 1;
  // @ts-expect-error entryId is read-only
  msg.entryId = "00";
  // @ts-expect-error sync methods do not return promises
  await msg.getProps().then;
}

async function http(): Promise<void> {
  // The reference transport (issue 4)
  const options: HttpTransportOptions = {
    url: "https://gateway.example.org/send",
    headers: { Authorization: "Bearer token" },
    name: "gateway",
    addressTypes: ["SMTP"],
  };
  const gateway: Transport = httpTransport(options);
  const minimal: Transport = httpTransport({ url: new URL("https://gateway.example.org/send") });
  const withFetch = httpTransport({
    url: "https://gateway.example.org/send",
    headers: [["X-Tenant", "a"]],
    fetch: (url, init) => fetch(url, init),
  });
  const store = await Store.open({ identity: { email: "me@example.org" }, transports: [gateway, minimal] });
  store.registerTransport(withFetch);
  try {
    const outgoing = {} as Outgoing;
    await gateway.send(outgoing, { signal: new AbortController().signal });
  } catch (err) {
    if (err instanceof MapiError) {
      const status: number = (err as HttpTransportError).status;
      const after: number | undefined = err.retryAfterMs;
      void [status, after];
    }
  }
  // @ts-expect-error url is required
  httpTransport({});
  // @ts-expect-error unknown option
  httpTransport({ url: "https://x.example/", timeout: 5 });
}

async function revision2(): Promise<void> {
  await init();
  await init(new Uint8Array(8));
  await init(fetch("/mapi_outbox_bg.wasm"));
  const options: JmapTransportOptions = {
    sessionUrl: "https://mail.example.org/jmap",
    headers: async () => ({ Authorization: "Bearer t" }),
    sentMailbox: null,
  };
  const jmap = jmapTransport(options);
  const n: number = jmap.requests;
  const store = await Store.open({ backend: "indexeddb", backgroundSync: { tag: "outbox" }, transports: [jmap] });
  const r: FlushResult = await store.flush();
  const when: Date | null = r.nextDueAt;
  const made: number = await store.retryNow();
  await store.retryNow(store.createMessage().entryId);
  await store.sendNow("00");
  const drained: { sent: number; remaining: number } = await drainOutbox({ name: "db", transports: [jmap], timeBudgetMs: 1000 });
  void [n, when, made, drained, r.remaining];
  // @ts-expect-error sessionUrl is required
  jmapTransport({});
  // @ts-expect-error sendNow needs an entry id
  await store.sendNow();
  // @ts-expect-error backgroundSync is a boolean or { tag }
  await Store.open({ backgroundSync: "yes" });
}

void [issue2Example, everything, errors, misuse, http, revision2];
