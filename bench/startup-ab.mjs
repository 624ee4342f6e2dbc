// Start-up A/B: two pages (PAGES=a.html,b.html under bench/page/, default startup.html and
// _old.html) alternately, each sample a fresh Chromium; prints medians and the per-pair ratio.
// Used for the bundled-entry and flattened-import experiments in bench/profiles.json.
import { launchChromium } from "../tests/support/browser.mjs";
import { benchServerOnly } from "./server.mjs";
const N = Number(process.env.N ?? 8);
const pages = (process.env.PAGES ?? "startup.html,_old.html").split(",");
const server = await benchServerOnly();
const out = Object.fromEntries(pages.map((p) => [p, []]));
for (let i = 0; i < N; i++) {
  for (const p of i % 2 ? [...pages].reverse() : pages) {
    const browser = await launchChromium();
    try {
      await browser.page.goto(`${server.url}${p}?backend=${process.env.BACKEND ?? "memory"}`);
      await browser.page.locator("body[data-ready=true]").waitFor({ state: "attached", timeout: 30_000 });
      out[p].push(await browser.page.evaluate(() => window.startup));
    } finally {
      await browser.close();
    }
  }
}
await server.close();
const med = (xs) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)];
for (const p of pages) {
  const xs = out[p];
  console.log(p.padEnd(14), "import", med(xs.map((x) => x.importMs)).toFixed(1), "open", med(xs.map((x) => x.openMs)).toFixed(1), "total", med(xs.map((x) => x.totalMs)).toFixed(1));
}
const ratios = out[pages[0]].map((x, i) => x.totalMs / out[pages[1]][i].totalMs);
console.log("median per-pair ratio", pages[0], "/", pages[1], med(ratios).toFixed(2));
