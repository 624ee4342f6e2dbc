// Firefox ESR and WebKitGTK (Safari's engine) for the browser tests, driven over classic
// WebDriver (a few HTTP calls, no npm driver): geckodriver for Firefox, WebKitWebDriver +
// MiniBrowser under Xvfb for WebKit (MiniBrowser has no headless mode). Each launch gets its
// own profile/cache/config folders under $TMPDIR, which scripts/test.sh deletes.
//
//   const b = await launchWebDriver("firefox" | "webkit");
//   await b.goto(url);            // navigates the session's window (waits for load)
//   await b.execute("return 1+1") // runs a script in the page
//   await b.close();
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { createServer } from "node:net";
import { homedir, tmpdir } from "node:os";
import { join } from "node:path";

export const FIREFOX_PATH = process.env.FIREFOX_PATH ?? "/usr/bin/firefox-esr";
export const GECKODRIVER_PATH = process.env.GECKODRIVER ?? join(homedir(), ".cargo", "bin", "geckodriver");
export const WEBKIT_DRIVER_PATH = "/usr/bin/WebKitWebDriver";
export const MINIBROWSER_PATH = "/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/MiniBrowser";

function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

/** Starts Xvfb on a free display; resolves { display, stop() }. */
function startXvfb() {
  return new Promise((resolve, reject) => {
    const p = spawn("Xvfb", ["-displayfd", "1", "-screen", "0", "1280x800x24", "-nolisten", "tcp"], {
      stdio: ["ignore", "pipe", "ignore"],
    });
    let out = "";
    p.once("error", reject);
    p.stdout.on("data", (d) => {
      out += d;
      const m = /^(\d+)\s*$/m.exec(out);
      if (m) resolve({ display: `:${m[1]}`, stop: () => p.kill("SIGTERM") });
    });
    p.once("exit", (code) => reject(new Error(`Xvfb exited with ${code}`)));
  });
}

async function wd(base, method, path, body) {
  const res = await fetch(base + path, {
    method,
    headers: body ? { "content-type": "application/json" } : {},
    body: body ? JSON.stringify(body) : undefined,
  });
  const json = await res.json().catch(() => ({}));
  if (!res.ok) throw new Error(`WebDriver ${method} ${path}: ${res.status} ${json?.value?.error ?? ""} ${json?.value?.message ?? ""}`);
  return json.value;
}

async function waitForDriver(base, ms = 30_000) {
  const end = Date.now() + ms;
  for (;;) {
    try {
      const r = await fetch(base + "/status");
      if (r.ok) return;
    } catch {
      /* not up yet */
    }
    if (Date.now() > end) throw new Error(`the WebDriver server at ${base} did not start`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Launches `engine` ("firefox" or "webkit") with a fresh profile. */
export async function launchWebDriver(engine) {
  const dir = await mkdtemp(join(tmpdir(), `mapi-outbox-${engine}-`));
  const env = { ...process.env, HOME: dir, XDG_CACHE_HOME: join(dir, "cache"), XDG_CONFIG_HOME: join(dir, "config"), XDG_DATA_HOME: join(dir, "data") };
  const port = await freePort();
  let driver;
  let xvfb = null;
  let capabilities;
  if (engine === "firefox") {
    for (const [what, p] of [["firefox-esr", FIREFOX_PATH], ["geckodriver", GECKODRIVER_PATH]]) {
      if (!existsSync(p)) throw new Error(`${p} not found: run scripts/setup.sh (${what})`);
    }
    driver = spawn(GECKODRIVER_PATH, ["--port", String(port), "--host", "127.0.0.1"], { env, stdio: "ignore" });
    capabilities = {
      browserName: "firefox",
      "moz:firefoxOptions": {
        binary: FIREFOX_PATH,
        args: ["-headless", "-no-remote"],
        prefs: {
          "network.proxy.type": 0,
          "app.update.enabled": false,
          "browser.shell.checkDefaultBrowser": false,
          "datareporting.policy.dataSubmissionEnabled": false,
          "toolkit.telemetry.enabled": false,
          "network.captive-portal-service.enabled": false,
          "network.connectivity-service.enabled": false,
          "browser.safebrowsing.malware.enabled": false,
          "browser.safebrowsing.phishing.enabled": false,
        },
      },
    };
  } else if (engine === "webkit") {
    for (const [what, p] of [["webkit2gtk-driver", WEBKIT_DRIVER_PATH], ["MiniBrowser", MINIBROWSER_PATH]]) {
      if (!existsSync(p)) throw new Error(`${p} not found: run scripts/setup.sh (${what})`);
    }
    xvfb = await startXvfb();
    driver = spawn(WEBKIT_DRIVER_PATH, [`--port=${port}`, "--host=127.0.0.1"], { env: { ...env, DISPLAY: xvfb.display }, stdio: "ignore" });
    capabilities = {
      "webkitgtk:browserOptions": { binary: MINIBROWSER_PATH, args: ["--automation"] },
    };
  } else {
    throw new Error(`unknown engine ${engine}`);
  }
  const base = `http://127.0.0.1:${port}`;
  let session;
  try {
    await waitForDriver(base);
    const created = await wd(base, "POST", "/session", { capabilities: { alwaysMatch: capabilities } });
    session = created.sessionId;
    await wd(base, "POST", `/session/${session}/timeouts`, { script: 600_000, pageLoad: 60_000 }).catch(() => {});
  } catch (e) {
    driver.kill("SIGKILL");
    xvfb?.stop();
    await rm(dir, { recursive: true, force: true });
    throw e;
  }
  return {
    engine,
    goto: (url) => wd(base, "POST", `/session/${session}/url`, { url }),
    execute: (script, args = []) => wd(base, "POST", `/session/${session}/execute/sync`, { script, args }),
    executeAsync: (script, args = []) => wd(base, "POST", `/session/${session}/execute/async`, { script, args }),
    async close() {
      await wd(base, "DELETE", `/session/${session}`).catch(() => {});
      driver.kill("SIGTERM");
      xvfb?.stop();
      await new Promise((r) => setTimeout(r, 200));
      await rm(dir, { recursive: true, force: true, maxRetries: 3 });
    },
  };
}
