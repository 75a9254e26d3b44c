// Impact analysis: pick entities (and, for a monorepo, the changed paths),
// see the blast radius grouped by business unit and service with tiers and
// the teams to notify, as a table and as a graph, and copy a plain-text
// summary for a change request.
import { lazy, Suspense, useState } from 'react';
import { request } from '../api';
import { ImpactDocument, type ImpactDirection, type ImpactQuery } from '../gql/graphql';
import { Link, navigate } from '../router';
import { copyText, ErrorBox, KindBadge, Loading, useAsync, usePagedRows } from '../ui';
import { Unavailable, useServerHas } from './Answers';

const ImpactGraph = lazy(() => import('./ImpactGraph').then((m) => ({ default: m.ImpactGraph })));

export type Impact = ImpactQuery['impact'];

interface Params {
  refs: string[];
  paths: string[];
  direction: ImpactDirection;
  depth: number;
}

function lines(s: string): string[] {
  return s.split('\n').map((x) => x.trim()).filter(Boolean);
}

export function ImpactView() {
  const s = useServerHas('impact');
  document.title = 'Impact · estate';
  const q = new URLSearchParams(location.search);
  const params: Params = {
    refs: q.getAll('ref'),
    paths: q.getAll('path'),
    direction: q.get('direction') === 'UPSTREAM' ? 'UPSTREAM' : 'DOWNSTREAM',
    depth: Math.min(10, Math.max(1, Number(q.get('depth') ?? 4) || 4)),
  };
  return (
    <div>
      <h1>What breaks if this changes?</h1>
      {s.loading ? <Loading /> : s.error ? <ErrorBox error={s.error} /> : s.has ? <ImpactForm key={location.search} initial={params} /> : <Unavailable what="Impact analysis" field="impact" />}
    </div>
  );
}

function ImpactForm({ initial }: { initial: Params }) {
  const [refs, setRefs] = useState(initial.refs.join('\n'));
  const [paths, setPaths] = useState(initial.paths.join('\n'));
  const [direction, setDirection] = useState<ImpactDirection>(initial.direction);
  const [depth, setDepth] = useState(initial.depth);
  return (
    <>
      <form
        className="card"
        onSubmit={(e) => {
          e.preventDefault();
          const u = new URLSearchParams();
          lines(refs).forEach((r) => u.append('ref', r));
          lines(paths).forEach((p) => u.append('path', p));
          u.set('direction', direction);
          u.set('depth', String(depth));
          navigate(`/impact?${u}`);
        }}
      >
        <div className="form-grid">
          <div>
            <label htmlFor="refs">What changes (one per line)</label>
            <textarea id="refs" rows={3} value={refs} onChange={(e) => setRefs(e.target.value)} required placeholder="payments-api&#10;https://github.com/acme/payments-api&#10;arn:aws:rds:…" />
            <p className="hint">Names, keys, repository URLs, hostnames or ARNs.</p>
          </div>
          <div>
            <label htmlFor="paths">Changed paths in a monorepo (optional)</label>
            <textarea id="paths" rows={3} value={paths} onChange={(e) => setPaths(e.target.value)} placeholder="services/pricing/src/rules.ts" />
            <p className="hint">Only the applications whose directories these touch count.</p>
          </div>
          <div>
            <label htmlFor="direction">Direction</label>
            <select id="direction" value={direction} onChange={(e) => setDirection(e.target.value as ImpactDirection)}>
              <option value="DOWNSTREAM">What breaks (downstream)</option>
              <option value="UPSTREAM">What it relies on (upstream)</option>
            </select>
            <label htmlFor="depth" style={{ marginTop: '.5rem' }}>Depth</label>
            <input id="depth" type="number" min={1} max={10} value={depth} onChange={(e) => setDepth(Number(e.target.value))} />
          </div>
        </div>
        <button type="submit">Analyse impact</button>
      </form>
      {initial.refs.length > 0 && <ImpactResult params={initial} />}
    </>
  );
}

