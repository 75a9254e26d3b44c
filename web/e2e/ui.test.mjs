// End-to-end tests of the web UI: Debian's Chromium (playwright-core)
// against a real `estate serve --demo`. Screenshots go to e2e/artifacts/.
// Run: npm run test:e2e (or scripts/e2e.sh from a fresh machine).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { axeViolations, launchBrowser, shot, startServer, stats, viewportFrames } from './harness.mjs';

let server;
let browser;

before(async () => {
  server = await startServer();
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

// A GraphQL request to the shared demo server, or to another (base); it
// must answer without errors.
async function gql(query, variables = {}, base = server.base) {
  const r = await fetch(`${base}/graphql`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ query, variables }),
  });
  const j = await r.json();
  assert.equal(j.errors, undefined, JSON.stringify(j.errors));
  return j.data;
}

async function newPage() {
  const page = await browser.context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
  page.errors = errors;
  return page;
}

/** Creates an API token with the CLI, before the server starts (startServer's prepare): its secret. */
const createToken = (bin, dataDir, role, name, ...more) =>
  execFileSync(bin, ['token', 'create', '--role', role, '--name', name, ...more, '--data-dir', dataDir, '--log-level', 'error'], { encoding: 'utf8' }).trim();

/** A demo server with an editor's token (edna) and a viewer's (vic): srv.prepared.editor, .viewer. */
const editorAndViewer = () =>
  startServer({ prepare: (bin, dataDir) => ({ editor: createToken(bin, dataDir, 'editor', 'edna'), viewer: createToken(bin, dataDir, 'viewer', 'vic') }) });

const graphCounts = async (page) => {
  const el = page.locator('[data-testid="graph-counts"] span');
  return { nodes: Number(await el.getAttribute('data-nodes')), edges: Number(await el.getAttribute('data-edges')) };
};

