// Drives Debian's chromium (/usr/bin/chromium) with playwright-core for the pytest suite in
// this directory (browser.py). One request per stdin line, one JSON answer per stdout line:
//   {"id": 1, "cmd": "goto", "url": "..."}  ->  {"id": 1, "ok": true, "value": ...}
// Commands: open (a fresh context and page), goto, eval, wait_for, click, fill, screenshot,
// cookies, local_storage, log, close. Each context records every console message, page error,
// and request and response (with its headers) the page made, for the tests to assert on.
// Never downloads a browser.
import readline from 'node:readline';
import { chromium } from 'playwright-core';

const EXECUTABLE = process.env.THRAD_CHROMIUM || '/usr/bin/chromium';
// Flags for a closed network and a root user (.library machines notes): no sandbox, no GPU,
// no background connections to Google.
const ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];

let browser = null;
let context = null;
let page = null;
let log = null;

function record(p) {
  p.on('console', (m) => log.console.push({ type: m.type(), text: m.text() }));
  p.on('pageerror', (e) => log.page_errors.push(String(e)));
  p.on('request', (r) => log.requests.push({
    url: r.url(), method: r.method(), resource_type: r.resourceType(),
    post_data: r.postData(), headers: r.headers(),
  }));
  p.on('response', (r) => log.responses.push({
    url: r.url(), status: r.status(), headers: r.headers(),
  }));
  p.on('requestfailed', (r) => log.failed.push({ url: r.url(), error: r.failure()?.errorText }));
}

const commands = {
  async open({ viewport }) {
    if (!browser) {
      browser = await chromium.launch({ executablePath: EXECUTABLE, headless: true, args: ARGS });
    }
    if (context) await context.close();
    context = await browser.newContext({ viewport: viewport || { width: 1280, height: 720 } });
    log = { console: [], page_errors: [], requests: [], responses: [], failed: [] };
    page = await context.newPage();
    record(page);
    return true;
  },
  async goto({ url }) {
    const resp = await page.goto(url, { waitUntil: 'load' });
    return { url: page.url(), status: resp ? resp.status() : null };
  },
  // Evaluates a JavaScript expression in the page (a promise is awaited).
  async eval({ expr }) {
    return await page.evaluate(expr);
  },
  // Polls with evaluate (not waitForFunction, whose in-page polling evaluates a string, which a
  // page under a Content-Security-Policy without 'unsafe-eval', like the dashboard, refuses).
  async wait_for({ expr, timeout_ms }) {
    const deadline = Date.now() + (timeout_ms || 10000);
    let last = null;
    for (;;) {
      try {
        if (await page.evaluate(expr)) return true;
      } catch (e) {
        last = e;  // a navigation in progress: try again
      }
      if (Date.now() > deadline) {
        throw new Error(`timeout after ${timeout_ms || 10000} ms waiting for ${expr}` +
                        (last ? `: ${last}` : ''));
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  },
  // A real click and real typing, as a user would (the selector's first match).
  async click({ selector }) {
    await page.click(selector);
    return true;
  },
  async fill({ selector, value }) {
    await page.fill(selector, value);
    return true;
  },
  async screenshot({ path, full_page }) {
    await page.screenshot({ path, fullPage: !!full_page });
    return true;
  },
  async cookies() {
    return await context.cookies();
  },
  async local_storage() {
    return await page.evaluate('Object.fromEntries(Object.entries(localStorage))');
  },
  async log() {
    return log;
  },
  async close() {
    if (context) await context.close();
    context = null;
    return true;
  },
  async quit() {
    if (browser) await browser.close();
    browser = null;
    return true;
  },
};

const rl = readline.createInterface({ input: process.stdin });
for await (const line of rl) {
  if (!line.trim()) continue;
  const msg = JSON.parse(line);
  let answer;
  try {
    const value = await commands[msg.cmd](msg);
    answer = { id: msg.id, ok: true, value: value === undefined ? null : value };
  } catch (e) {
    answer = { id: msg.id, ok: false, error: String(e && e.stack || e) };
  }
  process.stdout.write(JSON.stringify(answer) + '\n');
  if (msg.cmd === 'quit') break;
}
if (browser) await browser.close();
process.exit(0); // stdin may still be open: do not wait for it
