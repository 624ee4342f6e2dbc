// A browser stand-in for `node:test`, for running tests/js/*.test.mjs in Chromium
// (tests/browser/jsuite.test.mjs). The import map of ./index.html maps "node:test" here;
// Node never loads this file for tests/js (it has the real module).
//
// What tests/js uses, with node:test's semantics:
//   test(name, [options], fn) — top-level tests, run one after the other in the order they
//     were declared; fn(t) may be sync or async (or take a `done` callback as 2nd argument);
//     options: skip, todo, timeout. test.skip / test.todo / test.only (only runs like test,
//     as in Node without --test-only).
//   t.name, t.signal (aborted when the test ends or times out), t.after(fn) (run after the
//     test, in the order added; a throwing hook fails the test), t.diagnostic, t.skip(),
//     t.todo().
//   before / after / beforeEach / afterEach at file level. A failing `before` fails every
//     test, as in Node.
// Subtests (t.test), mocks, t.plan and describe/it are not provided: a test using them
// fails ("... is not a function"/"not supported") rather than passing unchecked.
// The page's runner (./runner.mjs) calls `run()` of the default runner once the test file
// has been imported, and reports each result to Node.

const DEFAULT_TIMEOUT_MS = 60_000;

function errorText(e) {
  if (e instanceof Error) {
    const stack = typeof e.stack === "string" ? e.stack : "";
    const head = `${e.name}: ${e.message}`;
    const extra = [];
    if (e.code !== undefined) extra.push(`code: ${String(e.code)}`);
    if (e.codeName !== undefined) extra.push(`codeName: ${String(e.codeName)}`);
    const body = stack.includes(e.message) ? stack : `${head}\n${stack}`;
    return extra.length ? `${body}\n(${extra.join(", ")})` : body;
  }
  try {
    return `non-Error thrown: ${typeof e === "string" ? JSON.stringify(e) : String(e)}`;
  } catch {
    return `non-Error thrown (${typeof e})`;
  }
}

function normalize(nameOrFn, optionsOrFn, maybeFn) {
  let name = nameOrFn;
  let options = optionsOrFn;
  let fn = maybeFn;
  if (typeof name === "function") {
    fn = name;
    options = {};
    name = fn.name || "<anonymous>";
  } else if (typeof name === "object" && name !== null) {
    fn = optionsOrFn;
    options = name;
    name = fn?.name || "<anonymous>";
  } else if (typeof options === "function") {
    fn = options;
    options = {};
  }
  options ??= {};
  fn ??= () => {};
  return { name: String(name), options, fn };
}

