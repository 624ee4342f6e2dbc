// Smoke tests of the package as users get it: `npm pack`, install the tarball (offline) into
// a throwaway project, then use "mapi-outbox" by name in Node, in tsc, and in headless
// Chromium through an import map. Needs a built pkg/ (`npm run build`).
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { startStaticServer } from "../../scripts/static-server.mjs";
import { collectPageErrors, launchChromium } from "../support/browser.mjs";

const run = promisify(execFile);
const here = dirname(fileURLToPath(import.meta.url));
const repo = join(here, "..", "..");
const npm = process.platform === "win32" ? "npm.cmd" : "npm";
const quietNpm = ["--no-audit", "--no-fund", "--loglevel=error", "--no-update-notifier"];

let work; // temp folder: the tarball and the throwaway project
let project;
let tarball;
let packed; // npm pack --json report

before(async () => {
  if (!existsSync(join(repo, "pkg", "mapi_outbox_bg.wasm"))) {
    throw new Error("pkg/mapi_outbox_bg.wasm is missing: run `npm run build` first");
  }
  work = await mkdtemp(join(tmpdir(), "mapi-outbox-pack-"));
  const { stdout } = await run(npm, ["pack", "--json", "--pack-destination", work, ...quietNpm], {
    cwd: repo,
    maxBuffer: 16 << 20,
  });
  [packed] = JSON.parse(stdout.slice(stdout.indexOf("[")));
  tarball = join(work, packed.filename);
  assert.ok(existsSync(tarball), `npm pack made ${tarball}`);

  project = join(work, "project");
  await mkdir(project);
  await writeFile(
    join(project, "package.json"),
    JSON.stringify({ name: "smoke-consumer", version: "1.0.0", private: true, type: "module" }, null, 2),
  );
  // The package has no dependencies, so installing the tarball needs no registry.
  await run(npm, ["install", "--offline", "--no-package-lock", ...quietNpm, tarball], {
    cwd: project,
    maxBuffer: 16 << 20,
  });
  await copyFile(join(here, "example.mjs"), join(project, "example.mjs"));
});

after(async () => {
  if (work && !process.env.KEEP_TEST_TMP) await rm(work, { recursive: true, force: true });
});

test("the tarball holds the entry points, the declarations and the wasm, and nothing else", () => {
  const files = packed.files.map((f) => f.path).sort();
  for (const f of [
    "package.json",
    "README.md",
    "CHANGELOG.md",
    "js/index.js",
    "js/node.js",
    "js/common.js",
    "js/index.d.ts",
    "pkg/browser.js",
    "pkg/mapi_outbox.js",
    "pkg/mapi_outbox_bg.wasm",
  ]) {
    assert.ok(files.includes(f), `${f} is in the tarball (have: ${files.join(", ")})`);
  }
  const stray = files.filter((f) => !/^(package\.json|README\.md|CHANGELOG\.md|BENCHMARKS\.md|LICENSE[^/]*|docs\/(API|ARCHITECTURE|DECISIONS)\.md|docs\/outbox\.png|js\/.*|pkg\/(browser\.js|mapi_outbox(\.js|_bg\.wasm)))$/.test(f));
  assert.deepEqual(stray, [], "no files beyond the package's own");
  assert.equal(packed.name, "mapi-outbox");
});

test("the installed package.json resolves by name with the documented exports", async () => {
  const pkg = JSON.parse(await readFile(join(project, "node_modules", "mapi-outbox", "package.json"), "utf8"));
  assert.equal(pkg.type, "module");
  // The entries patch Store.open at module load (wasm init on first use). With
  // "sideEffects": false, Rollup (so Vite's production build) drops that call when a user
  // imports only re-exported names, and Store.open then runs on an uninitialized module.
  assert.deepEqual(pkg.sideEffects, ["./pkg/browser.js", "./js/index.js", "./js/node.js"]);
  assert.deepEqual(Object.keys(pkg.exports["."]), ["types", "node", "default"]);
  // Browsers and bundlers get the one-module browser entry (start-up: BENCHMARKS.md §7).
  assert.equal(pkg.exports["."].default, "./pkg/browser.js");
  assert.equal(pkg.module, "./pkg/browser.js");
  const { stdout } = await run(
    process.execPath,
    ["--input-type=module", "-e", 'console.log(import.meta.resolve("mapi-outbox"))'],
    { cwd: project },
  );
  assert.match(stdout.trim(), /\/node_modules\/mapi-outbox\/js\/node\.js$/);
});

