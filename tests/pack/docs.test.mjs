// The docs as a reader of the npm package gets them: pack the package, install the tarball
// into a throwaway project, then
// - run every ```js block of the packed README.md and docs/API.md there, as its own module
//   importing "mapi-outbox" by name, with a 30 s timeout, and require exit code 0 (a block
//   marked ```js norun: <reason> is skipped, and must say why); a `//=> <output>` comment
//   on a console.log line (or alone on the line after it) is checked against what it prints;
// - check that every relative link and image of the packed Markdown files names a file in
//   the package, and every #anchor a heading of the file it points to.
// Needs a built pkg/ (`npm run build`).
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, normalize, relative, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

const run = promisify(execFile);
const repo = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const quietNpm = ["--no-audit", "--no-fund", "--loglevel=error", "--no-update-notifier"];
const DOCS = ["README.md", "docs/API.md"];

let work;
let project;
let installed; // node_modules/mapi-outbox of the throwaway project

before(async () => {
  if (!existsSync(join(repo, "pkg", "mapi_outbox_bg.wasm"))) {
    throw new Error("pkg/mapi_outbox_bg.wasm is missing: run `npm run build` first");
  }
  work = await mkdtemp(join(tmpdir(), "mapi-outbox-docs-"));
  const { stdout } = await run("npm", ["pack", "--json", "--pack-destination", work, ...quietNpm], {
    cwd: repo,
    maxBuffer: 16 << 20,
  });
  const [packed] = JSON.parse(stdout.slice(stdout.indexOf("[")));
  project = join(work, "project");
  await mkdir(project);
  await writeFile(join(project, "package.json"), JSON.stringify({ name: "docs-reader", private: true, type: "module" }));
  await run("npm", ["install", "--offline", "--no-package-lock", ...quietNpm, join(work, packed.filename)], {
    cwd: project,
    maxBuffer: 16 << 20,
  });
  installed = join(project, "node_modules", "mapi-outbox");
});

after(async () => {
  if (work && !process.env.KEEP_TEST_TMP) await rm(work, { recursive: true, force: true });
});

/** The fenced code blocks of a Markdown text: { info, code, line }. */
function codeBlocks(md) {
  const blocks = [];
  const lines = md.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const open = /^```(.*)$/.exec(lines[i]);
    if (!open) continue;
    const start = i;
    const body = [];
    for (i++; i < lines.length && !/^```\s*$/.test(lines[i]); i++) body.push(lines[i]);
    blocks.push({ info: open[1].trim(), code: body.join("\n"), line: start + 1 });
  }
  return blocks;
}

/** GitHub's anchor for a heading text. */
function slug(heading) {
  return heading
    .trim()
    .toLowerCase()
    .replace(/`/g, "")
    .replace(/[^\p{L}\p{N}\s_-]/gu, "")
    .replace(/\s/g, "-");
}

/** The text outside fenced code blocks. */
function prose(md) {
  return md.replace(/^```[\s\S]*?^```\s*$/gm, "");
}

/** The anchors of a Markdown file's headings (a repeated heading gets -1, -2, ... as on GitHub). */
function anchors(md) {
  const out = new Set();
  for (const m of prose(md).matchAll(/^#{1,6}\s+(.+?)\s*#*\s*$/gm)) {
    const base = slug(m[1]);
    let a = base;
    for (let n = 1; out.has(a); n++) a = `${base}-${n}`;
    out.add(a);
  }
  return out;
}

/** Link targets of a Markdown text: inline links and images, reference definitions, HTML src/href. */
function linkTargets(md) {
  const text = prose(md);
  return [
    ...[...text.matchAll(/!?\[[^\]]*\]\(<?([^)\s>]+)>?(?:\s+"[^"]*")?\)/g)].map((m) => m[1]),
    ...[...text.matchAll(/^\s*\[[^\]]+\]:\s*<?(\S+?)>?(?:\s|$)/gm)].map((m) => m[1]),
    ...[...text.matchAll(/<(?:img|a|source)\s[^>]*?(?:src|href|srcset)\s*=\s*["']([^"']+)["']/gi)].map((m) => m[1]),
  ];
}

/** Every Markdown file of the installed package (but node_modules). */
async function packedMarkdown() {
  const all = await readdir(installed, { recursive: true });
  return all.map((f) => f.split(sep).join("/")).filter((f) => f.endsWith(".md") && !f.startsWith("node_modules/")).sort();
}

test("the package ships the docs it links (README.md, docs/API.md, docs/DECISIONS.md, BENCHMARKS.md)", async () => {
  for (const f of [...DOCS, "docs/DECISIONS.md", "docs/outbox.png", "BENCHMARKS.md", "CHANGELOG.md"]) {
    assert.ok(existsSync(join(installed, f)), `${f} is in the package`);
  }
  const md = await packedMarkdown();
  for (const f of ["README.md", "docs/API.md", "docs/DECISIONS.md", "BENCHMARKS.md", "CHANGELOG.md"]) {
    assert.ok(md.includes(f), `${f} is found among the packed Markdown files (${md.join(", ")})`);
  }
});

test("every relative link and image of the packed Markdown resolves inside the package", async () => {
  const mdFiles = await packedMarkdown();
  const broken = [];
  let checked = 0;
  for (const file of mdFiles) {
    const md = await readFile(join(installed, file), "utf8");
    for (const target of linkTargets(md)) { // links inside code blocks are code, not links
      if (/^[a-z][a-z0-9+.-]*:/i.test(target)) continue; // absolute (https:, mailto:)
      checked++;
      const [path, anchor] = decodeURI(target).split("#");
      const resolved = path ? normalize(join(dirname(join(installed, file)), path)) : join(installed, file);
      if (relative(installed, resolved).startsWith("..")) {
        broken.push(`${file}: ${target} points outside the package`);
        continue;
      }
      if (!existsSync(resolved)) {
        broken.push(`${file}: ${target} is not in the package`);
        continue;
      }
      if (anchor && resolved.endsWith(".md")) {
        const have = anchors(await readFile(resolved, "utf8"));
        if (!have.has(anchor)) broken.push(`${file}: #${anchor} is no heading of ${relative(installed, resolved)}`);
      }
    }
  }
  assert.ok(checked > 5, `links were found (${checked})`);
  assert.deepEqual(broken, []);
});

