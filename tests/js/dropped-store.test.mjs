// A Store dropped without close() and garbage-collected while one of its timers is pending
// must not kill the process (issue 11, item 2): no timer or callback of a store runs after
// the store is freed.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

const run = promisify(execFile);

test("stores dropped with a deferred message or a retry wait pending are collected without killing Node", async () => {
  const child = fileURLToPath(new URL("./fixtures/dropped-store.mjs", import.meta.url));
  const { stdout, stderr } = await run(process.execPath, ["--expose-gc", child], { timeout: 30_000 }).catch((e) => {
    assert.fail(`the child process died (exit ${e.code}): ${e.stderr || e.message}`);
  });
  assert.equal(stdout.trim(), "alive", stderr);
  assert.doesNotMatch(stderr, /closure invoked|dropped|unreachable/i);
});
