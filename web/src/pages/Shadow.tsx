// The Shadow DevOps dashboard: what runs that nobody registered, counted by
// finding type, cloud account and business unit, with every finding and
// its explanation. Clicking a count filters the findings.
import { useMemo, useState } from 'react';
import { request } from '../api';
import { ShadowEstateDocument, ShadowTrendDocument, type ShadowEstateQuery, type ShadowTrendQuery } from '../gql/graphql';
import { Link } from '../router';
import { downloadCsv, ErrorBox, KindBadge, Loading, Time, useAsync, usePagedRows } from '../ui';
import { Unavailable, useServerHas } from './Answers';

type Report = ShadowEstateQuery['shadowEstate'];
type Count = Report['byKind'][number];

export const findingLabel: Record<string, string> = {
  'unregistered-account': 'Unregistered cloud accounts',
  'unowned-resource': 'Cloud resources nobody owns',
  'unknown-team-tag': 'Tags naming unknown teams',
  'unknown-application-tag': 'Tags naming unknown applications',
  'unknown-service-tag': 'Tags naming unknown services',
  'unmapped-repository': 'Repositories mapped to nothing',
  'application-without-service': 'Applications in no service',
  'service-without-owner': 'Services nobody owns',
  'service-without-business-unit': 'Services in no business unit',
  'departed-owner': 'Owners who left',
};

export function ShadowView() {
  const s = useServerHas('shadowEstate');
  document.title = 'Shadow DevOps · estate';
  return (
    <div>
      <h1>Shadow DevOps</h1>
      <p className="lead">What runs that central IT never registered, and what nothing in the catalogue explains.</p>
      {s.loading ? <Loading /> : s.error ? <ErrorBox error={s.error} /> : s.has ? <ShadowReport /> : <Unavailable what="The Shadow DevOps dashboard" field="shadowEstate" />}
    </div>
  );
}

type Filter = { by: 'kind' | 'account' | 'unit'; key: string; label: string } | null;

