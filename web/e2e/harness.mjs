// Shared setup for the end-to-end tests: a real `estate serve --demo` on a
// free loopback port with a temporary data directory, and Debian's Chromium
// driven by playwright-core.
//
//   ESTATE_BIN   the estate binary (default: built here with go build)
//   CHROMIUM     the browser (default /usr/bin/chromium)
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import { chromium } from 'playwright-core';

const here = dirname(fileURLToPath(import.meta.url));
export const repoRoot = resolve(here, '..', '..');
export const artifacts = join(here, 'artifacts');
mkdirSync(artifacts, { recursive: true });

function freePort() {
  return new Promise((res, rej) => {
    const s = createServer();
    s.unref();
    s.on('error', rej);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => res(port));
    });
  });
}

export function buildBinary(dir) {
  if (process.env.ESTATE_BIN) return process.env.ESTATE_BIN;
  const bin = join(mkdtempSync(join(tmpdir(), 'estate-bin-')), 'estate');
  void dir;
  execFileSync('go', ['build', '-o', bin, './cmd/estate'], { cwd: repoRoot, stdio: 'inherit' });
  return bin;
}

let builtBin = null;

/**
 * Starts estate serve --demo on a free port; resolves with { base, stop, log }.
 * host: the interface to listen on (a non-loopback one turns anonymous reads
 * off). prepare(bin, dataDir): runs before the server starts (token create,
 * files in dirname(dataDir)); args(prepared, { base }): more arguments for
 * serve (base: the URL it will answer at).
 */
export async function startServer({ host = '127.0.0.1', prepare, args = () => [], env = {} } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'estate-e2e-'));
  builtBin ??= buildBinary(dir);
  const bin = builtBin;
  const dataDir = join(dir, 'data');
  const prepared = prepare ? prepare(bin, dataDir) : undefined;
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  let log = '';
  const proc = spawn(bin, ['serve', '--demo', '--addr', `${host}:${port}`, '--data-dir', dataDir, '--log-format', 'json', ...args(prepared, { base })], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...env },
  });
  proc.stdout.on('data', (d) => (log += d));
  proc.stderr.on('data', (d) => (log += d));
  let exited = false;
  proc.on('exit', () => (exited = true));
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (exited) throw new Error(`estate serve exited early:\n${log}`);
    try {
      const r = await fetch(`${base}/readyz`);
      if (r.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      proc.kill('SIGKILL');
      throw new Error(`estate serve not ready after 60 s:\n${log}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    base,
    dir,
    prepared,
    log: () => log,
    async stop() {
      if (!exited) {
        proc.kill('SIGTERM');
        await new Promise((r) => (exited ? r() : proc.on('exit', r)));
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Launches Debian's Chromium headless with the flags this machine needs. */
export async function launchBrowser() {
  const profile = mkdtempSync(join(tmpdir(), 'estate-chromium-'));
  // launchPersistentContext gives the new, empty profile (--user-data-dir).
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    headless: true,
    viewport: { width: 1440, height: 900 },
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  return {
    context,
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

export function shot(page, name) {
  return page.screenshot({ path: join(artifacts, `${name}.png`), fullPage: false });
}

/**
 * Drags across the element with the mouse and zooms with the wheel, as a
 * user does, recording the time between animation frames in the page:
 * { pan: [ms...], zoom: [ms...] }. Cytoscape draws a user's drag and wheel
 * differently from a programmatic pan, so this is the measure that counts.
 */
export async function viewportFrames(page, selector) {
  const box = await page.locator(selector).boundingBox();
  const cx = box.x + box.width / 2;
  const cy = box.y + box.height / 2;
  const record = () =>
    page.evaluate(() => {
      window.__frames = [];
      let last = performance.now();
      const tick = (now) => {
        window.__frames.push(now - last);
        last = now;
        if (window.__frames.length < 10_000) window.__frameLoop = requestAnimationFrame(tick);
      };
      window.__frameLoop = requestAnimationFrame(tick);
    });
  const collect = () => page.evaluate(() => (cancelAnimationFrame(window.__frameLoop), window.__frames.slice(1)));
  await page.mouse.move(cx, cy);
  await record();
  await page.mouse.down();
  for (let i = 0; i < 60; i++) await page.mouse.move(cx + (i < 30 ? i : 60 - i) * 6, cy + i * 2);
  await page.mouse.up();
  const pan = await collect();
  await record();
  for (let i = 0; i < 20; i++) await page.mouse.wheel(0, i < 10 ? -120 : 120);
  await page.waitForTimeout(300);
  const zoom = await collect();
  return { pan, zoom };
}

/** n, min, p50, p95 and max of xs, rounded to 0.1. */
export function stats(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const p = (f) => +s[Math.min(s.length - 1, Math.floor(f * s.length))].toFixed(1);
  return { n: s.length, min: p(0), p50: p(0.5), p95: p(0.95), max: p(1) };
}

const axeSource = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

/**
 * Runs axe-core (WCAG 2.1 A and AA rules, colour contrast among them) on the
 * page as it is and returns its violations as "rule: target (summary)" lines.
 */
export async function axeViolations(page) {
  await page.addScriptTag({ path: axeSource });
  const res = await page.evaluate(() =>
    window.axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] }, resultTypes: ['violations'] }),
  );
  return res.violations.flatMap((v) => v.nodes.map((n) => `${v.id}: ${n.target.join(' ')} (${n.failureSummary.replace(/\s+/g, ' ').slice(0, 200)})`));
}