/** The `{ ... }` body of `export [declare] <kind> <name>` in a declaration file. */
function declBody(dts, kind, name) {
  const m = new RegExp(`export (?:declare )?${kind} ${name}\\b[^{]*\\{`).exec(dts);
  assert.ok(m, `index.d.ts declares ${kind} ${name}`);
  let depth = 1;
  let i = m.index + m[0].length;
  const start = i;
  for (; depth > 0 && i < dts.length; i++) {
    if (dts[i] === "{") depth++;
    else if (dts[i] === "}") depth--;
  }
  return dts.slice(start, i - 1);
}

/** The names of a declaration body's own members (not those of nested object types). */
function declMembers(body) {
  const out = new Set();
  let depth = 0;
  for (const raw of body.split("\n")) {
    const line = raw.replace(/\/\*.*?\*\/|\/\/.*$/g, "");
    if (depth === 0 && !/^\s*\*/.test(raw)) {
      const m = /^\s*(?:static\s+)?(?:readonly\s+)?([A-Za-z_]\w*)\??\s*[(<:]/.exec(line);
      if (m && m[1] !== "constructor") out.add(m[1]);
    }
    for (const ch of line) {
      if (ch === "{" || ch === "(") depth++;
      else if (ch === "}" || ch === ")") depth--;
    }
  }
  return [...out];
}

test("docs/API.md names every export, member, option, row column, event and error code of the declarations", async (t) => {
  const dts = await readFile(join(installed, "js", "index.d.ts"), "utf8");
  const api = await readFile(join(installed, "docs", "API.md"), "utf8");
  const named = (word) => new RegExp(`(^|[^\\w])${word}([^\\w]|$)`).test(api);
  const exports = [...dts.matchAll(/^export declare (?:const|function|class) (\w+)/gm)].map((m) => m[1]);
  assert.ok(exports.length >= 11, `exports found (${exports})`);
  const missing = exports.filter((e) => !named(e));
  const groups = [
    ["class", "Store"], ["class", "Message"], ["class", "Attachment"], ["class", "MapiError"],
    ["const", "ErrorCode"], ["const", "MessageFlags"], ["const", "SubmitFlags"],
    ["interface", "StoreOptions"], ["interface", "StoreEventDetailMap"], ["interface", "Outgoing"],
    ["interface", "SendResult"], ["interface", "FailedRecipient"], ["interface", "FlushResult"],
    ["interface", "QueueRow"], ["interface", "ContentsRow"], ["interface", "Folders"],
    ["interface", "SaveChangesOptions"], ["interface", "OpenMessageOptions"],
    ["interface", "HttpTransportOptions"], ["interface", "JmapTransportOptions"], ["interface", "DrainOutboxOptions"],
    ["interface", "WritableMessageProps"], ["interface", "MessageProps"], ["interface", "WritableRecipientProps"],
    ["interface", "RecipientRow"], ["interface", "WritableAttachmentProps"], ["interface", "AttachmentProps"],
  ];
  let count = exports.length;
  for (const [kind, name] of groups) {
    for (const member of declMembers(declBody(dts, kind, name))) {
      count++;
      if (!named(member)) missing.push(`${name}.${member}`);
    }
  }
  t.diagnostic(`${count} declared names checked`);
  assert.ok(count > 150, `names checked (${count})`);
  assert.deepEqual(missing, [], "declared in js/index.d.ts but never named in docs/API.md");
});

/**
 * The block as the module to run: each `console.log(...);` whose line ends with, or is
 * followed by a line holding only, a `//=> <output>` comment becomes a call that prints the
 * same thing and throws unless it equals <output> (whitespace runs compared as one space).
 * Lines keep their numbers. Returns { source, checks }.
 */
export function instrument(code) {
  const lines = code.split("\n");
  let checks = 0;
  const check = (indent, args, expected, line) => {
    checks++;
    return `${indent}__docsExpect(${JSON.stringify(expected.trim())}, ${line}, ${args});`;
  };
  for (let i = 0; i < lines.length; i++) {
    let m = /^(\s*)console\.log\((.*)\);\s*\/\/=>(.*)$/.exec(lines[i]);
    if (m) {
      lines[i] = check(m[1], m[2], m[3], i + 1);
      continue;
    }
    m = /^(\s*)console\.log\((.*)\);\s*$/.exec(lines[i]);
    const next = /^\s*\/\/=>(.*)$/.exec(lines[i + 1] ?? "");
    if (m && next) lines[i] = check(m[1], m[2], next[1], i + 1);
  }
  if (checks === 0) return { source: code, checks };
  lines.push(
    'import { format as __docsFormat } from "node:util";',
    "function __docsExpect(expected, line, ...args) {",
    "  const got = __docsFormat(...args);",
    "  console.log(got);",
    '  const norm = (s) => s.replace(/\\s+/g, " ").trim();',
    "  if (norm(got) !== norm(expected)) {",
    "    throw new Error(`line ${line} of the block printed\\n  ${norm(got)}\\nbut its //=> comment says\\n  ${norm(expected)}`);",
    "  }",
    "}",
  );
  return { source: lines.join("\n"), checks };
}

test("a //=> comment is checked (the instrumenting itself)", () => {
  const { source, checks } = instrument('const a = 1;\nconsole.log(a, [a]); //=> 1 [ 1 ]\nconsole.log("x");\n//=> x\nconsole.log(2); // prose');
  assert.equal(checks, 2);
  assert.equal(source.split("\n")[1], '__docsExpect("1 [ 1 ]", 2, a, [a]);');
  assert.equal(source.split("\n")[2], '__docsExpect("x", 3, "x");');
  assert.equal(source.split("\n")[4], "console.log(2); // prose");
});

for (const file of DOCS) {
  // The blocks are read from the installed package (what a reader of it has), so each one
  // becomes a subtest once the package is installed.
  test(`the js examples of ${file} run against the installed package`, async (t) => {
    const md = await readFile(join(installed, file), "utf8");
    const blocks = codeBlocks(md).filter((b) => /^js\b/.test(b.info));
    const runnable = blocks.filter((b) => b.info === "js");
    assert.ok(runnable.length > 0, `${file} has at least one runnable js block`);
    for (const b of blocks) {
      if (b.info !== "js") {
        assert.match(b.info, /^js norun: \S/, `${file}:${b.line}: a skipped block says why (\`\`\`js norun: <reason>)`);
      }
    }
    let checked = 0;
    for (const b of runnable) {
      await t.test(`${file}:${b.line}`, async () => {
        const script = join(project, `example-${file.replace(/\W/g, "_")}-${b.line}.mjs`);
        const { source, checks } = instrument(b.code);
        checked += checks;
        await writeFile(script, source + "\n");
        try {
          await run(process.execPath, [script], { cwd: project, timeout: 30_000, maxBuffer: 4 << 20 });
        } catch (e) {
          assert.fail(`${file}:${b.line} failed (exit ${e.code ?? e.signal}):\n${e.stderr || e.message}`);
        }
      });
    }
    t.diagnostic(`${runnable.length} blocks run, ${blocks.length - runnable.length} marked norun, ${checked} //=> outputs checked`);
    if (file === "docs/API.md") assert.ok(checked >= 20, `API.md checks its printed outputs (${checked} //=> comments)`);
  });
}