function ShadowReport() {
  const { data, error, loading } = useAsync((sig) => request(ShadowEstateDocument, {}, sig), []);
  const [filter, setFilter] = useState<Filter>(null);
  const rep = data?.shadowEstate;
  const shown = useMemo(() => {
    if (!rep) return [];
    if (!filter) return rep.findings;
    return rep.findings.filter((f) =>
      filter.by === 'kind'
        ? f.kind === filter.key
        : filter.by === 'account'
          ? (f.account ?? '') === filter.key
          : filter.key === ''
            ? f.businessUnits.length === 0
            : f.businessUnits.includes(filter.key),
    );
  }, [rep, filter]);
  const { rows, more } = usePagedRows(shown);
  if (error) return <ErrorBox error={error} />;
  if (loading || !rep) return <Loading what="the shadow estate" />;
  return (
    <>
      <section aria-labelledby="by-kind-h">
        <h2 id="by-kind-h" className="visually-hidden">Findings by type</h2>
        <ul className="kpis" data-testid="shadow-by-kind">
          <li>
            <button type="button" className={`kpi ${filter === null ? 'on' : ''}`} onClick={() => setFilter(null)} aria-pressed={filter === null}>
              <span className="kpi-n" data-kind="all">{rep.findings.length}</span>
              <span className="kpi-l">All findings</span>
            </button>
          </li>
          {rep.byKind.map((c) => (
            <li key={c.key}>
              <button
                type="button"
                className={`kpi ${filter?.by === 'kind' && filter.key === c.key ? 'on' : ''}`}
                aria-pressed={filter?.by === 'kind' && filter.key === c.key}
                onClick={() => setFilter({ by: 'kind', key: c.key, label: findingLabel[c.key] ?? c.key })}
              >
                <span className="kpi-n" data-kind={c.key}>{c.count}</span>
                <span className="kpi-l">{findingLabel[c.key] ?? c.name ?? c.key}</span>
              </button>
            </li>
          ))}
        </ul>
      </section>
      <div className="two-col even">
        <Bars title="By cloud account" counts={rep.byAccount} testId="shadow-by-account" none="No account" onPick={(c) => setFilter({ by: 'account', key: c.key, label: c.name ?? c.key })} />
        <Bars title="By business unit" counts={rep.byBusinessUnit} testId="shadow-by-unit" none="No business unit" onPick={(c) => setFilter({ by: 'unit', key: c.key, label: c.name ?? (c.key || 'no business unit') })} />
      </div>
      <ShadowTrend />
      <section className="card" aria-labelledby="findings-h">
        <h2 id="findings-h">
          Findings{filter ? `: ${filter.label}` : ''} <span className="count" data-testid="shadow-shown">{shown.length}</span>{' '}
          {filter && <button type="button" className="secondary small" onClick={() => setFilter(null)}>Show all</button>}{' '}
          <button type="button" className="secondary small" onClick={() => downloadFindings(shown)}>Download CSV</button>
        </h2>
        <table data-testid="shadow-findings">
          <thead>
            <tr><th scope="col">Finding</th><th scope="col">Item</th><th scope="col">Explanation</th><th scope="col">Account</th><th scope="col">Related</th></tr>
          </thead>
          <tbody>
            {rows.map((f, i) => (
              <tr key={`${f.kind}-${f.item.kind}-${f.item.key}-${f.value ?? ''}-${i}`}>
                <td>{findingLabel[f.kind] ?? f.kind}{f.archived && <span className="muted"> (archived)</span>}</td>
                <td>
                  <KindBadge kind={f.item.kind} />{' '}
                  {f.item.entity ? <Link href={`/entity/${f.item.entity.id}`}>{f.item.name}</Link> : f.item.name}
                  <div className="key">{f.item.key}</div>
                </td>
                <td>{f.explanation}{f.tag && <div className="muted">tag <code>{f.tag}={f.value}</code></div>}</td>
                <td>{f.account ?? <span className="muted">—</span>}</td>
                <td>
                  {f.relatedCount === 0 ? <span className="muted">—</span> : <Related f={f} />}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        {more}
      </section>
    </>
  );
}

/** A finding's related items, drawn once opened: the first 20 (an
 * unregistered account can hold thousands of resources; its page lists them
 * all). */
function Related({ f }: { f: Finding }) {
  const [open, setOpen] = useState(false);
  const n = f.relatedCount;
  const rest = n - f.related.length;
  return (
    <details onToggle={(e) => setOpen(e.currentTarget.open)}>
      <summary>{n} item{n === 1 ? '' : 's'}</summary>
      {open && (
        <ul className="plain">
          {f.related.map((r) => (
            <li key={r.kind + r.key}>{r.entity ? <Link href={`/entity/${r.entity.id}`}>{r.name}</Link> : r.name}</li>
          ))}
          {rest > 0 && (
            <li className="muted" data-testid="related-more">
              … and {rest} more{f.item.entity && <>: <Link href={`/entity/${f.item.entity.id}`}>all on its page</Link></>}
            </li>
          )}
        </ul>
      )}
    </details>
  );
}

function Bars({ title, counts, testId, none, onPick }: { title: string; counts: Count[]; testId: string; none: string; onPick: (c: Count) => void }) {
  const max = Math.max(1, ...counts.map((c) => c.count));
  return (
    <section className="card" aria-label={title}>
      <h2>{title}</h2>
      {counts.length === 0 ? <p className="muted">None.</p> : (
        <ul className="bars" data-testid={testId}>
          {counts.map((c) => (
            <li key={c.key}>
              <button type="button" className="bar-row" onClick={() => onPick(c)}>
                <span className="bar-label">{c.name || c.key || none}{c.name && c.key && <span className="muted key"> {c.key}</span>}</span>
                <span className="bar" style={{ width: `${(100 * c.count) / max}%` }} aria-hidden="true" />
                <span className="bar-n" data-key={c.key}>{c.count}</span>
              </button>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

type TrendPoint = ShadowTrendQuery['ingestRuns']['nodes'][number];

/** "unowned-resource 17, unmapped-repository 19": the run's counts by finding type, largest first. */
function byType(p: TrendPoint): string {
  return p.summary
    .filter((f) => f.key.startsWith('shadow.') && f.key !== 'shadow.total' && f.value > 0)
    .sort((a, b) => b.value - a.value || a.key.localeCompare(b.key))
    .map((f) => `${f.key.slice('shadow.'.length)} ${f.value}`)
    .join(', ');
}

/**
 * The shadow estate's size after each ingest run that counted it, oldest
 * first: a labelled bar per run (a list, so screen readers read each one),
 * and the same figures by finding type as a table.
 */
function ShadowTrend() {
  const has = useServerHas('ingestRuns');
  const { data, error } = useAsync((sig) => (has.has ? request(ShadowTrendDocument, { first: 50 }, sig) : Promise.resolve(null)), [has.has]);
  if (!has.has || error) return null;
  const points = (data?.ingestRuns.nodes ?? []).filter((r) => r.shadowFindings != null).reverse();
  const max = Math.max(1, ...points.map((p) => p.shadowFindings ?? 0));
  return (
    <section className="card" aria-labelledby="trend-h">
      <h2 id="trend-h">Trend across ingest runs</h2>
      {points.length === 0 ? <p className="muted">No ingest run has counted the shadow estate yet.</p> : (
        <>
          <ol className="trend" aria-label="Findings after each run, oldest first" data-testid="shadow-trend">
            {points.map((p) => {
              const when = new Date(p.started).toLocaleString();
              return (
                <li key={p.id} className="trend-bar" data-n={p.shadowFindings} aria-label={`${p.source} run of ${when}: ${p.shadowFindings} findings`} title={`${p.source}, ${when}: ${p.shadowFindings} findings (${byType(p)})`}>
                  <span className="trend-n" aria-hidden="true">{p.shadowFindings}</span>
                  <span className="trend-fill" aria-hidden="true" style={{ height: `calc((100% - 1rem) * ${(p.shadowFindings ?? 0) / max})` }} />
                </li>
              );
            })}
          </ol>
          <details>
            <summary>As a table, by finding type ({points.length} run{points.length === 1 ? '' : 's'})</summary>
            <table data-testid="shadow-trend-table">
              <thead><tr><th scope="col">Run started</th><th scope="col">Source</th><th scope="col">Findings after it</th><th scope="col">By type</th></tr></thead>
              <tbody>
                {points.map((p) => (
                  <tr key={p.id}><td><Time t={p.started} /></td><td>{p.source}</td><td>{p.shadowFindings}</td><td className="small">{byType(p)}</td></tr>
                ))}
              </tbody>
            </table>
          </details>
        </>
      )}
    </section>
  );
}

type Finding = Report['findings'][number];

/** The findings shown, as CSV. */
function downloadFindings(fs: Finding[]) {
  const head = ['finding', 'kind', 'key', 'name', 'account', 'business_units', 'tag', 'value', 'explanation'];
  const rows = fs.map((f) => [f.kind, f.item.kind, f.item.key, f.item.name, f.account ?? '', f.businessUnits.join(' '), f.tag ?? '', f.value ?? '', f.explanation]);
  downloadCsv('shadow-estate.csv', [head, ...rows]);
}
