// Measures the UI on the demo estate (not a test: prints figures for
// docs/benchmarks.md). Run from web/: node e2e/measure.mjs [runs]
//   - entity page, cold load (new page, full navigation) until owners and
//     relationships are on screen; and in-app navigation between entities;
//   - the real explorer on 2,000 synthetic elements (/bench/explorer):
//     opening, expanding a node and laying out again, and the frame times of
//     a mouse drag and of wheel zooming.
import { launchBrowser, startServer, stats, viewportFrames } from './harness.mjs';

const runs = Number(process.argv[2] ?? 10);
const server = await startServer();
const browser = await launchBrowser();
const q = async (query) =>
  (await (await fetch(`${server.base}/graphql`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ query }) })).json()).data;
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
  const pan = [];
  const zoom = [];
  for (let i = 0; i < Math.max(3, Math.round(runs / 3)); i++) {
    await page.goto(`${server.base}/bench/explorer?n=2000`);
    await page.waitForFunction(() => window.__estatePerf, null, { timeout: 180_000 });
    perf.push(await page.evaluate(() => window.__estatePerf));
    const f = await viewportFrames(page, '[data-testid="graph"]');
    pan.push(...f.pan);
    zoom.push(...f.zoom);
  }
  console.log('explorer elements after the run:', perf[0].elements);
  console.log('explorer 2000 elements open (ms):', JSON.stringify(stats(perf.map((p) => p.openMs))));
  console.log('explorer 2000 elements expand a node + relayout (ms):', JSON.stringify(stats(perf.flatMap((p) => p.expandMs))));
  console.log('explorer 2000 elements Re-layout button (ms):', JSON.stringify(stats(perf.map((p) => p.relayoutMs))));
  console.log('explorer 2000 elements mouse-drag frame (ms):', JSON.stringify(stats(pan)));
  console.log('explorer 2000 elements wheel-zoom frame (ms):', JSON.stringify(stats(zoom)));
} finally {
  await browser.close();
  await server.stop();
}