export function summary(r: Impact): string {
  const out: string[] = [];
  out.push(`Impact of changing ${r.starts.map((s) => `${s.kind} ${s.key}`).join(', ')}${r.changedPaths.length ? ` (paths: ${r.changedPaths.join(', ')})` : ''}`);
  out.push(`Direction ${r.direction.toLowerCase()}, depth ${r.maxDepth}. Highest tier touched: ${r.highestTier || 'none'}. ${r.affected.length} items affected${r.truncated ? ' (truncated)' : ''}.`);
  out.push('');
  out.push('Services:');
  for (const s of r.services) {
    out.push(`- ${s.service.name} (${s.service.key}), tier ${s.tier || '-'}, ${s.businessUnit?.name ?? 'no business unit'}: ${s.applications.map((a) => a.key).join(', ') || '—'}`);
  }
  if (r.unassigned.length) out.push(`- In no service: ${r.unassigned.map((a) => a.key).join(', ')}`);
  out.push('');
  out.push('Business units:');
  for (const b of r.businessUnits) out.push(`- ${b.businessUnit.name}: tier ${b.highestTier || '-'}, ${b.services.length} services`);
  out.push('');
  out.push('Teams to notify:');
  for (const n of r.notify) out.push(`- ${n.name}${n.channel ? ` (${n.channel})` : ''}${n.email ? ` <${n.email}>` : ''}: ${n.for.join(', ')}`);
  return out.join('\n');
}

function Tier({ t }: { t: number }) {
  return t ? <span className={`tier tier-${t}`}>T{t}</span> : <span className="muted">—</span>;
}

const noRows: Impact['affected'] = [];

