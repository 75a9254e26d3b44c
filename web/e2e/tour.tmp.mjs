import { launchBrowser, startServer } from './harness.mjs';
const server = await startServer();
const browser = await launchBrowser();
const q = async (query) =>
  (await (await fetch(`${server.base}/graphql`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ query }) })).json()).data;
try {
  const page = await browser.context.newPage();
  await page.setViewportSize({ width: 1366, height: 900 });
  const ids = await q(`{ person(key:"priya.shah@acme.example"){id} application(key:"payments-api"){id} service(key:"payments"){id} businessUnit(key:"payments"){id} }`);
  console.log(JSON.stringify(ids));
  const pages = process.argv.slice(2);
  for (const p of pages) {
    const [name, path] = p.split('=');
    let url = path;
    for (const [k, v] of Object.entries(ids)) if (v) url = url.replace('{' + k + '}', v.id);
    await page.goto(server.base + url);
    await page.waitForTimeout(1500);
    await page.screenshot({ path: `/tmp/shots/${name}.png`, fullPage: true });
  }
} finally {
  await browser.close?.();
  await server.stop();
}