class TestContext {
  #test;
  #controller = new AbortController();
  constructor(test) {
    this.#test = test;
    this.afterHooks = [];
  }
  get name() {
    return this.#test.name;
  }
  get signal() {
    return this.#controller.signal;
  }
  abort(reason) {
    this.#controller.abort(reason);
  }
  after(fn) {
    this.afterHooks.push(fn);
  }
  diagnostic(message) {
    (this.#test.diagnostics ??= []).push(String(message));
  }
  skip(message) {
    this.#test.skipped = message ?? true;
  }
  todo(message) {
    this.#test.todo = message ?? true;
  }
  test() {
    throw new Error("subtests (t.test) are not supported by the browser shim of node:test");
  }
  plan() {
    throw new Error("t.plan is not supported by the browser shim of node:test");
  }
}

/** Calls `fn(t)` (or `fn(t, done)`), settling with its outcome; rejects on timeout or `uncaught`. */
function callTest(fn, t, timeoutMs, uncaught) {
  return new Promise((resolve, reject) => {
    let timer;
    if (Number.isFinite(timeoutMs)) {
      timer = setTimeout(() => reject(new Error(`test timed out after ${timeoutMs} ms`)), timeoutMs);
    }
    const finish = (err, failed) => {
      clearTimeout(timer);
      if (failed) reject(err);
      else resolve();
    };
    uncaught.current = (err) => finish(err, true);
    try {
      if (fn.length >= 2) {
        const r = fn.call(t, t, (err) => (err ? finish(err, true) : finish(undefined, false)));
        if (r && typeof r.then === "function") {
          finish(new Error("a test with a done callback must not return a promise"), true);
        }
      } else {
        Promise.resolve(fn.call(t, t)).then(
          () => finish(undefined, false),
          (err) => finish(err, true),
        );
      }
    } catch (err) {
      finish(err, true);
    }
  });
}

export function createRunner() {
  const tests = [];
  const hooks = { before: [], after: [], beforeEach: [], afterEach: [] };
  const uncaught = { current: null, pending: [] };

  function test(...args) {
    tests.push(normalize(...args));
  }
  test.skip = (...args) => {
    const t = normalize(...args);
    t.options = { ...t.options, skip: t.options.skip ?? true };
    tests.push(t);
  };
  test.todo = (...args) => {
    const t = normalize(...args);
    t.options = { ...t.options, todo: t.options.todo ?? true };
    tests.push(t);
  };
  test.only = test;

  const hook = (kind) => (fn) => {
    hooks[kind].push(fn);
  };

  async function runHooks(list, ...args) {
    for (const fn of list) await fn(...args);
  }

  /**
   * Runs the declared tests. `report(result)` gets { name, status: pass|fail|skip|todo,
   * error?, reason?, ms } for each test, in order; `exclude` maps test names to the reason
   * they are kept out of this run (reported as skipped).
   */
  async function run({ report, exclude = {}, timeoutMs = DEFAULT_TIMEOUT_MS } = {}) {
    let beforeError = null;
    try {
      await runHooks(hooks.before);
    } catch (e) {
      beforeError = e;
    }
    for (const entry of tests) {
      const { name, options, fn } = entry;
      const started = Date.now();
      const done = async (status, extra = {}) => {
        await report({ name, status, ms: Date.now() - started, ...extra });
      };
      if (Object.prototype.hasOwnProperty.call(exclude, name)) {
        await done("skip", { reason: `excluded from the browser run: ${exclude[name]}` });
        continue;
      }
      if (options.skip) {
        await done("skip", { reason: typeof options.skip === "string" ? options.skip : undefined });
        continue;
      }
      if (beforeError) {
        await done("fail", { error: `the file's before hook failed: ${errorText(beforeError)}` });
        continue;
      }
      const t = new TestContext(entry);
      let error = null;
      const fail = (e) => {
        error ??= e;
      };
      try {
        await runHooks(hooks.beforeEach, t);
        await callTest(fn, t, options.timeout ?? timeoutMs, uncaught);
      } catch (e) {
        fail(e);
      }
      uncaught.current = null;
      t.abort(new Error("the test has ended"));
      for (const h of t.afterHooks) {
        try {
          await h(t);
        } catch (e) {
          fail(e);
        }
      }
      try {
        await runHooks(hooks.afterEach, t);
      } catch (e) {
        fail(e);
      }
      const diag = entry.diagnostics?.length ? { diagnostics: entry.diagnostics } : {};
      if (entry.skipped) await done("skip", { reason: typeof entry.skipped === "string" ? entry.skipped : undefined, ...diag });
      else if (options.todo || entry.todo) await done("todo", { error: error ? errorText(error) : undefined, ...diag });
      else if (error) await done("fail", { error: errorText(error), ...diag });
      else await done("pass", diag);
    }
    let afterError = null;
    try {
      await runHooks(hooks.after);
    } catch (e) {
      afterError = e;
    }
    return { afterError: afterError && errorText(afterError), declared: tests.map((t) => t.name) };
  }

  /** An uncaught error or unhandled rejection: fails the running test (as node:test does). */
  function reportUncaught(err) {
    if (uncaught.current) {
      uncaught.current(err);
      return true;
    }
    return false;
  }

  return {
    test,
    before: hook("before"),
    after: hook("after"),
    beforeEach: hook("beforeEach"),
    afterEach: hook("afterEach"),
    run,
    reportUncaught,
    tests,
  };
}

export { errorText };

/** The runner the test files register with (through `import ... from "node:test"`). */
export const defaultRunner = createRunner();
export const test = defaultRunner.test;
export const before = defaultRunner.before;
export const after = defaultRunner.after;
export const beforeEach = defaultRunner.beforeEach;
export const afterEach = defaultRunner.afterEach;
export default test;
