// Measures the UI on the demo estate (not a test: prints figures for
// docs/benchmarks.md). Run from web/: node e2e/measure.mjs [runs]
//   - entity page, cold load (new page, full navigation) until owners and
//     relationships are on screen; and in-app navigation between entities;
//   - the explorer with 2,000 synthetic elements: layout + first render,
//     pan frame times, zoom.
import { launchBrowser, startServer } from './harness.mjs';

const runs = Number(process.argv[2] ?? 10);
const server = await startServer();
const browser = await launchBrowser();
const q = async (query) =>
  (await (await fetch(`${server.base}/graphql`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ query }) })).json()).data;
const stats = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const p = (f) => s[Math.min(s.length - 1, Math.floor(f * s.length))];
  return { n: s.length, min: s[0], p50: p(0.5), p95: p(0.95), max: s[s.length - 1] };
};
try {
  const { application } = await q('{ application(key:"payments-api"){ id } }');
  const url = `${server.base}/entity/${application.id}`;
  const page = await browser.context.newPage();
  await page.goto(url); // warm the HTTP cache once, as a returning user has it
  const cold = [];
  for (let i = 0; i < runs; i++) {
    const p = await browser.context.newPage();
    const t0 = Date.now();
    await p.goto(url);
    await p.getByTestId('owners').locator('tbody tr').first().waitFor();
    await p.getByTestId('relationships').locator('tbody tr').first().waitFor();
    cold.push(Date.now() - t0);
    await p.close();
  }
  console.log('entity page, full load until owners+relationships visible (ms):', JSON.stringify(stats(cold)));
  // In-app: from payments-api to its service and back, by clicking links.
  const nav = [];
  await page.goto(url);
  await page.getByTestId('owners').locator('tbody tr').first().waitFor();
  for (let i = 0; i < runs; i++) {
    const target = i % 2 === 0 ? 'Card Payments' : 'Payments API';
    const t0 = Date.now();
    await page.getByTestId('relationships').getByRole('link', { name: target, exact: true }).first().click();
    await page.getByRole('heading', { level: 1, name: target }).waitFor();
    await page.getByTestId('relationships').locator('tbody tr').first().waitFor();
    nav.push(Date.now() - t0);
  }
  console.log('entity page, in-app navigation (ms):', JSON.stringify(stats(nav)));
  const perf = [];
  for (let i = 0; i < Math.max(3, Math.round(runs / 3)); i++) {
    await page.goto(`${server.base}/bench/explorer?n=2000`);
    await page.waitForFunction(() => window.__estatePerf, null, { timeout: 120_000 });
    perf.push(await page.evaluate(() => window.__estatePerf));
  }
  for (const k of ['layoutAndRenderMs', 'initMs', 'layoutMs', 'firstRenderMs', 'panMeanFrameMs', 'panP95FrameMs', 'zoomMs']) {
    console.log(`explorer 2000 elements ${k}:`, JSON.stringify(stats(perf.map((p) => p[k]))));
  }
} finally {
  await browser.close();
  await server.stop();
}