function ImpactResult({ params }: { params: Params }) {
  const { data, error, loading } = useAsync(
    (sig) =>
      request(ImpactDocument, { refs: params.refs, changedPaths: params.paths.length ? params.paths : null, direction: params.direction, maxDepth: params.depth }, sig),
    [JSON.stringify(params)],
  );
  const [copy, setCopy] = useState<'idle' | 'copied' | 'failed'>('idle');
  const [showSummary, setShowSummary] = useState(false);
  const affected = usePagedRows(data?.impact.affected ?? noRows);
  if (error) return <ErrorBox error={error} />;
  if (loading || !data) return <Loading what="the impact" />;
  const r = data.impact;
  const text = summary(r);
  return (
    <div data-testid="impact-result">
      <section className="card" aria-labelledby="impact-sum-h">
        <h2 id="impact-sum-h">
          {r.affected.length} items affected · highest tier <Tier t={r.highestTier} /> · {r.services.length} services · {r.notify.length} teams to notify
        </h2>
        <p>
          Starting from{' '}
          {r.starts.map((s, i) => (
            <span key={s.kind + s.key}>
              {i > 0 && ', '}
              <KindBadge kind={s.kind} /> {s.entity ? <Link href={`/entity/${s.entity.id}`}>{s.name}</Link> : s.name}
            </span>
          ))}
          {r.truncated && <strong className="warn"> — more was reachable than the limit returned</strong>}
        </p>
        {r.ignored.length > 0 && (
          <p className="muted">Not touched by the changed paths: {r.ignored.map((a) => a.key).join(', ')}</p>
        )}
        <button
          type="button"
          onClick={async () => {
            const ok = await copyText(text);
            setCopy(ok ? 'copied' : 'failed');
            if (!ok) {
              // Leave the summary open and selected, for Ctrl+C.
              setShowSummary(true);
              requestAnimationFrame(() => selectContents(document.querySelector('[data-testid="impact-summary"]')));
            }
          }}
        >
          Copy summary for a change request
        </button>{' '}
        <span role="status" data-testid="copy-status">
          {copy === 'copied' && 'Copied.'}
          {copy === 'failed' && <strong className="warn">The browser did not let the page copy: the summary is selected below, copy it with Ctrl+C.</strong>}
        </span>
        <details open={showSummary} onToggle={(e) => setShowSummary(e.currentTarget.open)}>
          <summary>Show the summary</summary>
          <pre className="summary" data-testid="impact-summary">{text}</pre>
        </details>
      </section>

      <div className="two-col even">
        <section className="card" aria-labelledby="impact-svc-h">
          <h2 id="impact-svc-h">Services by business unit</h2>
          <table data-testid="impact-services">
            <thead><tr><th scope="col">Business unit</th><th scope="col">Service</th><th scope="col">Tier</th><th scope="col">Applications</th></tr></thead>
            <tbody>
              {[...r.services]
                .sort((a, b) => (a.businessUnit?.name ?? '~').localeCompare(b.businessUnit?.name ?? '~') || (a.tier || 9) - (b.tier || 9))
                .map((s) => (
                  <tr key={s.service.key}>
                    <td>{s.businessUnit?.name ?? <span className="muted">none</span>}</td>
                    <td data-key={s.service.key}>{s.service.entity ? <Link href={`/entity/${s.service.entity.id}`}>{s.service.name}</Link> : s.service.name}</td>
                    <td><Tier t={s.tier} /></td>
                    <td>{s.applications.map((a) => a.name).join(', ')}</td>
                  </tr>
                ))}
              {r.unassigned.length > 0 && (
                <tr><td colSpan={2} className="muted">In no service</td><td /><td>{r.unassigned.map((a) => a.name).join(', ')}</td></tr>
              )}
            </tbody>
          </table>
          <h3>Business units</h3>
          <ul className="plain">
            {r.businessUnits.map((b) => (
              <li key={b.businessUnit.key}><Tier t={b.highestTier} /> {b.businessUnit.name} — {b.services.length} service{b.services.length === 1 ? '' : 's'}</li>
            ))}
          </ul>
        </section>
        <section className="card" aria-labelledby="impact-notify-h">
          <h2 id="impact-notify-h">Teams to notify</h2>
          <table data-testid="impact-notify">
            <thead><tr><th scope="col">Team</th><th scope="col">Contact</th><th scope="col">Because it owns</th></tr></thead>
            <tbody>
              {r.notify.map((n) => (
                <tr key={n.kind + n.key}>
                  <td>{n.entity ? <Link href={`/entity/${n.entity.id}`}>{n.name}</Link> : n.name}</td>
                  <td>{[n.channel, n.email].filter(Boolean).join(' · ') || <span className="muted">—</span>}</td>
                  <td className="key">{n.for.join(', ')}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      </div>

      <section className="card" aria-labelledby="impact-graph-h">
        <h2 id="impact-graph-h">Blast radius</h2>
        <Suspense fallback={<Loading what="the graph" />}>
          <ImpactGraph r={r} />
        </Suspense>
      </section>

      <section className="card" aria-labelledby="impact-all-h">
        <h2 id="impact-all-h">Everything affected <span className="count">{r.affected.length}</span></h2>
        <table data-testid="impact-affected">
          <thead><tr><th scope="col">Depth</th><th scope="col">Item</th><th scope="col">Path</th></tr></thead>
          <tbody>
            {affected.rows.map((a) => (
              <tr key={a.kind + a.key}>
                <td>{a.depth}</td>
                <td><KindBadge kind={a.kind} /> {a.entity ? <Link href={`/entity/${a.entity.id}`}>{a.name}</Link> : a.name}</td>
                <td className="path">
                  {a.path.map((p, i) => (
                    <span key={i}>{i === 0 ? p.from.key : ''} —{p.type}{p.path ? `(${p.path})` : ''}→ {p.to.key} </span>
                  ))}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        {affected.more}
      </section>
    </div>
  );
}

function selectContents(el: Element | null) {
  if (!el) return;
  const range = document.createRange();
  range.selectNodeContents(el);
  const sel = window.getSelection();
  sel?.removeAllRanges();
  sel?.addRange(range);
}