describe('search and the entity page', () => {
  test('search payments-api → entity page → owners with evidence', async () => {
    const page = await newPage();
    await page.goto(server.base + '/');
    await page.getByRole('combobox', { name: 'Search the estate' }).fill('payments-api');
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/entity\/[0-9a-f-]{36}$/);
    await assert.doesNotReject(page.getByRole('heading', { level: 1, name: 'Payments API' }).waitFor());
    const owners = page.getByTestId('owners');
    await owners.locator('tbody tr').first().waitFor();
    const rows = await owners.locator('tbody tr').allInnerTexts();
    assert.equal(rows.length, 3, rows.join('\n'));
    const byOwner = Object.fromEntries(rows.map((r) => [r.split('\t')[0].replace(/^(Team|Person)\s*/, '').trim(), r]));
    assert.match(byOwner['Payments Core'], /technical/);
    assert.match(byOwner['Payments Core'], /catalog-info\.yaml:12 spec\.owner: group:payments-core/);
    assert.match(byOwner['Priya Shah'], /business/);
    assert.match(byOwner['Platform SRE'], /support/);
    for (const r of rows) assert.match(r, /declared/);
    // Relationships in both directions, and the sources with their runs.
    const rels = page.getByTestId('relationships');
    assert.ok(await rels.getByRole('table').filter({ hasText: 'Outgoing' }).count(), 'outgoing relationships');
    assert.ok(await rels.getByRole('table').filter({ hasText: 'Incoming' }).count(), 'incoming relationships');
    assert.match(await rels.innerText(), /DEPENDS_ON/);
    assert.match(await page.getByRole('region', { name: 'Sources' }).innerText(), /demo/);
    // Whom to escalate to, each step with its kind: a team and a business unit may share a name.
    assert.match(await page.getByTestId('who-owns').innerText(),
      /Payments Core \(team, slack:#payments-core\) → Payments \(team, slack:#payments\) → Payments \(business unit\) → Retail Banking \(business unit\)/);
    // Its properties, the service it is part of as a link.
    const props = page.getByRole('region', { name: 'Properties' });
    assert.match(await props.innerText(), /lifecycle\s+production[\s\S]*hostnames\s+pay\.acme\.example/);
    await props.getByRole('link', { name: 'Card Payments' }).waitFor();
    assert.doesNotMatch(await page.locator('main').innerText(), /\[object Object\]/);
    await shot(page, 'entity-payments-api');
    assert.deepEqual(page.errors, []);
    await page.close();
  });

  test('a person’s page lists what they answer for, directly and through what they own', async () => {
    const page = await newPage();
    const { application } = await gql('{ application(key:"payments-api"){ id } }');
    await page.goto(`${server.base}/entity/${application.id}`);
    await page.getByTestId('owners').getByRole('link', { name: 'Priya Shah' }).click();
    await page.getByRole('heading', { level: 1, name: 'Priya Shah' }).waitFor();
    const card = page.getByTestId('owned-by');
    await card.waitFor();
    // The same as whoOwns says, read the other way (checked item by item
    // in analysistest): 3 things she owns, 45 through them.
    assert.equal(await card.getByRole('heading').innerText(), 'Answers for 48 things: 3 directly, 45 through what it owns');
    // Nobody owns a person: whom to call is she, then her team; no warning.
    const call = page.getByTestId('who-owns');
    assert.match(await call.innerText(), /Nobody owns a person: call them, then the escalation below\.[\s\S]*Escalation\s+Payments \(team, slack:#payments\)/);
    assert.equal(await call.locator('.warn').count(), 0);
    const rows = card.locator('tbody tr');
    assert.match(await rows.filter({ hasText: 'Payments API' }).first().innerText(), /business[\s\S]*descriptor[\s\S]*accountable[\s\S]*owns it/);
    assert.match(await rows.filter({ hasText: 'payments-api-1' }).innerText(), /business[\s\S]*inherited[\s\S]*Payments API/);
    const [download] = await Promise.all([page.waitForEvent('download'), card.getByRole('button', { name: 'Download CSV' }).click()]);
    const csv = readFileSync(await download.path(), 'utf8').trim().split('\n');
    assert.equal(csv.length, 49);
    assert.equal(csv[0], 'kind,key,name,role,class,accountable,inherited_from');
    // Through: a link to what it is inherited from.
    await rows.filter({ hasText: 'payments-api-1' }).getByRole('link', { name: 'Payments API' }).click();
    await page.getByRole('heading', { level: 1, name: 'Payments API' }).waitFor();
    assert.deepEqual(page.errors, []);
    await page.close();
  });

  test('the history of an entity lists its recorded changes', async () => {
    const { application } = await gql(`{ application(key:"payments-api"){ id
      history(first: 100) { nodes { op actor source entity { key } } pageInfo { hasNextPage } } } }`);
    const events = application.history.nodes;
    // serve --demo loads the estate as one ingest run: the application and
    // each of its relationships were created by the demo source; then it
    // assesses the demo's changes, one of which AFFECTS it (governance).
    assert.equal(application.history.pageInfo.hasNextPage, false);
    assert.ok(events.length > 20, `${events.length} events: want more than one page of the UI`);
    assert.ok(events.every((e) => e.op === 'CREATED' && e.actor === 'demo'), JSON.stringify(events));
    assert.deepEqual(events.map((e) => e.source).filter((s) => s !== 'demo'), ['governance']);
    assert.equal(events.filter((e) => e.entity?.key === 'payments-api').length, 1);
    const page = await newPage();
    await page.goto(`${server.base}/entity/${application.id}`);
    const history = page.getByRole('region', { name: 'History' });
    const rows = history.getByTestId('history').locator('tbody tr');
    await rows.first().waitFor();
    assert.equal(await rows.count(), 20);
    // Older pages on demand, until every event is listed.
    while (await history.getByRole('button', { name: 'Older changes' }).count()) {
      const before = await rows.count();
      await history.getByRole('button', { name: 'Older changes' }).click();
      await page.waitForFunction((n) => document.querySelectorAll('[data-testid="history"] tbody tr').length > n, before);
    }
    assert.equal(await rows.count(), events.length);
    assert.match(await rows.filter({ hasText: 'Application:payments-api' }).filter({ hasNotText: '→' }).innerText(),
      /created\s+Application:payments-api\s+demo\s+demo/);
    await shot(page, 'entity-history');
    assert.deepEqual(page.errors, []);
    await page.close();
  });

  test('a hostname and an ARN resolve to their entities', async () => {
    const page = await newPage();
    await page.goto(server.base + '/');
    const box = page.getByRole('combobox', { name: 'Search the estate' });
    await box.fill('pay.acme.example');
    await box.press('Enter');
    await page.getByRole('heading', { level: 1, name: 'Payments API' }).waitFor();
    await box.fill('arn:aws:rds:eu-west-1:111122223333:db:accounts-db');
    await box.press('Enter');
    await page.getByTestId('entity-key').filter({ hasText: 'arn:aws:rds:eu-west-1:111122223333:db:accounts-db' }).waitFor();
    await page.close();
  });

  test('a link from a ticket, or an object in a bucket, opens what it points at', async () => {
    const page = await newPage();
    await page.goto(server.base + '/');
    const box = page.getByRole('combobox', { name: 'Search the estate' });
    // A file in the monorepo's directory of the cart service: the service's application.
    await box.fill('https://github.com/acme/checkout-monorepo/blob/main/services/cart/internal/basket.go');
    await box.press('Enter');
    await page.getByRole('heading', { level: 1, name: 'Cart Service' }).waitFor();
    // A link longer than a text search takes (256 bytes).
    await page.goto(server.base + '/');
    await box.fill(`https://github.com/acme/checkout-monorepo/blob/main/services/cart/${'deep/'.repeat(60)}x.go`);
    await box.press('Enter');
    await page.getByRole('heading', { level: 1, name: 'Cart Service' }).waitFor();
    // A Backstage entity ref, and a host and port from a connection error.
    for (const ref of ['component:default/payments-api', 'pay.acme.example:443']) {
      await page.goto(server.base + '/');
      await box.fill(ref);
      await box.press('Enter');
      await page.getByRole('heading', { level: 1, name: 'Payments API' }).waitFor();
    }
    // An object in a bucket: the bucket.
    await box.fill('s3://acme-statements/2024/05/statement-0042.pdf');
    await box.press('Enter');
    await page.getByTestId('entity-key').filter({ hasText: 'arn:aws:s3:::acme-statements' }).waitFor();
    // A pull request: the repository, named first on the results page, with how.
    const pull = 'https://github.com/acme/checkout-monorepo/pull/42';
    await page.goto(`${server.base}/search?q=${encodeURIComponent(pull)}`);
    const first = page.getByTestId('search-results').locator('li').first();
    await first.waitFor();
    assert.match(await first.innerText(), /checkout-monorepo[\s\S]*named by link into a repository/);
    await shot(page, 'search-link');
    assert.deepEqual(page.errors, []);
    await page.close();
  });

  test('the keyboard alone: / focuses search, arrows pick a suggestion', async () => {
    const page = await newPage();
    await page.goto(server.base + '/');
    await page.locator('body').press('/');
    await page.keyboard.type('ledger');
    const list = page.getByRole('listbox', { name: 'Matches' });
    await list.getByRole('option').first().waitFor();
    await page.keyboard.press('ArrowDown');
    const name = (await list.getByRole('option', { selected: true }).locator('strong').innerText()).trim();
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { level: 1, name }).waitFor();
    // Every form control on the page has an accessible name.
    const unnamed = await page.evaluate(() =>
      [...document.querySelectorAll('input, select, textarea, button')].filter(
        (el) => !(el.labels?.length || el.getAttribute('aria-label') || el.textContent?.trim()),
      ).length,
    );
    assert.equal(unnamed, 0);
    await page.close();
  });

  test('an unowned resource says so, and a reload keeps the page', async () => {
    const arn = 'arn:aws:s3:::acme-tmp-exports-2021';
    const { cloudResource } = await gql('query($a:String!){ cloudResource(arn:$a){ id } }', { a: arn });
    const page = await newPage();
    await page.goto(`${server.base}/entity/${cloudResource.id}`);
    await page.getByText('No direct owner').waitFor();
    assert.ok(await serverHas('whoOwns'), 'the server answers whoOwns');
    await page.getByText('No owner, declared or inherited').waitFor();
    await page.reload();
    await page.getByTestId('entity-key').filter({ hasText: arn }).waitFor();
    await shot(page, 'entity-unowned-resource');
    await page.close();
  });

  test('entity page load time', async (t) => {
    const { application } = await gql('{ application(key:"payments-api"){ id } }');
    const page = await newPage();
    const times = [];
    for (let i = 0; i < 5; i++) {
      const t0 = Date.now();
      await page.goto(`${server.base}/entity/${application.id}`);
      await page.getByTestId('owners').locator('tbody tr').first().waitFor();
      await page.getByTestId('relationships').locator('tbody tr').first().waitFor();
      times.push(Date.now() - t0);
    }
    times.sort((a, b) => a - b);
    t.diagnostic(`entity page (cold navigation, until owners and relationships render) ms: ${times.join(', ')}; median ${times[2]}`);
    await page.close();
  });
});

describe('graph explorer', () => {
  test('expands a node on click and filters by relationship type', async () => {
    const { application } = await gql('{ application(key:"payments-api"){ id } }');
    const page = await newPage();
    await page.goto(server.base + `/entity/${application.id}`);
    // A slow server, and the user's mouse passing over the graph while it
    // loads, before the line naming the root moves the graph down: the
    // click below must still land on the node (it did not, when Cytoscape
    // kept the graph's old place on the page).
    await page.route('**/graphql', async (route) => {
      await new Promise((r) => setTimeout(r, 400));
      await route.continue();
    });
    await page.getByRole('link', { name: 'Explore graph' }).click();
    await page.waitForURL(/\/explore\//);
    const canvas = page.locator('.explorer-body canvas').first();
    await canvas.waitFor();
    const box = await canvas.boundingBox();
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await page.mouse.move(box.x + box.width / 3, box.y + box.height / 3);
    await page.waitForFunction(() => Number(document.querySelector('[data-testid="graph-counts"] span')?.getAttribute('data-nodes')) > 1);
    const before = await graphCounts(page);
    assert.ok(before.nodes >= 10, `neighbourhood of payments-api: ${before.nodes} nodes`);
    const settled = () => page.waitForFunction(() => window.__estateLayouts === 0);
    // Click on the service node (Card Payments) where Cytoscape drew it.
    // The graph can still move after the layouts counted as settled (a
    // layout starting late, the fit after it), so the click is aimed at
    // where the node is once it stayed put for a few frames, and aimed
    // again if the graph moved under it; three misses fail.
    let pos;
    for (let attempt = 1; ; attempt++) {
      await settled();
      pos = await page.evaluate(async () => {
        const cy = window.__estateCy;
        const n = cy.nodes().filter((x) => x.data('info').kind === 'Service')[0];
        const at = () => {
          const box = cy.container().getBoundingClientRect();
          const p = n.renderedPosition();
          return { x: box.left + p.x, y: box.top + p.y, label: n.data('label') };
        };
        let last = at();
        for (let still = 0; still < 5; ) {
          await new Promise((r) => requestAnimationFrame(r));
          const now = at();
          still = now.x === last.x && now.y === last.y ? still + 1 : 0;
          last = now;
        }
        return last;
      });
      await page.mouse.click(pos.x, pos.y);
      const missed = await page
        .getByText('Open entity page')
        .waitFor({ timeout: 5000 })
        .then(() => null)
        .catch((e) => e);
      if (!missed) break;
      if (attempt === 3) {
        await shot(page, 'explorer-click-missed');
        throw new Error(`three clicks at ${JSON.stringify(pos)} selected nothing: ${missed.message}`);
      }
    }
    await page.waitForFunction((n) => Number(document.querySelector('[data-testid="graph-counts"] span')?.getAttribute('data-nodes')) > n, before.nodes);
    const expanded = await graphCounts(page);
    assert.ok(expanded.nodes > before.nodes && expanded.edges > before.edges, `before ${JSON.stringify(before)}, after ${JSON.stringify(expanded)}`);
    await page.getByText(pos.label, { exact: true }).first().waitFor(); // the selection panel
    await settled();
    await shot(page, 'explorer-expanded');

    await page.getByRole('checkbox', { name: 'OWNS' }).uncheck();
    const filtered = await graphCounts(page);
    assert.ok(filtered.edges < expanded.edges, `hiding OWNS: ${JSON.stringify(filtered)} vs ${JSON.stringify(expanded)}`);
    await page.getByRole('checkbox', { name: 'OWNS' }).check();
    // The counts follow the graph's next render: wait for them (a graph that
    // never gets its nodes back times out here), then compare.
    await page
      .waitForFunction(
        (want) => {
          const el = document.querySelector('[data-testid="graph-counts"] span');
          return Number(el?.getAttribute('data-nodes')) === want.nodes && Number(el?.getAttribute('data-edges')) === want.edges;
        },
        expanded,
        { timeout: 5000 },
      )
      .catch(() => {});
    assert.deepEqual(await graphCounts(page), expanded);
    assert.deepEqual(page.errors, []);
    await page.close();
  });

  test('highlights the unregistered account and what nobody owns, as whoOwns says', async () => {
    // Nobody owns the shadow account and 8 of its 11 resources; the other 3 are owned through
    // an application (inherited), which whoOwns finds and the explorer must not flag.
    const { cloudAccount } = await gql('{ cloudAccount(key:"aws:444455556666"){ id } }');
    const page = await newPage();
    await page.goto(`${server.base}/explore/${cloudAccount.id}`);
    await page.waitForFunction(() => Number(document.querySelector('[data-testid="graph-counts"] span')?.getAttribute('data-nodes')) > 1);
    const marks = await page.evaluate(() => ({
      unregistered: window.__estateCy.nodes('.unregistered').map((n) => n.data('info').key),
      unowned: window.__estateCy.nodes('.unowned').map((n) => n.data('info').key).sort(),
      nodes: window.__estateCy.nodes().map((n) => n.data('info')),
    }));
    assert.deepEqual(marks.unregistered, ['aws:444455556666']);
    assert.equal(marks.unowned.length, 9, marks.unowned.join('\n'));
    // The same answer as "who owns this" for every entity in view.
    const nobody = [];
    for (const n of marks.nodes) {
      const { whoOwns } = await gql('query($r:String!){ whoOwns(ref:$r){ owners { key } } }', { r: `${n.kind}:${n.key}` });
      if (whoOwns.owners.length === 0) nobody.push(n.key);
    }
    assert.deepEqual(marks.unowned, nobody.sort());
    await page.waitForTimeout(1000);
    await shot(page, 'explorer-shadow-account');
    assert.deepEqual(page.errors, []);
    await page.close();
  });

  test('a resource owned through its application is not highlighted', async () => {
    const arn = 'arn:aws:dynamodb:eu-west-1:111122223333:table/auth-sessions';
    const { cloudResource } = await gql('query($a:String!){ cloudResource(arn:$a){ id } }', { a: arn });
    const { whoOwns } = await gql('query($r:String!){ whoOwns(ref:$r){ owners { key class inheritedFrom { key } } } }', { r: arn });
    assert.ok(whoOwns.owners.length > 0 && whoOwns.owners.every((o) => o.class === 'INHERITED'), JSON.stringify(whoOwns));
    const page = await newPage();
    await page.goto(`${server.base}/explore/${cloudResource.id}`);
    await page.waitForFunction(() => Number(document.querySelector('[data-testid="graph-counts"] span')?.getAttribute('data-nodes')) > 1);
    assert.equal(await page.evaluate((id) => window.__estateCy.getElementById(id).hasClass('unowned'), cloudResource.id), false);
    assert.deepEqual(page.errors, []);
    await page.close();
  });

  test('the real explorer with 2,000 elements: opens, pans, zooms, expands and lays out again', async (t) => {
    const page = await newPage();
    await page.goto(`${server.base}/bench/explorer?n=2000`);
    await page.waitForFunction(() => window.__estatePerf, null, { timeout: 120_000 });
    const perf = await page.evaluate(() => window.__estatePerf);
    // 2,000 from the root's neighbourhood, then three expansions of 20 leaves each.
    assert.equal(perf.elements, 2000 + 3 * 40);
    assert.equal(perf.expandMs.length, 3);
    assert.equal((await graphCounts(page)).nodes, perf.nodes);
    const before = await page.evaluate(() => ({ pan: window.__estateCy.pan(), zoom: window.__estateCy.zoom() }));
    const frames = await viewportFrames(page, '[data-testid="graph"]');
    const afterPan = await page.evaluate(() => ({ pan: window.__estateCy.pan(), zoom: window.__estateCy.zoom() }));
    assert.notDeepEqual(afterPan.pan, before.pan, 'the mouse drag pans the graph');
    t.diagnostic(`explorer with 2000 elements: ${JSON.stringify(perf)}; drag frames ${JSON.stringify(stats(frames.pan))}; wheel frames ${JSON.stringify(stats(frames.zoom))}`);
    await shot(page, 'explorer-2000');
    assert.deepEqual(page.errors, []);
    await page.close();
  });
});

// The answers views. Expected figures are the demo estate's facts
// (ingest/demo/demo.go: ShadowAccount, UnownedResources, UnmappedRepositories,
// OrphanApp, UnownedService, ServiceWithoutBU, DepartedOwner, UnknownTeamTags,
// UnknownAppTags) as checked by graph/analysis/analysistest. estate serve
// answers them all (the tests fail if it stops); a server without them is
// tested on its own below.
async function serverHas(field) {
  const d = await gql('{ __type(name: "Query") { fields { name } } }');
  return d.__type.fields.some((f) => f.name === field);
}

describe('answers', () => {
  test('the Shadow DevOps dashboard shows the demo estate’s findings', async () => {
    const page = await newPage();
    await page.goto(server.base + '/');
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Shadow DevOps' }).click();
    assert.ok(await serverHas('shadowEstate'), 'the server answers shadowEstate');
    const byKind = page.getByTestId('shadow-by-kind');
    await byKind.waitFor();
    const count = async (k) => Number(await byKind.locator(`[data-kind="${k}"]`).innerText());
    const want = {
      'unregistered-account': 1,
      'unowned-resource': 17,
      'unmapped-repository': 19,
      'application-without-service': 1,
      'service-without-owner': 1,
      'service-without-business-unit': 1,
      'departed-owner': 1,
      'unknown-team-tag': 9,
      'unknown-application-tag': 4,
    };
    for (const [k, n] of Object.entries(want)) assert.equal(await count(k), n, k);
    const accounts = page.getByTestId('shadow-by-account');
    assert.equal(await accounts.locator('[data-key="aws:444455556666"]').innerText(), '18');
    assert.equal(await accounts.locator('[data-key="aws:111122223333"]').innerText(), '13');
    await shot(page, 'shadow-dashboard');
    // Drill down: the unregistered account's finding, with its 11 resources.
    await byKind.getByRole('button', { name: /Unregistered cloud accounts/ }).click();
    assert.equal(await page.getByTestId('shadow-shown').innerText(), '1');
    const row = page.getByTestId('shadow-findings').locator('tbody tr');
    assert.match(await row.innerText(), /marketing-experiments/);
    assert.match(await row.innerText(), /11 items/);
    await byKind.getByRole('button', { name: /Cloud resources nobody owns/ }).click();
    assert.equal(await page.getByTestId('shadow-findings').locator('tbody tr').count(), 17);
    await shot(page, 'shadow-unowned-resources');
    // The findings shown, as CSV.
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download CSV' }).click()]);
    const csv = readFileSync(await download.path(), 'utf8').trim().split('\n');
    assert.equal(csv.length, 18);
    assert.match(csv[0], /^finding,kind,key,name,account/);
    assert.ok(csv.some((l) => l.startsWith('unowned-resource,CloudResource,arn:aws:s3:::acme-tmp-exports-2021,acme-tmp-exports-2021,aws:111122223333,')), csv.join('\n'));
    assert.deepEqual(page.errors, []);
    await page.close();
  });

  test('the impact view lists the services a change to payments-api reaches', async () => {
    const page = await newPage();
    await page.goto(server.base + '/impact');
    assert.ok(await serverHas('impact'), 'the server answers impact');
    await page.getByLabel('What changes (one per line)').fill('https://github.com/acme/payments-api');
    await page.getByRole('button', { name: 'Analyse impact' }).click();
    const services = page.getByTestId('impact-services');
    await services.locator('tbody tr').first().waitFor();
    const keys = await services.locator('td[data-key]').evaluateAll((tds) => tds.map((td) => td.dataset.key).sort());
    assert.deepEqual(keys, ['checkout', 'loyalty', 'online-banking', 'online-store', 'order-management', 'payments']);
    assert.match(await page.getByTestId('impact-result').locator('h2').first().innerText(), /17 items affected · highest tier T1 · 6 services · 6 teams to notify/);
    const teams = await page.getByTestId('impact-notify').locator('tbody tr').allInnerTexts();
    assert.equal(teams.length, 6);
    assert.ok(teams.some((t) => /Payments Core/.test(t)), teams.join('\n'));
    await page.getByTestId('impact-graph').locator('canvas').first().waitFor();
    // The graph's rows are the table's depths: every item lower than each
    // item nearer the start, the start on top.
    await page.waitForFunction(() => window.__estateImpactCy?.nodes().length === 18);
    const y = Object.fromEntries(await page.evaluate(() => window.__estateImpactCy.nodes().map((n) => [n.id(), n.position('y')])));
    const { impact } = await gql('{ impact(refs: ["github.com/acme/payments-api"]) { starts { kind key } affected { kind key depth } } }');
    const depth = { [`${impact.starts[0].kind}:${impact.starts[0].key}`]: 0 };
    for (const a of impact.affected) depth[`${a.kind}:${a.key}`] = a.depth;
    for (const [a, da] of Object.entries(depth)) {
      for (const [b, db] of Object.entries(depth)) if (da < db) assert.ok(y[a] < y[b], `${a} (depth ${da}) is not drawn above ${b} (depth ${db})`);
    }
    await page.waitForTimeout(500);
    await shot(page, 'impact-payments-api');
    // The plain-text summary for a change request.
    await page.getByText('Show the summary').click();
    assert.match(await page.getByTestId('impact-summary').innerText(), /Teams to notify:\n- /);

    // A monorepo change counts only the applications its paths touch.
    await page.goto(`${server.base}/impact?ref=${encodeURIComponent('github.com/acme/checkout-monorepo')}&path=services%2Fpricing%2Fsrc%2Frules.ts`);
    await page.getByTestId('impact-result').waitFor();
    assert.match(await page.getByTestId('impact-result').innerText(), /Not touched by the changed paths: cart-service, checkout-ui-kit/);
    const mono = await page.getByTestId('impact-notify').locator('tbody tr').count();
    assert.equal(mono, 3);
    assert.deepEqual(page.errors, []);
    await page.close();
  });

  test('a node of the blast radius graph can still be dragged after the summary opens above it', async () => {
    const page = await newPage();
    // Tall enough that the whole page shows: no scroll, which would make
    // Cytoscape look up the graph's place again, comes between.
    await page.setViewportSize({ width: 1280, height: 3200 });
    await page.goto(`${server.base}/impact?ref=${encodeURIComponent('https://github.com/acme/payments-api')}`);
    await page.getByTestId('impact-graph').locator('canvas').first().waitFor();
    await page.waitForFunction(() => window.__estateImpactCy?.nodes('.root').length === 1);
    const graphTop = async () => (await page.getByTestId('impact-graph').boundingBox()).y;
    const top = await graphTop();
    await page.getByText('Show the summary').click();
    await page.getByTestId('impact-summary').waitFor();
    assert.ok((await graphTop()) > top + 100, 'the summary moved the graph down');
    // Drag the start node 60 px right and 40 px down, where it is drawn now.
    const at = await page.evaluate(() => {
      const cy = window.__estateImpactCy;
      const n = cy.nodes('.root')[0];
      const box = cy.container().getBoundingClientRect();
      const p = n.renderedPosition();
      return { id: n.id(), x: box.left + p.x, y: box.top + p.y, pos: { ...n.position() }, zoom: cy.zoom(), pan: { ...cy.pan() } };
    });
    await page.mouse.move(at.x, at.y);
    await page.mouse.down();
    await page.mouse.move(at.x + 60, at.y + 40, { steps: 6 });
    await page.mouse.up();
    const after = await page.evaluate((id) => {
      const cy = window.__estateImpactCy;
      return { pos: { ...cy.getElementById(id).position() }, pan: { ...cy.pan() } };
    }, at.id);
    const dx = (after.pos.x - at.pos.x) * at.zoom;
    const dy = (after.pos.y - at.pos.y) * at.zoom;
    assert.ok(Math.abs(dx - 60) < 3 && Math.abs(dy - 40) < 3, `the node moved by ${dx}, ${dy} px (pan ${JSON.stringify(at.pan)} → ${JSON.stringify(after.pan)}); want 60, 40`);
    assert.deepEqual(page.errors, []);
    await page.close();
  });

  test('the impact summary copies to the clipboard, also on plain http, and says when it cannot', async () => {
    const url = `${server.base}/impact?ref=${encodeURIComponent('https://github.com/acme/payments-api')}`;
    const copyAndRead = async (page) => {
      await page.getByTestId('impact-result').waitFor();
      await page.getByRole('button', { name: 'Copy summary for a change request' }).click();
      // The copy is asynchronous: wait for its outcome, not the empty status before it.
      await page.waitForFunction(() => document.querySelector('[data-testid="copy-status"]')?.textContent.trim());
      return page.getByTestId('copy-status').innerText();
    };
    // 127.0.0.1 is a secure context: the Clipboard API.
    await browser.context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: server.base });
    let page = await newPage();
    await page.goto(url);
    assert.equal(await copyAndRead(page), 'Copied.');
    const summary = await page.getByTestId('impact-summary').textContent();
    assert.match(summary, /^Impact of changing Repository github.com\/acme\/payments-api/);
    assert.equal(await page.evaluate(() => navigator.clipboard.readText()), summary);
    await page.close();

    // http://host:8080 has no Clipboard API: the copy command on the text.
    const plainHttp = () => {
      Object.defineProperty(Navigator.prototype, 'clipboard', { get: () => undefined });
      const exec = document.execCommand.bind(document);
      document.execCommand = (cmd, ...rest) => {
        if (cmd !== 'copy') return exec(cmd, ...rest);
        window.__copied = document.activeElement?.value;
        return window.__refuseCopy ? false : exec(cmd, ...rest);
      };
    };
    page = await newPage();
    await page.addInitScript(plainHttp);
    await page.goto(url);
    assert.equal(await copyAndRead(page), 'Copied.');
    assert.equal(await page.evaluate(() => window.__copied), summary);
    await page.close();

    // A browser that refuses: a visible message, and the summary open and selected for Ctrl+C.
    page = await newPage();
    await page.addInitScript(plainHttp);
    await page.addInitScript(() => (window.__refuseCopy = true));
    await page.goto(url);
    assert.match(await copyAndRead(page), /did not let the page copy/);
    assert.ok(await page.getByTestId('impact-summary').isVisible());
    await page.waitForFunction((s) => window.getSelection().toString() === s, summary);
    await shot(page, 'impact-copy-refused');
    assert.deepEqual(page.errors, []);
    await page.close();
  });

  test('who owns these: a scanner’s list in one go, each line a row, as CSV too', async () => {
    const page = await newPage();
    await page.goto(server.base + '/');
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Owners' }).click();
    assert.ok(await serverHas('whoOwnsEach'), 'the server answers whoOwnsEach');
    const list = ['pay.acme.example', '# from the scan', '', 'no-such-host.example', 'payments', 'arn:aws:s3:::acme-statements', 'arn:aws:s3:::acme-tmp-exports-2021'];
    await page.getByLabel('One per line').fill(list.join('\n'));
    await page.getByRole('button', { name: 'Look up owners' }).click();
    const table = page.getByTestId('owner-lookups');
    await table.waitFor();
    const rows = table.locator('tbody tr');
    assert.deepEqual(await rows.evaluateAll((trs) => trs.map((tr) => tr.dataset.code)), ['FOUND', 'NOT_FOUND', 'AMBIGUOUS', 'FOUND', 'FOUND']);
    assert.match(await table.getByRole('heading').innerText(), /^5 looked up: 3 found, 1 naming nothing, 1 ambiguous, 1 without an owner/);
    assert.match(await rows.nth(0).innerText(), /Payments API[\s\S]*Payments Core[\s\S]*Priya Shah[\s\S]*Platform SRE/);
    assert.match(await rows.nth(1).innerText(), /names nothing in the estate/);
    assert.match(await rows.nth(2).innerText(), /May mean: BusinessUnit:payments, Service:payments, Team:payments/);
    assert.match(await rows.nth(3).innerText(), /Daily Banking[\s\S]*Grace Lee/);
    assert.match(await rows.nth(4).innerText(), /Nobody owns it/);
    assert.deepEqual(await axeViolations(page), []);
    await shot(page, 'owners-list');
    const [download] = await Promise.all([page.waitForEvent('download'), table.getByRole('button', { name: 'Download CSV' }).click()]);
    const csv = readFileSync(await download.path(), 'utf8').trim().split('\n');
    assert.equal(csv[0], 'ref,subject,technical,business,support,security,contact,code,note');
    assert.equal(csv[1], 'pay.acme.example,Application:payments-api,payments-core,priya.shah@acme.example,platform-sre,,payments-core@acme.example slack:#payments-core,,');
    assert.match(csv[2], /^no-such-host\.example,,,,,,,NOT_FOUND,"/);
    assert.equal(csv.length, 6);
    // The owner is a link to its page.
    await rows.nth(0).getByRole('link', { name: 'Payments Core' }).click();
    await page.getByRole('heading', { name: /Payments Core/ }).first().waitFor();
    // A list longer than one request takes is asked in turns.
    await page.goBack();
    await page.getByLabel('One per line').fill(Array.from({ length: 501 }, () => 'pay.acme.example').join('\n'));
    await page.getByRole('button', { name: 'Look up owners' }).click();
    await page.getByRole('heading', { name: /^501 looked up: 501 found/ }).waitFor();
    assert.deepEqual(page.errors, []);
    await page.close();
  });

  test('the CMDB health dashboard shows completeness', async () => {
    const page = await newPage();
    await page.goto(server.base + '/health');
    assert.ok(await serverHas('health'), 'the server answers health');
    await page.getByTestId('health-services-owned').waitFor();
    assert.match(await page.getByTestId('health-services-owned').innerText(), /95\.5%[\s\S]*21 of 22/);
    assert.match(await page.getByTestId('health-repos-mapped').innerText(), /68\.3%[\s\S]*41 of 60/);
    assert.match(await page.getByTestId('health-resources-owned').innerText(), /84\.0%[\s\S]*89 of 106/);
    // The demo spells each thing one way.
    await page.getByTestId('health-duplicates').getByText('None found.').waitFor();
    await shot(page, 'health-dashboard');
    assert.deepEqual(page.errors, []);
    await page.close();
  });
});

describe('GraphQL playground', () => {
  test('runs a query with nothing loaded from another host', async () => {
    const page = await newPage();
    const external = [];
    // Offline means offline: any request off the server's host is refused and recorded.
    await page.route('**/*', (route) => {
      const url = new URL(route.request().url());
      if (url.host === new URL(server.base).host || url.protocol === 'data:') return route.continue();
      external.push(url.href);
      return route.abort();
    });
    await page.goto(server.base + '/');
    await page.getByRole('link', { name: 'GraphQL playground' }).click();
    await page.waitForURL(/\/playground$/);
    const run = page.getByRole('button', { name: /Execute query/ });
    await run.waitFor();
    // GraphiQL fills its editor after mounting: run only once the example query is in it.
    await page.waitForFunction(() => document.querySelector('.graphiql-query-editor')?.textContent?.includes('whoOwns'));
    await run.click();
    const result = page.locator('.graphiql-response');
    await page.waitForFunction(() => document.querySelector('.graphiql-response')?.textContent?.includes('Payments Core'));
    const text = await result.innerText();
    assert.match(text, /"subject"[\s\S]*"payments-api"/);
    assert.match(text, /Payments Core/);
    await shot(page, 'playground');
    assert.deepEqual(external, []);
    assert.deepEqual(page.errors, []);
    await page.close();
  });
});

describe('ingest runs', () => {
  test('the demo run on the runs page, in the shadow trend and behind an entity’s sources', async () => {
    // serve --demo loads the demo estate as a recorded run, with the shadow count after it.
    const { ingestRuns } = await gql('{ ingestRuns { totalCount nodes { id source status nodes shadowFindings } } }');
    assert.equal(ingestRuns.totalCount, 1);
    const run = ingestRuns.nodes[0];
    assert.equal(run.source, 'demo');
    assert.equal(run.status, 'SUCCEEDED');
    const page = await newPage();
    await page.goto(server.base + '/');
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Ingest runs' }).click();
    const row = page.getByTestId('runs').locator(`tr[data-run="${run.id}"]`);
    await row.waitFor();
    assert.equal(await page.getByTestId('runs-total').innerText(), '1');
    assert.equal(await row.locator('[data-status]').getAttribute('data-status'), 'SUCCEEDED');
    assert.match(await row.getByTestId('run-found').innerText(), new RegExp(`^${run.nodes} entities`));
    assert.equal(await row.getByTestId('run-shadow').innerText(), String(run.shadowFindings));
    await shot(page, 'ingest-runs');

    // The shadow dashboard's trend: one bar, the demo run's count, which is every finding.
    await page.goto(server.base + '/shadow');
    const bars = page.getByTestId('shadow-trend').locator('.trend-bar');
    await bars.first().waitFor();
    assert.equal(await bars.count(), 1);
    assert.equal(await bars.first().getAttribute('data-n'), String(run.shadowFindings));
    const all = Number(await page.getByTestId('shadow-by-kind').locator('[data-kind="all"]').innerText());
    assert.equal(run.shadowFindings, all);
    await shot(page, 'shadow-trend');

    // The entity page: the demo source's assertion links to its run.
    const { application } = await gql('{ application(key:"payments-api"){ id sources { source } } }');
    await page.goto(`${server.base}/entity/${application.id}`);
    const cell = page.getByTestId('source-run').first();
    await cell.waitFor();
    assert.equal(await cell.locator('[data-status]').getAttribute('data-status'), 'SUCCEEDED');
    await cell.getByRole('link').click();
    await page.waitForURL(`${server.base}/runs/${run.id}`);
    assert.equal(await page.getByTestId('runs').locator(`tr[data-run="${run.id}"] [data-status]`).getAttribute('data-status'), 'SUCCEEDED');
    // So does each recorded change the run made, in the history (the
    // newest is the demo change's AFFECTS, an API write: no run to link).
    await page.goBack();
    const historyRun = page.getByTestId('history').getByTestId('history-run').getByRole('link').first();
    await historyRun.click();
    await page.waitForURL(`${server.base}/runs/${run.id}`);
    await page.getByRole('heading', { level: 1, name: `Ingest run ${run.id}` }).waitFor();
    // A run id that is no ingest run says so.
    await page.goto(`${server.base}/runs/no-such-run`);
    await page.getByText('No ingest run has the id').waitFor();
    // /runs#run-<id> marks the run.
    await page.goto(`${server.base}/runs#run-${run.id}`);
    await page.locator(`tr[data-run="${run.id}"][aria-current="true"]`).waitFor();
    assert.deepEqual(page.errors, []);
    await page.close();
  });
});

describe('a configured source run from the UI', () => {
  test('Run source: its schedule, running, then succeeded, by whom; each run a bar in the shadow trend; the chat hears what each found new', async () => {
    // The chat channel: a local server taking Slack-style webhook messages.
    const chat = [];
    const receiver = createServer((req, res) => {
      let body = '';
      req.on('data', (d) => (body += d));
      req.on('end', () => {
        chat.push(JSON.parse(body).text);
        res.end('ok');
      });
    });
    await new Promise((r) => receiver.listen(0, '127.0.0.1', r));
    // A terraform source whose state file is a named pipe: each run blocks reading it
    // until the test writes a state, so the page is seen while the run is RUNNING.
    const cfg = await startServer({
      prepare: (bin, dataDir) => {
        const dir = dirname(dataDir);
        const fifo = join(dir, 'infra.tfstate');
        execFileSync('mkfifo', [fifo]);
        writeFileSync(join(dir, 'estate.yaml'), `sources:\n  - name: infra\n    type: terraform\n    schedule: "@every 1h"\n    paths: [${fifo}]\n` +
          'notify:\n  - name: platform-chat\n    type: slack\n    urlEnv: E2E_CHAT_URL\n    findings: [unowned-resource]\n');
        const token = createToken(bin, dataDir, 'editor', 'e2e-editor');
        const admin = createToken(bin, dataDir, 'admin', 'e2e-admin');
        return { fifo, token, admin, config: join(dir, 'estate.yaml') };
      },
      args: (p) => ['--config', p.config],
      env: { E2E_CHAT_URL: `http://127.0.0.1:${receiver.address().port}/services/T1/B1/e2e` },
    });
    const { fifo, token } = cfg.prepared;
    // Buckets nobody owns: each is an unowned-resource finding.
    const state = (n) =>
      JSON.stringify({
        version: 4,
        resources: Array.from({ length: n }, (_, i) => ({
          mode: 'managed', type: 'aws_s3_bucket', name: `b${i}`,
          instances: [{ attributes: { arn: `arn:aws:s3:::e2e-orphan-${i}`, bucket: `e2e-orphan-${i}` } }],
        })),
      });
    const page = await browser.context.newPage();
    const errors = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.addInitScript((t) => sessionStorage.setItem('estate.token', t), token);
    let blocked = false; // a run waits on the pipe: stopping the server would wait for it
    try {
      await page.goto(cfg.base + '/runs');
      const sources = page.getByTestId('sources');
      await sources.waitFor();
      // It never ran, so its schedule waits for its first time.
      assert.match(await sources.getByTestId('source-schedule').innerText(), /^@every 1h\s+next in 1 h$/);
      const runs = page.getByTestId('runs');
      for (const n of [2, 5]) {
        await sources.getByRole('button', { name: 'Run infra' }).click();
        blocked = true;
        // Started: the page shows it running, and the button waits.
        await sources.getByRole('button', { name: 'Running…' }).waitFor();
        const running = runs.locator('tbody tr').filter({ hasText: 'infra' }).first();
        assert.equal(await running.locator('[data-status]').getAttribute('data-status'), 'RUNNING');
        assert.equal(await running.getByTestId('run-by').innerText(), 'by e2e-editor');
        await shot(page, `runs-running-${n}`);
        await writeFile(fifo, state(n));
        blocked = false;
        // The page refreshes itself until the run ends.
        await runs.locator('tbody tr').filter({ hasText: 'infra' }).first().locator('[data-status="SUCCEEDED"]').waitFor({ timeout: 15_000 });
        await sources.getByRole('button', { name: 'Run infra' }).waitFor();
      }
      assert.equal(await page.getByTestId('runs-total').innerText(), '3');

      // The shadow trend: the demo run, then +2 and +5 unowned buckets.
      const r = await gql('{ ingestRuns { nodes { source shadowFindings } } }', {}, cfg.base);
      const counts = r.ingestRuns.nodes.map((x) => x.shadowFindings).reverse();
      assert.equal(counts.length, 3);
      assert.deepEqual([counts[1] - counts[0], counts[2] - counts[0]], [2, 5]);
      await page.goto(cfg.base + '/shadow');
      const trend = page.getByRole('list', { name: 'Findings after each run, oldest first' });
      const bars = trend.getByRole('listitem');
      await bars.first().waitFor();
      assert.equal(await bars.count(), 3);
      assert.deepEqual(await bars.evaluateAll((els) => els.map((e) => Number(e.dataset.n))), counts);
      const labels = await bars.evaluateAll((els) => els.map((e) => e.getAttribute('aria-label')));
      assert.match(labels[0], new RegExp(`^demo run of .+: ${counts[0]} open findings$`));
      assert.match(labels[2], new RegExp(`^terraform:infra\\.tfstate run of .+: ${counts[2]} open findings$`));
      assert.deepEqual(await bars.locator('.trend-n').allInnerTexts(), counts.map(String));
      // By finding type, in the table.
      await page.getByText(/As a table, by finding type/).click();
      const last = page.getByTestId('shadow-trend-table').locator('tbody tr').last();
      assert.match(await last.innerText(), new RegExp(`terraform:infra\\.tfstate\\s+${counts[2]}\\s+.*unowned-resource ${17 + 5}`));
      await shot(page, 'shadow-trend-runs');

      // The chat heard of the 2 new buckets, then of the 3 more: not the
      // demo's findings, open before the server started, nor the 2 again.
      assert.equal(chat.length, 2, chat.join('\n---\n'));
      assert.match(chat[0], /the run of terraform:infra\.tfstate found 2 new shadow findings \(19 open in all\)/);
      assert.match(chat[1], /found 3 new shadow findings \(22 open in all\)/);
      assert.ok(['e2e-orphan-2', 'e2e-orphan-3', 'e2e-orphan-4'].every((b) => chat[1].includes(b)) && !chat[1].includes('e2e-orphan-0'), chat[1]);
      // The page says who hears of new findings; an editor cannot test it, an admin can.
      const targets = page.getByTestId('notify-targets');
      assert.match(await targets.innerText(), /platform-chat \(chat\): Cloud resources nobody owns/);
      assert.equal(await targets.getByRole('button').count(), 0);
      // The changes page names who hears of changes: nobody here.
      await page.goto(cfg.base + '/changes');
      await page.getByTestId('notify-targets').getByText('Nobody is told when a change waits for a decision.').waitFor();
      const asAdmin = await browser.context.newPage();
      try {
        await asAdmin.addInitScript((t) => sessionStorage.setItem('estate.token', t), cfg.prepared.admin);
        await asAdmin.goto(cfg.base + '/shadow');
        const theirs = asAdmin.getByTestId('notify-targets');
        await theirs.getByRole('button', { name: 'Send platform-chat a test message' }).click();
        await theirs.getByText('Delivered.').waitFor();
        await theirs.scrollIntoViewIfNeeded();
        await shot(asAdmin, 'notify-targets');
      } finally {
        await asAdmin.close();
      }
      assert.equal(chat.length, 3);
      assert.match(chat[2], /a test message/);
      assert.deepEqual(errors, []);
    } finally {
      await page.close();
      if (blocked) await writeFile(fifo, state(0));
      await cfg.stop();
      receiver.close();
    }
  });
});

describe('changes', () => {
  test('a team member approves its NORMAL change, the CAB rejects a HIGH one; each sees only what it may decide', async () => {
    const srv = await startServer({
      prepare: (bin, dataDir) => ({ team: createToken(bin, dataDir, 'editor', 'wendy', '--team', 'workplace'), cab: createToken(bin, dataDir, 'editor', 'carla', '--cab') }),
    });
    const page = await newPage();
    const row = (key) => page.locator(`[data-testid="changes"] tr[data-change="${key}"]`);
    const signIn = async (t) => {
      await page.locator('header').getByRole('button', { name: 'Sign in' }).click();
      await page.getByText('This server lets anyone read').waitFor();
      await page.getByLabel('API token').fill(t);
      await page.getByRole('main').getByRole('button', { name: 'Sign in' }).click();
    };
    const intranet = 'github.com/acme/intranet@77aa012/production';
    const payments = 'github.com/acme/payments-api@3f9c2e1/production';
    try {
      // The demo's changes: waiting ones first, each saying who decides it.
      await page.goto(srv.base + '/');
      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Changes' }).click();
      await page.getByTestId('changes').waitFor();
      assert.equal(await page.getByTestId('changes-total').innerText(), '4');
      assert.equal(await row(payments).locator('[data-class]').getAttribute('data-class'), 'HIGH');
      assert.match(await row(payments).innerText(), /waiting\s+for the change advisory board/);
      assert.match(await row(intranet).innerText(), /NORMAL|normal/);
      assert.match(await row(intranet).innerText(), /for team workplace/);
      await shot(page, 'changes-waiting');
      // What has waited longest first (the demo's changes were assessed 29,
      // 19, 4 and 1 hours ago); by repository on request.
      const order = () => page.getByTestId('changes').locator('tbody tr').evaluateAll((rs) => rs.map((r) => r.dataset.change.split('@')[0]));
      assert.deepEqual(await order(), ['github.com/acme/intranet', 'github.com/acme/checkout-monorepo', 'github.com/acme/payments-api', 'github.com/acme/promo-pages']);
      await page.getByLabel('Order').selectOption('KEY');
      await page.waitForFunction(() => document.querySelector('[data-testid="changes"] tbody tr')?.dataset.change.startsWith('github.com/acme/checkout-monorepo'));
      assert.deepEqual(await order(), ['github.com/acme/checkout-monorepo', 'github.com/acme/intranet', 'github.com/acme/payments-api', 'github.com/acme/promo-pages']);

      // Decided ones, with who decided; the approved one caused an incident.
      await page.getByLabel('Status').selectOption('APPROVED');
      const exportKey = 'github.com/acme/order-export@51be0a9/production';
      await row(exportKey).waitFor();
      assert.equal(await page.getByTestId('changes-total').innerText(), '1');
      assert.match(await row(exportKey).innerText(), /by dana\.checkout \(demo\)/);
      await row(exportKey).getByRole('link').click();
      await page.getByTestId('decision-reason').waitFor();
      assert.match(await page.getByTestId('decision-reason').innerText(), /warehouse partner/);
      assert.match(await page.getByTestId('change-incidents').innerText(), /INC0010442/);
      assert.ok((await page.getByTestId('change-factors').locator('tbody tr').count()) >= 5, 'the factors of the assessment');
      assert.match(await page.getByTestId('change-affects').innerText(), /Order Export|order-export/i);
      assert.equal(await page.getByRole('heading', { name: 'Decide' }).count(), 0, 'a decided change has no decision form');
      // The incident's page: whom to call is whoever owns what it hit.
      await page.getByTestId('change-incidents').getByRole('link', { name: 'INC0010442' }).click();
      await page.getByTestId('who-owns').getByRole('link', { name: 'Checkout' }).first().waitFor();
      assert.match(await page.getByTestId('who-owns').innerText(), /inherited/i);
      // Which change may have caused it: the recorded one, deployed 30 h before it started, touching what it hit;
      // listed whatever the window, as the recorded cause.
      const suspects = page.getByTestId('suspects');
      const cause = suspects.locator(`tr[data-change="${exportKey}"]`);
      await cause.waitFor();
      assert.match(await cause.innerText(), /recorded cause[\s\S]*30 h before[\s\S]*order[- ]export[\s\S]*what it hit/i);
      await suspects.getByRole('combobox').selectOption('1');
      await suspects.getByText(/refreshing/).waitFor({ state: 'detached' });
      assert.equal(await suspects.locator('tbody tr').count(), 1);
      await cause.getByRole('link').first().click();
      await page.getByTestId('decision-reason').waitFor();
      await page.goBack();


      // A key that is not one, or not even valid UTF-8 once decoded: said so.
      await page.goto(srv.base + '/changes/%E0%A4');
      await page.getByText('No recorded change has the key').waitFor();

      // Anonymous: a waiting change says who decides it, without a form.
      await page.goto(srv.base + '/changes/' + encodeURIComponent(intranet));
      await page.getByTestId('decide-who').waitFor();
      assert.match(await page.getByTestId('decide-who').innerText(), /workplace team .*decides this change\. Sign in/);

      // A token the server refuses: told so, and back to reading without one.
      await signIn('not-a-token');
      await page.getByText('The server did not accept that token.').waitFor();
      await page.getByRole('main').getByRole('button', { name: 'Cancel' }).click();
      await page.getByTestId('decide-who').waitFor();
      await page.getByText('anonymous (read-only)').waitFor();
      assert.equal(await page.evaluate(() => sessionStorage.getItem('estate.token')), null);
      // The browser logs the refusals (401): those only.
      assert.ok(page.errors.length > 0 && page.errors.every((e) => e.includes('401 (Unauthorized)')), JSON.stringify(page.errors));
      page.errors.length = 0;

      // The owning team's member signs in and approves it, with a reason.
      await signIn(srv.prepared.team);
      await page.getByText('wendy (editor)').waitFor();
      await page.getByRole('heading', { name: 'Decide' }).waitFor();
      await page.getByLabel('Reason (recorded with the decision)').fill('Intranet banner copy only; checked on staging');
      await shot(page, 'change-decide');
      await page.getByRole('button', { name: 'Approve' }).click();
      await page.getByTestId('decision').waitFor();
      assert.match(await page.getByTestId('decision').innerText(), /^by wendy/);
      assert.equal(await page.locator('[data-testid="change-facts"] [data-status]').getAttribute('data-status'), 'APPROVED');
      assert.match(await page.getByTestId('decision-reason').innerText(), /banner copy/);

      // The same member may not decide a HIGH change.
      await page.goto(srv.base + '/changes/' + encodeURIComponent(payments));
      await page.getByTestId('decide-who').waitFor();
      assert.match(await page.getByTestId('decide-who').innerText(), /Only the change advisory board decides this change\. Your token may not decide it\./);
      // What it reaches: the impact page, from its repository and changed path.
      await page.getByRole('link', { name: 'what it reaches (impact analysis)' }).click();
      await page.getByTestId('impact-services').waitFor();
      assert.equal(new URL(page.url()).search, '?ref=github.com%2Facme%2Fpayments-api&path=internal%2Fcharge%2Fretry.go');
      assert.match(await page.getByTestId('impact-services').innerText(), /online-banking|Online Banking/);
      await page.goBack();
      await page.getByTestId('decide-who').waitFor();

      // The change advisory board rejects it.
      await page.locator('header').getByRole('button', { name: 'Sign out' }).click();
      await page.getByText('anonymous (read-only)').waitFor();
      await signIn(srv.prepared.cab);
      await page.getByText('carla (editor)').waitFor();
      await page.getByLabel('Reason (recorded with the decision)').fill('Retry change needs a canary first');
      await page.getByRole('button', { name: 'Reject' }).click();
      await page.getByTestId('decision').waitFor();
      assert.equal(await page.locator('[data-testid="change-facts"] [data-status]').getAttribute('data-status'), 'REJECTED');
      await shot(page, 'change-rejected');

      // What the server recorded.
      const d = await gql('query($a: String!, $b: String!) { a: change(key: $a) { status decidedBy decisionReason } b: change(key: $b) { status decidedBy decisionReason } }',
        { a: intranet, b: payments }, srv.base);
      assert.deepEqual(d, {
        a: { status: 'APPROVED', decidedBy: 'wendy', decisionReason: 'Intranet banner copy only; checked on staging' },
        b: { status: 'REJECTED', decidedBy: 'carla', decisionReason: 'Retry change needs a canary first' },
      });
      // Two fewer waiting.
      await page.goto(srv.base + '/changes');
      await page.getByTestId('changes').waitFor();
      assert.equal(await page.getByTestId('changes-total').innerText(), '2');

      // A team's page: its track record (the approved export caused an
      // incident) and a link to all its changes; the export's service
      // counts the same deployment.
      const ids = await gql('{ team(name: "checkout") { id } service(key: "order-management") { id } }', {}, srv.base);
      await page.goto(`${srv.base}/entity/${ids.service.id}`);
      await page.getByTestId('delivery-metrics').waitFor();
      assert.match(await page.getByTestId('delivery-metrics').innerText(),
        /Deployments\s+1 \(0\.01 a day\)[\s\S]*Change failure rate\s+100% \(1 of 1\)[\s\S]*Incidents\s+1 \(1 restored\)[\s\S]*Time to restore \(median\)\s+3 h/);
      await page.goto(`${srv.base}/entity/${ids.team.id}`);
      const delivery = page.getByTestId('delivery');
      await delivery.getByTestId('delivery-metrics').waitFor();
      assert.equal(await delivery.locator('[data-level]').getAttribute('data-level'), 'BRONZE');
      assert.match(await delivery.getByTestId('delivery-metrics').innerText(), /Deployments\s+1 \(0\.01 a day\)[\s\S]*Change failure rate\s+100% \(1 of 1\)/);
      assert.equal(await delivery.getByTestId('incidents-caused').innerText(), 'Incidents its changes caused: 1');
      await shot(page, 'team-delivery');
      assert.equal(await page.getByRole('link', { name: 'Impact of a change' }).count(), 0, 'a team does not change: no impact link');
      await delivery.getByRole('link', { name: "the team's changes" }).click();
      await page.getByTestId('changes').waitFor();
      assert.equal(await page.getByLabel('Owning team').inputValue(), 'checkout');
      assert.deepEqual((await page.getByTestId('changes').locator('tbody tr').evaluateAll((rs) => rs.map((r) => r.dataset.change))).sort(),
        ['github.com/acme/checkout-monorepo@8a41d07/production', 'github.com/acme/order-export@51be0a9/production']);
      // The main menu's Changes: every waiting change again, not the team's.
      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Changes' }).click();
      await page.waitForURL(`${srv.base}/changes`);
      await page.waitForFunction(() => document.querySelector('input[placeholder="team key"]')?.value === '');
      assert.equal(await page.getByLabel('Owning team').inputValue(), '');
      assert.equal(await page.getByLabel('Status').inputValue(), 'PENDING');
      assert.deepEqual(page.errors, []);
    } finally {
      await page.close();
      await srv.stop();
    }
  });
});

describe('edits by an editor', () => {
  test('an owner for an unowned service, a service for an orphan application, an unregistered account registered, a duplicate team merged; each with evidence, removable; readers cannot', async () => {
    const srv = await editorAndViewer();
    const page = await newPage();
    try {
      // The demo's service nobody owns.
      const { service } = await gql('{ service(key:"document-archive"){ id } }', {}, srv.base);
      const owners = page.getByTestId('owners');
      const open = async (t) => {
        await page.evaluate((v) => (v ? sessionStorage.setItem('estate.token', v) : sessionStorage.removeItem('estate.token')), t);
        await page.goto(`${srv.base}/entity/${service.id}`);
        await owners.waitFor();
        await page.getByTestId('who-owns').waitFor();
      };
      await page.goto(srv.base + '/');
      for (const t of [null, srv.prepared.viewer]) {
        await open(t);
        assert.match(await owners.innerText(), /No direct owner/);
        assert.equal(await page.getByTestId('add-owner').count(), 0, 'a reader has no form');
      }

      await open(srv.prepared.editor);
      const form = page.getByTestId('add-owner');
      await form.locator('summary').click();
      // A name that matches nobody says so; a suggestion is picked by its label.
      await form.getByLabel('Team or person').fill('zzzz');
      await form.getByText('No team or person matches “zzzz”.').waitFor();
      await form.getByLabel('Team or person').fill('Platform S');
      await form.getByText('Pick one of the suggestions.').waitFor();
      const labels = await form.locator('datalist option').evaluateAll((os) => os.map((o) => o.value));
      assert.ok(labels.includes('Platform SRE (team)'), `suggestions ${labels}`);
      await form.getByLabel('Team or person').fill('Platform SRE (team)');
      await form.getByLabel('Role').selectOption('SUPPORT');
      assert.equal(await form.getByRole('button', { name: 'Add owner' }).isDisabled(), true, 'no evidence, no owner');
      assert.deepEqual(await axeViolations(page), [], 'the open form passes axe-core');
      await form.getByLabel('Evidence').fill('CMDB-42: the SRE on-call runs it');
      await form.getByRole('button', { name: 'Add owner' }).click();
      // The owner, its role, the evidence and the manual source; whom to call follows.
      const row = owners.locator('tbody tr').filter({ hasText: 'Platform SRE' });
      await row.waitFor();
      assert.match(await row.innerText(), /support[\s\S]*CMDB-42: the SRE on-call runs it[\s\S]*manual/);
      await page.getByTestId('who-owns').getByRole('link', { name: 'Platform SRE' }).first().waitFor();
      await shot(page, 'owner-added');
      const owned = async () => (await gql('{ service(key:"document-archive"){ owners: relationships(type:[OWNS], direction: IN){ totalCount } } }', {}, srv.base)).service.owners.totalCount;
      assert.equal(await owned(), 1);

      // A reader sees it and cannot remove it; the editor can.
      await open(srv.prepared.viewer);
      await row.waitFor();
      assert.equal(await row.getByRole('button', { name: 'Remove' }).count(), 0);
      await open(srv.prepared.editor);
      await row.getByRole('button', { name: 'Remove' }).click();
      await owners.getByText(/No direct owner/).waitFor();
      assert.equal(await owned(), 0);
      // An owner a source asserts has no Remove button: the next run would put it back.
      const { application } = await gql('{ application(key:"payments-api"){ id } }', {}, srv.base);
      await page.goto(`${srv.base}/entity/${application.id}`);
      await owners.locator('tbody tr').first().waitFor();
      assert.equal(await owners.getByRole('button', { name: 'Remove' }).count(), 0);

      // The application in no service: said to anyone; an editor puts it in one, and can take it out again.
      const { application: orphan } = await gql('{ application(key:"fx-rates-poller"){ id } }', {}, srv.base);
      await page.evaluate(() => sessionStorage.removeItem('estate.token'));
      await page.goto(`${srv.base}/entity/${orphan.id}`);
      await page.getByTestId('no-service').waitFor();
      assert.equal(await page.getByTestId('add-to-service').count(), 0);
      await page.evaluate((v) => sessionStorage.setItem('estate.token', v), srv.prepared.editor);
      await page.reload();
      const svc = page.getByTestId('add-to-service');
      await svc.locator('summary').click();
      await svc.getByLabel('Service').fill('General');
      await svc.getByText('Pick one of the suggestions.').waitFor();
      await svc.getByLabel('Service').fill('General Ledger (service)');
      await svc.getByLabel('Evidence').fill('CMDB-77');
      await svc.getByRole('button', { name: 'Put in service' }).click();
      await page.getByTestId('no-service').waitFor({ state: 'detached' });
      const partOf = page.getByTestId('relationships').locator('tbody tr').filter({ hasText: 'PART_OF' });
      assert.match(await partOf.innerText(), /General Ledger[\s\S]*CMDB-77/);
      assert.equal((await gql('{ application(key:"fx-rates-poller"){ service { key } } }', {}, srv.base)).application.service.key, 'ledger');
      await partOf.getByRole('button', { name: 'Remove' }).click();
      await page.getByTestId('no-service').waitFor();

      // The unregistered account: registered with the ticket, and no longer Shadow DevOps.
      const shadowAccounts = async () => (await gql('{ shadowEstate { findings(kinds: ["unregistered-account"]) { item { key } } } }', {}, srv.base)).shadowEstate.findings.map((f) => f.item.key);
      assert.ok((await shadowAccounts()).includes('aws:444455556666'));
      const { cloudAccount } = await gql('{ cloudAccount(key:"aws:444455556666"){ id } }', {}, srv.base);
      await page.goto(`${srv.base}/entity/${cloudAccount.id}`);
      const reg = page.getByTestId('register-account');
      await reg.locator('summary').click();
      await reg.getByLabel('Evidence').fill('CMDB-99: the data team\'s sandbox, approved');
      await reg.getByRole('button', { name: 'Register' }).click();
      await page.getByTestId('unregistered').waitFor({ state: 'detached' });
      assert.ok(!(await shadowAccounts()).includes('aws:444455556666'));

      // A duplicate: the catalog's record of the SRE team, owning Grafana's security. Merged into the team from its page.
      const asEditor = async (query) => {
        const r = await fetch(`${srv.base}/graphql`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${srv.prepared.editor}` },
          body: JSON.stringify({ query }),
        });
        const j = await r.json();
        assert.equal(j.errors, undefined, JSON.stringify(j.errors));
      };
      await asEditor('mutation { upsertEntities(input: [{kind: Team, key: "platform-sre-oncall", name: "Platform SRE", aliases: ["group:sre"]}]) { created } }');
      await asEditor('mutation { link(input: {type: OWNS, from: {kind: Team, key: "platform-sre-oncall"}, to: {kind: Application, key: "grafana"}, role: SECURITY, evidence: "catalog-info.yaml"}) { created } }');
      // And a team spelled like the payments team that is another team.
      await asEditor('mutation { upsertEntities(input: [{kind: Team, key: "retail/payments-core", name: "Payments Core (retail)"}]) { created } }');
      // The health dashboard lists the two as likely duplicates.
      await page.goto(`${srv.base}/health`);
      const likely = page.getByTestId('health-duplicates');
      await likely.locator('tbody tr').first().waitFor();
      assert.match(await likely.innerText(), /Team\s+Platform SRE platform-sre\s+Platform SRE platform-sre-oncall\s+platform-sre/);
      assert.deepEqual(await axeViolations(page), [], "the editor's duplicates card passes axe-core");
      // The editor says the two payments teams are two teams.
      const payments = likely.locator('tbody tr').filter({ hasText: 'retail/payments-core' });
      await payments.getByRole('button', { name: 'Not duplicates' }).click();
      await payments.waitFor({ state: 'detached' });
      assert.equal((await gql('{ likelyDuplicates { totalCount } }', {}, srv.base)).likelyDuplicates.totalCount, 1);
      const retail = await gql('{ team(name:"retail/payments-core"){ id labels { key value } } }', {}, srv.base);
      assert.equal(retail.team.labels.find((l) => l.key === 'not-duplicate-of')?.value, 'payments-core');
      // Its merge form no longer suggests the payments team.
      const suggested = page.waitForResponse((r) => (r.request().postData() ?? '').includes('query LikelyDuplicatesOf'));
      await page.goto(`${srv.base}/entity/${retail.team.id}`);
      assert.equal((await (await suggested).json()).data.likelyDuplicatesOf, null);
      await page.getByTestId('merge-duplicate').locator('summary').click();
      assert.equal(await page.getByTestId('merge-duplicate').getByText('Spelled like it').count(), 0);
      // The decision shows on the page, and is withdrawn there: the pair is listed and suggested again.
      const { team: paymentsCore } = await gql('{ team(name:"payments-core"){ id name } }', {}, srv.base);
      const notDup = page.getByTestId('not-duplicates');
      await notDup.getByRole('link', { name: paymentsCore.name }).waitFor();
      assert.deepEqual(await axeViolations(page), [], 'the recorded decision passes axe-core');
      await notDup.getByRole('button', { name: `Withdraw: ${paymentsCore.name} may be a duplicate` }).click();
      await notDup.waitFor({ state: 'detached' });
      assert.equal((await gql('{ likelyDuplicates { totalCount } }', {}, srv.base)).likelyDuplicates.totalCount, 2);
      await page.getByTestId('merge-duplicate').locator('summary').click();
      await page.getByTestId('merge-duplicate').getByRole('button', { name: /\(payments-core\)/ }).waitFor();
      // Recorded again, for what follows.
      await asEditor(`mutation { markDistinct(ids: ["${retail.team.id}", "${paymentsCore.id}"]) { entities { id } } }`);
      const { team } = await gql('{ team(name:"platform-sre"){ id } }', {}, srv.base);
      const { team: dupTeam } = await gql('{ team(name:"platform-sre-oncall"){ id } }', {}, srv.base);
      // The duplicate's page suggests the team too: spelled alike by name, though its key is longer.
      await page.goto(`${srv.base}/entity/${dupTeam.id}`);
      await page.getByTestId('merge-duplicate').locator('summary').click();
      await page.getByTestId('merge-duplicate').getByRole('button', { name: /\(platform-sre\)$/ }).waitFor();
      await page.evaluate((v) => sessionStorage.setItem('estate.token', v), srv.prepared.viewer);
      await page.goto(`${srv.base}/entity/${team.id}`);
      await page.getByTestId('relationships').waitFor();
      assert.equal(await page.getByTestId('duplicates').count(), 0, 'a reader cannot merge');
      await page.evaluate((v) => sessionStorage.setItem('estate.token', v), srv.prepared.editor);
      await page.reload();
      const merge = page.getByTestId('merge-duplicate');
      await merge.locator('summary').click();
      await merge.getByRole('button', { name: /platform-sre-oncall/ }).click();
      await merge.getByText(/will be removed/).waitFor();
      assert.deepEqual(await axeViolations(page), [], 'the open merge form passes axe-core');
      await merge.getByRole('button', { name: 'Merge' }).click();
      // The team now has the duplicate's key and alias, and owns what it owned.
      const aliases = page.getByTestId('aliases');
      await aliases.getByText('platform-sre-oncall').waitFor();
      assert.match(await aliases.innerText(), /platform-sre-oncall \(merged\)/);
      assert.match(await aliases.innerText(), /group:sre \(manual\)/);
      const grafana = page.getByTestId('relationships').locator('tbody tr').filter({ hasText: 'Grafana' }).filter({ hasText: 'security' });
      assert.match(await grafana.innerText(), /catalog-info\.yaml/);
      await page.waitForFunction(() => !document.querySelector('[data-testid="merge-duplicate"]')?.textContent?.includes('platform-sre-oncall'));
      await shot(page, 'duplicate-merged');
      // The old key finds the team; nothing is left under it.
      assert.equal((await gql('{ team(name:"platform-sre-oncall"){ key } }', {}, srv.base)).team.key, 'platform-sre');
      assert.deepEqual((await gql('{ resolve(ref:"group:sre", kinds:[Team]){ key } }', {}, srv.base)).resolve, [{ key: 'platform-sre' }]);
      await page.goto(`${srv.base}/health`);
      await likely.getByText('None found.').waitFor();
      // A bookmark of the duplicate says where it went.
      await page.goto(`${srv.base}/entity/${dupTeam.id}`);
      await page.getByTestId('merged-into').getByRole('link', { name: 'Platform SRE' }).click();
      await page.waitForURL(`${srv.base}/entity/${team.id}`);
      assert.deepEqual(page.errors, []);
    } finally {
      await page.close();
      await srv.stop();
    }
  });
});

describe('shadow triage by an editor', () => {
  test('an editor accepts findings with a reason and an end, they leave the counts for the accepted list, and reopens one; readers cannot', async () => {
    const srv = await editorAndViewer();
    const page = await newPage();
    try {
      const byKind = page.getByTestId('shadow-by-kind');
      const count = async (k) => Number(await byKind.locator(`[data-kind="${k}"]`).innerText());
      const open = async (t) => {
        await page.evaluate((v) => (v ? sessionStorage.setItem('estate.token', v) : sessionStorage.removeItem('estate.token')), t);
        await page.goto(`${srv.base}/shadow`);
        await page.getByTestId('shadow-findings').locator('tbody tr').first().waitFor();
      };
      await page.goto(srv.base + '/');
      await open(srv.prepared.viewer);
      assert.equal(await page.getByTestId('shadow-findings').getByRole('checkbox').count(), 0, 'a reader selects nothing');
      assert.equal(await count('accepted'), 0);

      await open(srv.prepared.editor);
      await byKind.getByRole('button', { name: /Repositories mapped to nothing/ }).click();
      const findings = page.getByTestId('shadow-findings');
      await findings.getByRole('checkbox', { name: 'Select Repositories mapped to nothing: engineering-handbook' }).check();
      await findings.getByRole('checkbox', { name: 'Select Repositories mapped to nothing: .github' }).check();
      const triage = page.getByTestId('triage');
      const accept = triage.getByRole('button', { name: 'Accept 2 findings' });
      assert.equal(await accept.isDisabled(), true, 'no reason, no acceptance');
      assert.deepEqual(await axeViolations(page), [], 'the triage form passes axe-core');
      await triage.getByLabel('Reason').fill('DOC-3: docs only, nothing runs from them');
      const until = await triage.getByLabel(/Until/).inputValue();
      await accept.click();
      await page.getByTestId('triage-done').getByText('Accepted 2 findings.').waitFor();
      await page.waitForFunction(() => document.querySelector('[data-kind="accepted"]')?.textContent === '2');
      assert.equal(await count('unmapped-repository'), 17);
      assert.equal(await count('all'), 52);

      // The accepted list: who, why, until when.
      await byKind.getByRole('button', { name: /Accepted: known/ }).click();
      assert.equal(await page.getByTestId('shadow-shown').innerText(), '2');
      const notes = await findings.getByTestId('acceptance').allInnerTexts();
      // Accepted through the day picked (UTC): open again the day after.
      const again = new Date(Date.parse(`${until}T00:00:00Z`) + 86_400_000).toLocaleDateString('en-US', { timeZone: 'UTC' });
      assert.equal(notes.length, 2);
      for (const n of notes) assert.ok(n.includes('“DOC-3: docs only, nothing runs from them” — edna') && n.includes(`open again on ${again}`), n);
      await shot(page, 'shadow-accepted');
      // The decision is on the repository, in its history by edna.
      await findings.getByRole('link', { name: 'engineering-handbook' }).click();
      await page.getByText('shadow-accepted/unmapped-repository').first().waitFor();
      assert.match(await page.getByTestId('history').innerText(), /edna/);

      // Reopened, it counts again.
      await page.goto(`${srv.base}/shadow`);
      await byKind.getByRole('button', { name: /Accepted: known/ }).click();
      await findings.getByRole('checkbox', { name: 'Select Repositories mapped to nothing: .github' }).check();
      await page.getByTestId('triage').getByRole('button', { name: 'Reopen 1 finding' }).click();
      await page.getByTestId('triage-done').getByText('Reopened 1 finding.').waitFor();
      await page.waitForFunction(() => document.querySelector('[data-kind="accepted"]')?.textContent === '1');
      assert.equal(await page.getByTestId('shadow-shown').innerText(), '1');
      assert.equal(await count('unmapped-repository'), 18);

      // One ending within 30 days: the exceptions to review.
      assert.equal(await count('ending'), 0);
      await byKind.getByRole('button', { name: /Owners who left/ }).click();
      await findings.getByRole('checkbox', { name: /^Select Owners who left/ }).check();
      await page.getByTestId('triage').getByLabel('Reason').fill('HR-9: handover in progress');
      const soon = new Date(Date.now() + 7 * 86_400_000).toISOString().slice(0, 10);
      await page.getByTestId('triage').getByLabel(/Until/).fill(soon);
      await page.getByTestId('triage').getByRole('button', { name: 'Accept 1 finding' }).click();
      await page.waitForFunction(() => document.querySelector('[data-kind="ending"]')?.textContent === '1');
      await byKind.getByRole('button', { name: /ending within 30 days/ }).click();
      assert.equal(await page.getByTestId('shadow-shown').innerText(), '1');
      assert.match(await findings.innerText(), /Owners who left[\s\S]*HR-9: handover in progress/);

      // Every finding shown at once, with no end.
      await byKind.getByRole('button', { name: /Tags naming unknown teams/ }).click();
      await findings.getByRole('checkbox', { name: 'Select all 9 shown' }).check();
      await page.getByTestId('triage').getByLabel('Reason').fill('CHG-12: retagging next sprint');
      await page.getByTestId('triage').getByLabel(/Until/).fill('');
      await page.getByTestId('triage').getByRole('button', { name: 'Accept 9 findings' }).click();
      await page.waitForFunction(() => document.querySelector('[data-kind="accepted"]')?.textContent === '11');
      assert.equal(await count('unknown-team-tag'), 0);
      const tagged = (await gql('{ shadowEstate { findings(accepted: true, kinds: ["unknown-team-tag"]) { acceptance { by until reason } } } }', {}, srv.base)).shadowEstate.findings;
      assert.equal(tagged.length, 9);
      assert.ok(tagged.every((f) => f.acceptance.by === 'edna' && f.acceptance.until === null && f.acceptance.reason === 'CHG-12: retagging next sprint'), JSON.stringify(tagged[0]));
      assert.deepEqual(page.errors, []);
    } finally {
      await page.close();
      await srv.stop();
    }
  });
});

describe('a server without the answers API', () => {
  test('the dashboards say so instead of failing', async () => {
    const page = await newPage();
    // Answer the UI's schema question as an older server would.
    await page.route('**/graphql', async (route) => {
      const body = route.request().postData() ?? '';
      if (!body.includes('__type(name: \\"Query\\")')) return route.continue();
      const res = await route.fetch();
      const json = await res.json();
      json.data.__type.fields = json.data.__type.fields.filter((f) => !['impact', 'shadowEstate', 'health', 'whoOwns', 'whoOwnsEach', 'lookup'].includes(f.name));
      return route.fulfill({ response: res, json });
    });
    for (const [path, what] of [['/shadow', 'shadowEstate'], ['/impact', 'impact'], ['/health', 'health'], ['/owners', 'whoOwnsEach']]) {
      await page.goto(server.base + path);
      const box = page.getByTestId('not-available');
      await box.waitFor();
      assert.match(await box.innerText(), new RegExp(`Not available in this server[\\s\\S]*${what}`));
    }
    await shot(page, 'health-not-available');
    const { application } = await gql('{ application(key:"payments-api"){ id } }');
    await page.goto(`${server.base}/entity/${application.id}`);
    await page.getByTestId('owners').locator('tbody tr').first().waitFor();
    assert.equal(await page.getByTestId('who-owns').count(), 0);
    // The search box resolves keys and aliases without lookup.
    const box = page.getByRole('combobox', { name: 'Search the estate' });
    await box.fill('pay.acme.example');
    await box.press('Enter');
    await page.getByRole('heading', { level: 1, name: 'Payments API' }).waitFor();
    await page.close();
  });
});

// Every main page, checked by axe-core (WCAG 2.1 AA: contrast, names, roles),
// on a laptop screen (1366×768) as well as the tests' larger default.
describe('accessibility and a laptop screen', () => {
  const pages = async () => {
    const { application } = await gql('{ application(key:"payments-api"){ id } }');
    const { cloudAccount } = await gql('{ cloudAccount(key:"aws:444455556666"){ id } }');
    const { entity: incident } = await gql('{ entity(kind: Incident, key:"INC0010442"){ id } }');
    const { team } = await gql('{ team(name:"platform-sre"){ id } }');
    return [
      ['home', '/', (p) => p.getByRole('heading', { name: /The estate: \d+ entities/ }).waitFor()],
      ['search', '/search?q=payments', (p) => p.getByRole('link', { name: 'Payments API' }).first().waitFor()],
      ['entity', `/entity/${application.id}`, (p) => p.getByTestId('who-owns').waitFor()],
      ['team', `/entity/${team.id}`, (p) => p.getByTestId('owned-by').waitFor()],
      ['explorer', `/explore/${cloudAccount.id}`, (p) => p.waitForFunction(() => Number(document.querySelector('[data-testid="graph-counts"] span')?.getAttribute('data-nodes')) > 1)],
      ['impact', `/impact?ref=${encodeURIComponent('https://github.com/acme/payments-api')}`, (p) => p.getByTestId('impact-services').waitFor()],
      ['shadow', '/shadow', (p) => p.getByTestId('shadow-trend').waitFor()],
      ['health', '/health', (p) => p.getByTestId('health-services-owned').waitFor()],
      ['runs', '/runs', (p) => p.getByTestId('runs').waitFor()],
      ['changes', '/changes', (p) => p.getByTestId('changes').waitFor()],
      ['change', `/changes/${encodeURIComponent('github.com/acme/payments-api@3f9c2e1/production')}`, (p) => p.getByTestId('change-factors').waitFor()],
      ['incident', `/entity/${incident.id}`, (p) => p.getByTestId('suspects').locator('tbody tr').first().waitFor()],
    ];
  };

  for (const [label, size] of [['default screen', { width: 1440, height: 900 }], ['laptop 1366×768', { width: 1366, height: 768 }]]) {
    test(`no axe-core violations on the main pages (${label})`, async () => {
      const page = await newPage();
      await page.setViewportSize(size);
      const found = [];
      for (const [name, path, ready] of await pages()) {
        await page.goto(server.base + path);
        await ready(page);
        for (const v of await axeViolations(page)) found.push(`${name}: ${v}`);
        // Nothing wider than the screen: no sideways scrolling on a laptop.
        const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
        assert.ok(overflow <= 0, `${name} is ${overflow}px wider than a ${size.width}px window`);
        if (size.width === 1366) await shot(page, `laptop-${name}`);
      }
      assert.deepEqual(found, []);
      assert.deepEqual(page.errors, []);
      await page.close();
    });
  }
});

describe('sign-in', () => {
  test('a server that needs a token asks for one, and the token never goes into a URL', async () => {
    // Listening on every interface turns anonymous reads off.
    const locked = await startServer({
      host: '0.0.0.0',
      prepare: (bin, dataDir) => createToken(bin, dataDir, 'viewer', 'e2e'),
    });
    const token = locked.prepared;
    assert.match(token, /^\S{20,}$/);
    const page = await newPage();
    const urls = [];
    const authHeaders = [];
    page.on('request', (r) => {
      urls.push(r.url());
      if (r.url().endsWith('/graphql')) authHeaders.push(r.headers()['authorization'] ?? '');
    });
    try {
      await page.goto(locked.base + '/');
      await page.getByRole('heading', { name: 'Sign in' }).waitFor();
      await page.getByLabel('API token').fill('not-a-token');
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByText('The server did not accept that token').waitFor();
      await page.getByLabel('API token').fill(token);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByText('e2e (viewer)').waitFor();
      await page.getByRole('heading', { name: /The estate: \d+ entities/ }).waitFor();
      await shot(page, 'signed-in-home');
      assert.ok(authHeaders.includes(`Bearer ${token}`), 'the token goes in the Authorization header');
      for (const u of urls) assert.ok(!u.includes(token), `token in URL ${u}`);
      // Signing out forgets it.
      await page.getByRole('button', { name: 'Sign out' }).click();
      await page.getByRole('heading', { name: 'Sign in' }).waitFor();
      assert.equal(await page.evaluate(() => sessionStorage.getItem('estate.token')), null);
    } finally {
      await page.close();
      await locked.stop();
    }
  });
});

describe('API tokens', () => {
  test('an administrator makes a token for automation, sees its secret once, and revokes it; nobody else sees the page', async () => {
    const srv = await startServer({
      prepare: (bin, dataDir) => ({ admin: createToken(bin, dataDir, 'admin', 'ada'), editor: createToken(bin, dataDir, 'editor', 'edna') }),
    });
    const page = await newPage();
    const asToken = async (t) => {
      await page.evaluate((v) => sessionStorage.setItem('estate.token', v), t);
      await page.goto(srv.base + '/');
    };
    const viewerOf = (secret) =>
      fetch(`${srv.base}/graphql`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${secret}` },
        body: JSON.stringify({ query: '{ viewer { name role teams cab } }' }),
      });
    try {
      await page.goto(srv.base + '/');
      await asToken(srv.prepared.editor);
      await page.locator('header').getByText('edna (editor)').waitFor();
      assert.equal(await page.getByRole('link', { name: 'API tokens' }).count(), 0, 'an editor has no tokens page');
      await page.goto(srv.base + '/tokens');
      await page.getByText('Only administrators manage API tokens').waitFor();

      await asToken(srv.prepared.admin);
      await page.getByRole('link', { name: 'API tokens' }).click();
      const table = page.getByTestId('tokens');
      await table.getByText('edna').waitFor();
      assert.equal(await table.locator('tbody tr').count(), 2);
      await page.getByLabel('Name').fill('ci-change-gate');
      await page.getByRole('radio', { name: /^editor/ }).check();
      await page.getByLabel('Teams whose NORMAL changes it may decide').fill('payments, platform-sre');
      await page.getByRole('button', { name: 'Make the token' }).click();
      const secret = await page.getByTestId('token-secret').locator('code.secret-value').innerText();
      assert.match(secret, /^est_\S{40,}$/);
      const row = table.locator('tr', { hasText: 'ci-change-gate' });
      await row.waitFor();
      assert.match(await row.innerText(), /editor\s+team payments, team platform-sre/);
      assert.deepEqual(await axeViolations(page), [], 'the tokens page with a secret shown');
      await shot(page, 'tokens');

      // The secret works, as what the form said.
      const who = await (await viewerOf(secret)).json();
      assert.deepEqual(who.data.viewer, { name: 'ci-change-gate', role: 'EDITOR', teams: ['payments', 'platform-sre'], cab: false });
      await page.getByRole('button', { name: 'Done' }).click();
      assert.equal(await page.getByTestId('token-secret').count(), 0, 'the secret is shown once');
      assert.equal(await page.getByText(secret).count(), 0);

      // Revoked, it stops working at once.
      page.once('dialog', (d) => d.accept());
      await page.getByRole('button', { name: 'Revoke ci-change-gate' }).click();
      await page.getByText('Revoked "ci-change-gate".').waitFor();
      assert.equal(await table.locator('tr', { hasText: 'ci-change-gate' }).count(), 0);
      assert.equal((await viewerOf(secret)).status, 401);
    } finally {
      await page.close();
      await srv.stop();
    }
  });
});

describe('single sign-on', () => {
  // The real Keycloak scripts/keycloak.sh starts (scripts/e2e.sh starts it
  // when nobody did), with the realm of scripts/keycloak/estate-realm.json.
  const keycloak = process.env.ESTATE_TEST_KEYCLOAK_URL;
  const why = 'ESTATE_TEST_KEYCLOAK_URL is not set: start Keycloak with scripts/keycloak.sh start';
  if (!keycloak && process.env.ESTATE_REQUIRE_KEYCLOAK === '1') throw new Error(why);

  test('a locked server sends people to the organisation’s sign-in and back; their groups decide what they may do; signing out ends the session', { skip: !keycloak && why }, async () => {
    const locked = await startServer({
      host: '0.0.0.0',
      prepare: (bin, dataDir) => createToken(bin, dataDir, 'editor', 'e2e'),
      args: (_, { base }) => [
        '--public-url', base,
        '--oidc-issuer', `${keycloak}/realms/estate`, '--oidc-client-id', 'estate', '--oidc-client-secret', 'estate-test-secret',
        '--oidc-name', 'Acme Keycloak', '--oidc-viewer-groups', 'estate-viewers', '--oidc-editor-groups', 'estate-editors',
        '--oidc-team-group-prefix', 'team-',
      ],
    });
    const page = await newPage();
    const graphqlAuth = [];
    page.on('request', (r) => {
      if (r.url().endsWith('/graphql')) graphqlAuth.push(r.headers()['authorization'] ?? '');
    });
    const signInAs = async (user) => {
      await page.getByRole('link', { name: 'Sign in with Acme Keycloak' }).click();
      await page.waitForURL((u) => u.href.startsWith(keycloak));
      await page.locator('#username').fill(user);
      await page.locator('#password').fill(`${user}-password`);
      await page.locator('#kc-login').click();
    };
    try {
      // The estate knows edna by her e-mail, as the git ingests key people.
      const made = await fetch(`${locked.base}/graphql`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${locked.prepared}` },
        body: JSON.stringify({ query: 'mutation { upsertEntities(input: [{kind: Person, key: "edna@acme.example", name: "Edna Editor"}]) { created } }' }),
      }).then((r) => r.json());
      assert.equal(made.data?.upsertEntities.created, 1, JSON.stringify(made));
      await page.goto(locked.base + '/shadow');
      await page.getByRole('link', { name: 'Sign in with Acme Keycloak' }).waitFor();
      await axeViolations(page).then((v) => assert.deepEqual(v, [], 'sign-in with single sign-on'));
      await shot(page, 'sso-sign-in');
      await signInAs('edna');
      // Back where she started, signed in as herself, an editor.
      await page.waitForURL(locked.base + '/shadow');
      await page.locator('header').getByText('edna (editor)').waitFor();
      await page.getByRole('checkbox').first().waitFor();
      await shot(page, 'sso-signed-in');
      assert.ok(graphqlAuth.length > 0 && graphqlAuth.every((h) => h === ''), 'the session travels in its cookie, no Authorization header');
      assert.equal(await page.evaluate(() => document.cookie.includes('estate_session')), false, 'the session cookie is out of scripts’ reach');
      // Her name opens her page in the estate.
      await page.locator('header').getByRole('link', { name: 'edna' }).click();
      await page.getByRole('heading', { name: 'Edna Editor' }).waitFor();

      // Signing out ends the session here and at Keycloak, and comes back:
      // the next person at this browser is asked who they are.
      await page.getByRole('button', { name: 'Sign out' }).click();
      await page.waitForURL(locked.base + '/');
      await page.getByRole('heading', { name: 'Sign in' }).waitFor();
      await page.reload();
      await page.getByRole('heading', { name: 'Sign in' }).waitFor();

      // Someone in none of estate's groups is told why.
      await signInAs('olga');
      await page.getByRole('heading', { name: 'Not allowed to use estate' }).waitFor();
      await page.getByText('olga is signed in at the identity provider but in none of the groups that may use estate').waitFor();
      await shot(page, 'sso-refused');
      await page.getByRole('link', { name: 'Back to estate' }).click();
      await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    } finally {
      await browser.context.clearCookies();
      await page.close();
      await locked.stop();
    }
  });
});

describe('long answers on a synthetic estate', () => {
  // The S tier (10,000 nodes) beside the demo: hundreds of findings and of
  // affected items, drawn a page (200 rows) at a time.
  let big;
  before(async () => {
    big = await startServer({
      prepare: (bin, dataDir) => {
        execFileSync(bin, ['ingest', 'synthetic', '--tier', 'S', '--data-dir', dataDir, '--log-level', 'error'], { stdio: 'ignore' });
        return { editor: createToken(bin, dataDir, 'editor', 'edna') };
      },
    });
  });
  after(async () => big?.stop());

  const rowsOf = (page, id) => page.getByTestId(id).locator('tbody tr').count();
  // A click returns before React draws what it changed: until polls check
  // and returns its value once ok says so (or after 5 s, to fail the
  // assertion that follows with what was there).
  const until = async (check, ok) => {
    const end = Date.now() + 5000;
    for (;;) {
      const v = await check();
      if (ok(v) || Date.now() > end) return v;
      await new Promise((r) => setTimeout(r, 50));
    }
  };

  test('the shadow estate shows 200 findings at a time, and each filter starts again at 200', async () => {
    const page = await newPage();
    await page.goto(big.base + '/shadow');
    await page.getByTestId('shadow-findings').locator('tbody tr').first().waitFor();
    const total = Number(await page.getByTestId('shadow-shown').innerText());
    assert.ok(total > 400, `${total} findings; the S tier has hundreds`);
    assert.equal(await rowsOf(page, 'shadow-findings'), 200);
    assert.match(await page.getByTestId('more-rows').innerText(), new RegExp(`Showing 200 of ${total}\\.`));
    await page.getByTestId('more-rows').getByRole('button', { name: 'Show 200 more' }).click();
    assert.equal(await until(() => rowsOf(page, 'shadow-findings'), (n) => n === 400), 400);
    // A filter: its findings from the first page again.
    await page.getByTestId('shadow-by-kind').getByRole('button', { name: /Repositories mapped to nothing/ }).click();
    const repos = await until(async () => Number(await page.getByTestId('shadow-shown').innerText()), (n) => n !== total);
    assert.ok(repos > 200 && repos < total, `${repos} unmapped repositories`);
    assert.equal(await until(() => rowsOf(page, 'shadow-findings'), (n) => n === 200), 200);
    await page.getByTestId('more-rows').getByRole('button', { name: 'Show all' }).click();
    assert.equal(await until(() => rowsOf(page, 'shadow-findings'), (n) => n === repos), repos);
    assert.equal(await page.getByTestId('more-rows').count(), 0, 'nothing more to show');
    // The unregistered account's resources are drawn when opened: the
    // first 20 of them (the answer carries no more), and a link to them all.
    await page.getByTestId('shadow-by-kind').getByRole('button', { name: /Unregistered cloud accounts/ }).click();
    const account = page.getByTestId('shadow-findings').locator('tbody tr').first();
    await until(async () => Number(await page.getByTestId('shadow-shown').innerText()), (n) => n !== repos);
    assert.equal(await account.locator('li').count(), 0);
    const related = Number((await account.locator('summary').innerText()).split(' ')[0]);
    assert.ok(related > 20, `${related} resources in the account`);
    await account.locator('summary').click();
    assert.equal(await until(() => account.locator('li').count(), (n) => n === 21), 21);
    assert.equal(await account.getByTestId('related-more').innerText(), `… and ${related - 20} more: all on its page`);
    const accountKey = await account.locator('.key').innerText();
    await account.getByTestId('related-more').getByRole('link').click();
    assert.equal(await page.getByTestId('entity-key').innerText(), accountKey);
    assert.deepEqual(page.errors, []);
    await page.close();
  });

  test('impact lists 200 affected items at a time, with the total in its heading, and graphs the 300 nearest', async () => {
    const page = await newPage();
    const { businessUnits } = await gql('{ businessUnits(first: 1, filter: { source: "synthetic:S:1" }) { nodes { key } } }', {}, big.base);
    const unit = businessUnits.nodes[0].key;
    await page.goto(`${big.base}/impact?ref=${encodeURIComponent('BusinessUnit:' + unit)}&direction=UPSTREAM&depth=3`);
    await page.getByTestId('impact-affected').locator('tbody tr').first().waitFor();
    const total = Number(await page.locator('#impact-all-h .count').innerText());
    assert.ok(total > 200, `${total} items depend on ${unit}`);
    assert.equal(await rowsOf(page, 'impact-affected'), 200);
    assert.match(await page.getByTestId('more-rows').innerText(), new RegExp(`Showing 200 of ${total}\\.`));
    // The graph draws the 300 nearest, and says so.
    await page.waitForFunction(() => window.__estateImpactCy);
    assert.ok(total > 300, `${total} items: more than the graph draws`);
    assert.equal(await page.evaluate(() => window.__estateImpactCy.nodes().length), 301, 'the start and the 300 nearest');
    assert.match(await page.getByTestId('impact-graph-note').innerText(), new RegExp(`the 300 nearest of the ${total} affected items`));
    await page.getByTestId('more-rows').getByRole('button', { name: 'Show all' }).click();
    assert.equal(await until(() => rowsOf(page, 'impact-affected'), (n) => n === total), total);
    assert.deepEqual(page.errors, []);
    await page.close();
  });

  // Last: it accepts every finding of the estate the tests above read.
  test('an editor accepts every open finding at once: over 500 go in turns of 500; a turn refused says what was written', async () => {
    const page = await newPage();
    const calls = [];
    page.on('request', (r) => r.postData()?.includes('acceptShadowFindings') && calls.push(JSON.parse(r.postData()).variables.findings.length));
    await page.goto(big.base + '/');
    await page.evaluate((v) => sessionStorage.setItem('estate.token', v), big.prepared.editor);
    await page.goto(big.base + '/shadow');
    await page.getByTestId('shadow-findings').locator('tbody tr').first().waitFor();
    const total = Number(await page.getByTestId('shadow-shown').innerText());
    assert.ok(total > 500, `${total} findings: more than one turn`);
    await page.getByTestId('shadow-findings').getByRole('checkbox', { name: `Select all ${total} shown` }).check();
    const triage = page.getByTestId('triage');
    await triage.getByLabel('Reason').fill('REV-7: reviewed, all known');
    // Meanwhile someone removes the item of the last finding: the second turn names a finding that is gone.
    const { shadowEstate } = await gql('{ shadowEstate { findings { item { entity { id } } } } }', {}, big.base);
    const gone = shadowEstate.findings.at(-1).item.entity.id;
    const del = await fetch(`${big.base}/graphql`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${big.prepared.editor}` },
      body: JSON.stringify({ query: 'mutation($ids: [ID!]!) { deleteEntities(ids: $ids) { removed } }', variables: { ids: [gone] } }),
    });
    assert.equal((await del.json()).data.deleteEntities.removed, 1);
    await triage.getByRole('button', { name: `Accept ${total} findings` }).click();
    const done = page.getByTestId('triage-done');
    await done.getByText(`Accepted 500 of ${total} findings; the rest was refused:`).waitFor({ timeout: 30_000 });
    assert.match(await done.getAttribute('class'), /warn/);
    // What was written shows: the first turn accepted, the rest still open.
    await page.waitForFunction(() => document.querySelector('[data-kind="accepted"]')?.textContent === '500');
    assert.equal(await page.locator('[data-kind="all"]').innerText(), String(total - 500 - 1));
    const turns = Array.from({ length: Math.ceil(total / 500) }, (_, i) => Math.min(500, total - 500 * i));
    assert.deepEqual(calls, turns);
    // The rest, asked again, goes through.
    await page.getByTestId('shadow-findings').getByRole('checkbox', { name: `Select all ${total - 501} shown` }).check();
    await triage.getByLabel('Reason').fill('REV-7: reviewed, all known');
    await triage.getByRole('button', { name: `Accept ${total - 501} findings` }).click();
    await page.getByTestId('triage-done').getByText(`Accepted ${total - 501} findings.`).waitFor({ timeout: 30_000 });
    await page.waitForFunction((n) => document.querySelector('[data-kind="accepted"]')?.textContent === String(n), total - 1);
    assert.equal(await page.locator('[data-kind="all"]').innerText(), '0');
    assert.deepEqual(page.errors, []);
    await page.close();
  });
});
