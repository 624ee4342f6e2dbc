// `node:assert/strict` for the browser: the npm package `assert` ("The assert module from
// Node.js, for the browser"), bundled at test time by esbuild into one ES module whose
// default export is `require("assert").strict` and whose named exports are that object's
// members (ok, equal, deepEqual, match, throws, rejects, AssertionError, strict, ...).
//
// `assert` needs the `process` global (its README: bundlers that do not polyfill Node's
// globals must be given one); esbuild injects the npm package `process` for it.
// Used by tests/browser/jsuite.test.mjs (served to the pages through the import map of
// tests/browser/jsuite/index.html) and tests/browser/jsuite-shims.test.mjs (checked against
// Node's own node:assert/strict). Nothing generated here is committed.
import { createRequire } from "node:module";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { build } from "esbuild";

const require = createRequire(import.meta.url);

/** The bundle's file name in its folder (the import map of tests/browser/jsuite/index.html names it). */
export const ASSERT_BUNDLE_FILE = "assert-strict.mjs";

/**
 * Bundles `assert`'s strict variant into a fresh folder under $TMPDIR.
 * Resolves with { dir, file, close() }; close() deletes the folder.
 */
export async function buildAssertBundle() {
  // The named exports are whatever the package's strict object has, read here in Node.
  const names = Object.keys(require("assert").strict).filter((n) => /^[A-Za-z_$][\w$]*$/.test(n));
  const dir = await mkdtemp(join(tmpdir(), "mapi-outbox-assert-"));
  const file = join(dir, ASSERT_BUNDLE_FILE);
  try {
    // esbuild's `inject` takes ES modules' exports: name the CommonJS package's export.
    const processGlobal = join(dir, "inject-process.mjs");
    await writeFile(processGlobal, 'export { default as process } from "process/browser.js";\n');
    await build({
      stdin: {
        contents: [
          'import assertModule from "assert";',
          "const assertStrict = assertModule.strict;",
          "export default assertStrict;",
          `export const { ${names.join(", ")} } = assertStrict;`,
        ].join("\n"),
        resolveDir: dir,
        sourcefile: "node-assert-strict.mjs",
        loader: "js",
      },
      nodePaths: [join(require.resolve("assert/package.json"), "..", "..")],
      bundle: true,
      format: "esm",
      platform: "browser",
      target: "es2022",
      inject: [processGlobal],
      outfile: file,
      logLevel: "error",
    });
    await rm(processGlobal);
  } catch (err) {
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
  return { dir, file, close: () => rm(dir, { recursive: true, force: true }) };
}
