// The issue-2 example, run against the installed package in Node and in Chromium alike.
// Plain ES module, no Node or DOM APIs: it gets the package's namespace as an argument and
// returns a JSON-able report { ok, steps, error? } instead of throwing, so the browser side
// can hand it back to the test unchanged.

export async function runExample(mod) {
  const steps = [];
  const check = (cond, what) => {
    if (!cond) throw new Error(`check failed: ${what}`);
    steps.push(what);
  };
  const expectMapiError = async (fn, codeName, what) => {
    let caught;
    try {
      await fn();
    } catch (err) {
      caught = err;
    }
    check(caught !== undefined, `${what}: throws`);
    check(caught instanceof mod.MapiError, `${what}: is a MapiError (got ${caught?.name}: ${caught?.message})`);
    check(caught instanceof Error, `${what}: is an Error`);
    check(caught.name === "MapiError", `${what}: name is "MapiError"`);
    check(caught.codeName === codeName, `${what}: codeName ${codeName} (got ${caught.codeName})`);
    check(caught.code === mod.ErrorCode[codeName], `${what}: code 0x${mod.ErrorCode[codeName].toString(16)}`);
    check(typeof caught.message === "string" && caught.message.length > 0, `${what}: has a message`);
    return caught;
  };

  try {
    const { Store, MapiError, ErrorCode, MessageFlags, SubmitFlags } = mod;
    for (const name of ["Store", "Message", "Attachment", "MapiError", "ErrorCode", "MessageFlags", "SubmitFlags"]) {
      check(mod[name] !== undefined, `exports ${name}`);
    }
    check(Object.isFrozen(ErrorCode), "ErrorCode is frozen");
    check(ErrorCode.MAPI_E_NO_RECIPIENTS === 0x80040607, "ErrorCode.MAPI_E_NO_RECIPIENTS value");
    check(MessageFlags.SUBMIT === 0x4 && MessageFlags.UNSENT === 0x8, "MessageFlags values");
    check(SubmitFlags.LOCKED === 0x1, "SubmitFlags values");

    const subject = "Отправка сообщения";
    const store = await Store.open({ identity: { email: "me@example.org" }, spooler: false });
    check(typeof store.folders.drafts === "string", "store.folders.drafts is an entry id");

    const msg = store.createMessage();
    msg.setProps({ PidTagSubject: subject, PidTagBody: "..." });
    msg.modifyRecipients("add", [{ PidTagRecipientType: 1, PidTagEmailAddress: "a@example.org" }]);
    const id = msg.entryId;
    check(typeof id === "string" && /^[0-9a-f]+$/.test(id), "entryId is lowercase hex");
    const flags0 = msg.getProps(["PidTagMessageFlags"]).PidTagMessageFlags;
    check((flags0 & MessageFlags.UNSENT) !== 0 && (flags0 & MessageFlags.SUBMIT) === 0, "new message: UNSENT, not SUBMIT");

    await msg.submit();
    let queue = await store.outgoingQueue();
    check(queue.length === 1 && queue[0].entryId === id, "submitted message is in the outgoing queue");
    check(queue[0].PidTagSubject === subject, "queue row carries the subject");
    check((queue[0].PidTagMessageFlags & MessageFlags.SUBMIT) !== 0, "queue row has SUBMIT set");
    check(queue[0].PidTagClientSubmitTime instanceof Date, "queue row has a submit time (Date)");

    await expectMapiError(() => msg.getProps(), "MAPI_E_INVALID_OBJECT", "dead message after submit");
    msg.free();
    msg.free(); // a second free() is harmless
    steps.push("free() twice after submit");

    await store.abortSubmit(id);
    queue = await store.outgoingQueue();
    check(queue.length === 0, "abortSubmit empties the queue");
    const drafts = await store.contents("drafts");
    check(drafts.some((r) => r.entryId === id), "the aborted message is back in Drafts");
    const back = await store.openMessage(id);
    const props = back.getProps(["PidTagSubject", "PidTagMessageFlags"]);
    check(props.PidTagSubject === subject, "reopened draft keeps its subject");
    check((props.PidTagMessageFlags & MessageFlags.SUBMIT) === 0, "SUBMIT cleared after abort");
    check((props.PidTagMessageFlags & MessageFlags.UNSENT) !== 0, "UNSENT kept after abort");
    back.free();

    // Errors from bad input: sync throws, async rejects, the store keeps working.
    const bad = store.createMessage();
    await expectMapiError(
      () => bad.modifyRecipients("add", [{ PidTagEmailAddress: "not an address" }]),
      "MAPI_E_INVALID_PARAMETER",
      "invalid address",
    );
    await expectMapiError(() => bad.setProps({ PidTagSubject: "a\r\nBcc: x@example.org" }), "MAPI_E_INVALID_PARAMETER", "CR/LF in subject");
    await expectMapiError(() => bad.submit(), "MAPI_E_NO_RECIPIENTS", "submit without recipients");
    bad.free();
    await expectMapiError(() => store.abortSubmit("not-hex"), "MAPI_E_INVALID_ENTRYID", "abortSubmit of a malformed id");
    const again = await store.openMessage(id);
    check(again.entryId === id, "store still works after the errors");
    again.free();

    const mine = new MapiError("MAPI_E_WAIT", "try later");
    check(mine instanceof Error && mine.code === 0x80040500 && mine.codeName === "MAPI_E_WAIT", "new MapiError(name)");
    const byNumber = new MapiError(ErrorCode.MAPI_E_NOT_ME);
    check(byNumber.codeName === "MAPI_E_NOT_ME", "new MapiError(number)");

    await store.close();
    await expectMapiError(() => store.outgoingQueue(), "MAPI_E_INVALID_OBJECT", "store after close()");
    return { ok: true, steps };
  } catch (err) {
    return { ok: false, steps, error: `${err?.name ?? "Error"}: ${err?.message ?? err}`, stack: String(err?.stack ?? "") };
  }
}