test("Node: import \"mapi-outbox\" by name and run the issue-2 example", async () => {
  const script = join(project, "smoke-node.mjs");
  await writeFile(
    script,
    [
      'import * as mod from "mapi-outbox";',
      'import { runExample } from "./example.mjs";',
      "const report = await runExample(mod);",
      "console.log(JSON.stringify(report));",
    ].join("\n"),
  );
  const { stdout, stderr } = await run(process.execPath, [script], { cwd: project, timeout: 60_000 });
  const report = JSON.parse(stdout.trim().split("\n").at(-1));
  assert.ok(report.ok, `example failed in Node: ${report.error}\n${report.stack}\nstderr: ${stderr}`);
  assert.ok(report.steps.length > 20, `ran all steps (${report.steps.length})`);
});

test("TypeScript: a strict consumer type-checks against the installed declarations", async () => {
  await copyFile(join(repo, "tests", "types", "consumer.ts"), join(project, "consumer.ts"));
  await writeFile(
    join(project, "tsconfig.json"),
    JSON.stringify(
      {
        compilerOptions: {
          target: "ES2022",
          module: "NodeNext",
          moduleResolution: "NodeNext",
          lib: ["ES2022", "DOM"],
          strict: true,
          noEmit: true,
          skipLibCheck: false,
          types: [],
        },
        files: ["consumer.ts"],
      },
      null,
      2,
    ),
  );
  const tsc = join(repo, "node_modules", "typescript", "bin", "tsc");
  try {
    await run(process.execPath, [tsc, "-p", project], { cwd: project, timeout: 120_000 });
  } catch (err) {
    assert.fail(`tsc failed:\n${err.stdout}${err.stderr}`);
  }
});

describe("Chromium: the browser entry through an import map", () => {
  let server;
  let browser;

  before(async () => {
    // The import map points where a bundler or CDN resolving the package by name goes: the
    // "default" condition of exports["."] in the installed package.json.
    const pkg = JSON.parse(await readFile(join(project, "node_modules", "mapi-outbox", "package.json"), "utf8"));
    const browserEntry = pkg.exports["."].default.replace(/^\.\//, "");
    await writeFile(
      join(project, "smoke.html"),
      `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>mapi-outbox smoke</title>
<script type="importmap">
{ "imports": { "mapi-outbox": "/node_modules/mapi-outbox/${browserEntry}" } }
</script>
<script type="module" src="/smoke-browser.mjs"></script>
</head>
<body>smoke</body>
</html>
`,
    );
    await writeFile(
      join(project, "smoke-browser.mjs"),
      [
        'import { runExample } from "./example.mjs";',
        "window.__smoke = import(\"mapi-outbox\").then(runExample, (err) => ({ ok: false, steps: [], error: `import failed: ${err}`, stack: String(err?.stack) }));",
      ].join("\n"),
    );
    server = await startStaticServer({ mounts: { "/": project } });
    browser = await launchChromium();
  });

  after(async () => {
    await browser?.close();
    await server?.close();
  });

  test("runs the issue-2 example under a strict CSP, without console errors", async () => {
    const { page } = browser;
    const errors = collectPageErrors(page);
    let wasmType;
    const packageScripts = [];
    page.on("response", (res) => {
      if (res.url().endsWith(".wasm")) wasmType = res.headers()["content-type"];
      else if (res.url().includes("/node_modules/mapi-outbox/")) packageScripts.push(new URL(res.url()).pathname);
    });
    const res = await page.goto(`${server.url}smoke.html`);
    assert.equal(res.status(), 200);
    assert.match(res.headers()["content-security-policy"], /script-src 'self' 'wasm-unsafe-eval'/);
    await page.waitForFunction(() => window.__smoke !== undefined, null, { timeout: 30_000 });
    const report = await page.evaluate(() => window.__smoke);
    assert.ok(report.ok, `example failed in Chromium: ${report.error}\n${report.stack}\npage errors: ${errors.join("\n")}`);
    assert.ok(report.steps.length > 20, `ran all steps (${report.steps.length})`);
    assert.equal(wasmType, "application/wasm", "the .wasm was fetched relative to the browser entry");
    assert.deepEqual(packageScripts, ["/node_modules/mapi-outbox/pkg/browser.js"], "the browser entry is one module: no further requests before the .wasm");
    assert.deepEqual(errors, [], "no console errors, page errors or failed requests");
  });
});
