// The example of issue 2, verbatim, plus what it promises.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Store, MapiError, ErrorCode, MessageFlags } from "mapi-outbox";

test("issue 2 example: create, submit, undo send puts the message back in Drafts", async () => {
  const store = await Store.open({ identity: { email: "me@example.org" }, spooler: false });
  const msg = store.createMessage();
  msg.setProps({ PidTagSubject: "Отправка сообщения", PidTagBody: "..." });
  msg.modifyRecipients("add", [{ PidTagRecipientType: 1, PidTagEmailAddress: "a@example.org" }]);
  const id = msg.entryId;
  await msg.submit();            // queued; msg is now dead except free()
  await store.abortSubmit(id);   // undo send: back in Drafts

  // What the example promises.
  assert.deepEqual(await store.outgoingQueue(), []);
  assert.deepEqual(await store.contents("outbox"), []);
  const drafts = await store.contents("drafts");
  assert.equal(drafts.length, 1);
  assert.equal(drafts[0].entryId, id);
  assert.equal(drafts[0].PidTagSubject, "Отправка сообщения");
  assert.equal(drafts[0].PidTagMessageFlags, MessageFlags.UNSENT | MessageFlags.FROMME);
  assert.equal(drafts[0].PidTagMessageFlags, 0x28);

  let dead;
  try {
    msg.getProps();
  } catch (e) {
    dead = e;
  }
  assert.ok(dead instanceof MapiError);
  assert.equal(dead.code, ErrorCode.MAPI_E_INVALID_OBJECT);
  msg.free();

  const again = await store.openMessage(id);
  assert.deepEqual(again.getProps(["PidTagSubject", "PidTagBody"]), {
    PidTagSubject: "Отправка сообщения",
    PidTagBody: "...",
  });
  const [r] = again.getRecipients();
  assert.equal(r.PidTagEmailAddress, "a@example.org");
  assert.equal(r.PidTagRecipientType, 1);
  await again.submit();
  assert.deepEqual((await store.outgoingQueue()).map((row) => row.entryId), [id]);
  await store.close();
});
