// The Shadow DevOps dashboard: what runs that nobody registered, counted by
// finding type, cloud account and business unit, with every finding and
// its explanation. Clicking a count filters the findings.
import { useMemo, useState, type FormEvent } from 'react';
import { request } from '../api';
import {
  AcceptShadowFindingsDocument, NotifyTargetsDocument, ReopenShadowFindingsDocument, ShadowEstateDocument, ShadowTrendDocument,
  TestNotifyTargetDocument, type ShadowEstateQuery, type ShadowTrendQuery,
} from '../gql/graphql';
import { Link } from '../router';
import { downloadCsv, ErrorBox, KindBadge, Loading, Time, useAsync, usePagedRows } from '../ui';
import { Unavailable, useServerHas } from './Answers';
import { useMayEdit } from './Edits';

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

type Filter = { by: 'kind' | 'account' | 'unit' | 'ending'; key: string; label: string } | null;

/** How far ahead the accepted findings to review look: their acceptance ends within it. */
const reviewDays = 30;

/** Whether filter picks f; an empty unit key picks the findings attributed to none. */
function picks(filter: NonNullable<Filter>, f: Finding): boolean {
  switch (filter.by) {
    case 'kind':
      return f.kind === filter.key;
    case 'account':
      return (f.account ?? '') === filter.key;
    case 'ending':
      return endingSoon(f);
    case 'unit':
      return filter.key === '' ? f.businessUnits.length === 0 : f.businessUnits.includes(filter.key);
  }
}

/** Whether f's acceptance ends within reviewDays. */
const endingSoon = (f: Finding) => !!f.acceptance?.until && Date.parse(f.acceptance.until) < Date.now() + reviewDays * 86_400_000;

/** Open findings, or the accepted ones. */
type View = 'open' | 'accepted';

/** A finding's identity: its kind, item and, for a tag finding, tag and value. */
const findingKey = (f: Finding) => [f.kind, f.item.kind, f.item.key, f.tag ?? '', f.value ?? ''].join('\u0000');

function ShadowReport() {
  const [version, setVersion] = useState(0);
  const { data, error, loading } = useAsync((sig) => request(ShadowEstateDocument, {}, sig), [version]);
  const [filter, setFilter] = useState<Filter>(null);
  const [view, setView] = useState<View>('open');
  const [selected, setSelected] = useState<ReadonlySet<string>>(new Set());
  const [done, setDone] = useState<{ text: string; ok: boolean } | null>(null);
  const mayEdit = useMayEdit();
  const rep = data?.shadowEstate;
  const shown = useMemo(() => {
    if (!rep) return [];
    const all = view === 'open' ? rep.findings : rep.accepted;
    return filter ? all.filter((f) => picks(filter, f)) : all;
  }, [rep, filter, view]);
  const { rows, more } = usePagedRows(shown);
  if (error) return <ErrorBox error={error} />;
  if (loading && !rep) return <Loading what="the shadow estate" />;
  if (!rep) return null;
  const show = (v: View, f: Filter) => {
    setView(v);
    setFilter(f);
    setSelected(new Set());
    setDone(null);
  };
  const picked = shown.filter((f) => selected.has(findingKey(f)));
  const allPicked = shown.length > 0 && picked.length === shown.length;
  const toggle = (f: Finding) => {
    const next = new Set(selected);
    if (!next.delete(findingKey(f))) next.add(findingKey(f));
    setSelected(next);
  };
  const changed = (text: string, ok: boolean) => {
    setSelected(new Set());
    setDone({ text, ok });
    setVersion((v) => v + 1);
  };
  return (
    <>
      <section aria-labelledby="by-kind-h">
        <h2 id="by-kind-h" className="visually-hidden">Findings by type</h2>
        <ul className="kpis" data-testid="shadow-by-kind">
          <li>
            <button type="button" className={`kpi ${view === 'open' && filter === null ? 'on' : ''}`} onClick={() => show('open', null)} aria-pressed={view === 'open' && filter === null}>
              <span className="kpi-n" data-kind="all">{rep.findings.length}</span>
              <span className="kpi-l">All open findings</span>
            </button>
          </li>
          {rep.byKind.map((c) => (
            <li key={c.key}>
              <button
                type="button"
                className={`kpi ${view === 'open' && filter?.by === 'kind' && filter.key === c.key ? 'on' : ''}`}
                aria-pressed={view === 'open' && filter?.by === 'kind' && filter.key === c.key}
                onClick={() => show('open', { by: 'kind', key: c.key, label: findingLabel[c.key] ?? c.key })}
              >
                <span className="kpi-n" data-kind={c.key}>{c.count}</span>
                <span className="kpi-l">{findingLabel[c.key] ?? c.name ?? c.key}</span>
              </button>
            </li>
          ))}
          <li>
            <button type="button" className={`kpi accepted ${view === 'accepted' && filter === null ? 'on' : ''}`} onClick={() => show('accepted', null)} aria-pressed={view === 'accepted' && filter === null}>
              <span className="kpi-n" data-kind="accepted">{rep.acceptedCount}</span>
              <span className="kpi-l">Accepted: known, may stand</span>
            </button>
          </li>
          <li>
            <button type="button" className={`kpi accepted ${filter?.by === 'ending' ? 'on' : ''}`} aria-pressed={filter?.by === 'ending'}
              onClick={() => show('accepted', { by: 'ending', key: String(reviewDays), label: `ending within ${reviewDays} days` })}>
              <span className="kpi-n" data-kind="ending">{rep.accepted.filter(endingSoon).length}</span>
              <span className="kpi-l">Accepted, ending within {reviewDays} days: to review</span>
            </button>
          </li>
        </ul>
      </section>
      <div className="two-col even">
        <Bars title="By cloud account" counts={rep.byAccount} testId="shadow-by-account" none="No account" onPick={(c) => show('open', { by: 'account', key: c.key, label: c.name ?? c.key })} />
        <Bars title="By business unit" counts={rep.byBusinessUnit} testId="shadow-by-unit" none="No business unit" onPick={(c) => show('open', { by: 'unit', key: c.key, label: c.name ?? (c.key || 'no business unit') })} />
      </div>
      <ShadowTrend key={version} />
      <NotifyTargets of="findings" />
      <section className="card" aria-labelledby="findings-h">
        <h2 id="findings-h">
          {view === 'open' ? 'Open findings' : 'Accepted findings'}{filter ? `: ${filter.label}` : ''} <span className="count" data-testid="shadow-shown">{shown.length}</span>{' '}
          {(filter || view === 'accepted') && <button type="button" className="secondary small" onClick={() => show('open', null)}>Show all open</button>}{' '}
          <button type="button" className="secondary small" onClick={() => downloadFindings(shown)}>Download CSV</button>
        </h2>
        {view === 'accepted' && <p className="hint">Findings someone accepted as known: they stay out of the counts until their end, or until reopened.</p>}
        {done && <p className={done.ok ? 'ok' : 'warn'} role="status" data-testid="triage-done">{done.text}</p>}
        {mayEdit && picked.length > 0 && (
          <Triage key={view} view={view} findings={picked} onDone={changed} onClear={() => setSelected(new Set())} />
        )}
        <table data-testid="shadow-findings">
          <thead>
            <tr>
              {mayEdit && (
                <th scope="col">
                  <input type="checkbox" aria-label={`Select all ${shown.length} shown`} checked={allPicked}
                    onChange={() => setSelected(allPicked ? new Set() : new Set(shown.map(findingKey)))} />
                </th>
              )}
              <th scope="col">Finding</th><th scope="col">Item</th>
              <th scope="col">{view === 'open' ? 'Explanation' : 'Accepted'}</th><th scope="col">Account</th><th scope="col">Related</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((f) => (
              <tr key={findingKey(f)}>
                {mayEdit && (
                  <td><input type="checkbox" aria-label={`Select ${findingLabel[f.kind] ?? f.kind}: ${f.item.name}${f.tag ? ` (${f.tag}=${f.value})` : ''}`} checked={selected.has(findingKey(f))} onChange={() => toggle(f)} /></td>
                )}
                <td>{findingLabel[f.kind] ?? f.kind}{f.archived && <span className="muted"> (archived)</span>}</td>
                <td>
                  <KindBadge kind={f.item.kind} />{' '}
                  {f.item.entity ? <Link href={`/entity/${f.item.entity.id}`}>{f.item.name}</Link> : f.item.name}
                  <div className="key">{f.item.key}</div>
                </td>
                <td>
                  {view === 'open' && f.explanation}
                  {f.tag && <div className="muted">tag <code>{f.tag}={f.value}</code></div>}
                  {f.acceptance && <AcceptanceNote a={f.acceptance} />}
                </td>
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

type Acceptance = NonNullable<Finding['acceptance']>;

/** Who accepted a finding, why, and when it is open again; on an open finding, that the acceptance ended. */
function AcceptanceNote({ a }: { a: Acceptance }) {
  const end = a.until ? new Date(a.until).toLocaleDateString(undefined, { timeZone: 'UTC' }) : null;
  return (
    <div className={a.expired ? 'muted' : undefined} data-testid="acceptance">
      {a.expired ? `Acceptance ended ${end}: ` : ''}“{a.reason}” — {a.by}, <Time t={a.at} />
      {!a.expired && <span className="muted">{end ? ` · open again on ${end}` : ' · no end'}</span>}
    </div>
  );
}

/** The date n days from now (UTC), as a date input holds it. */
const daysAhead = (n: number) => new Date(Date.now() + n * 86_400_000).toISOString().slice(0, 10);

/**
 * An editor's decision on the selected findings: accept the open ones, with
 * a reason and an end (by default in 90 days; through that day, UTC, as the
 * command line reads a date), or reopen the accepted ones. Over 500 are sent
 * in turns of 500, the API's limit.
 */
function Triage({ view, findings, onDone, onClear }: { view: View; findings: Finding[]; onDone: (text: string, ok: boolean) => void; onClear: () => void }) {
  const [reason, setReason] = useState('');
  const [until, setUntil] = useState(daysAhead(90));
  const [err, setErr] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const n = findings.length;
  const what = `${n} finding${n === 1 ? '' : 's'}`;
  async function submit(ev: FormEvent) {
    ev.preventDefault();
    setBusy(true);
    setErr(null);
    const verb = view === 'open' ? 'Accepted' : 'Reopened';
    let sent = 0;
    try {
      const input = findings.map((f) => ({ kind: f.kind, item: f.item.entity?.id ?? '', tag: f.tag, value: f.value }));
      for (let i = 0; i < input.length; i += maxPerCall) {
        const part = input.slice(i, i + maxPerCall);
        if (view === 'open') {
          const end = until ? new Date(Date.parse(`${until}T00:00:00Z`) + 86_400_000).toISOString() : null;
          await request(AcceptShadowFindingsDocument, { findings: part, reason: reason.trim(), until: end });
        } else {
          await request(ReopenShadowFindingsDocument, { findings: part });
        }
        sent += part.length;
      }
      onDone(`${verb} ${what}.`, true);
    } catch (x) {
      // A turn refused after others were written: say what was, and show the report as it is now.
      if (sent > 0) onDone(`${verb} ${sent} of ${what}; the rest was refused: ${(x as Error).message}`, false);
      else setErr(x);
    } finally {
      setBusy(false);
    }
  }
  return (
    <form className="triage" onSubmit={submit} data-testid="triage" aria-label={view === 'open' ? `Accept ${what}` : `Reopen ${what}`}>
      {view === 'open' ? (
        <>
          <label>
            Reason{' '}
            <input value={reason} onChange={(x) => setReason(x.target.value)} placeholder="a ticket, why it may stand" maxLength={500} required />
          </label>
          <label>
            Until <span className="muted small">(through that day; empty: no end)</span>{' '}
            <input type="date" value={until} min={daysAhead(0)} onChange={(x) => setUntil(x.target.value)} />
          </label>
          <button type="submit" disabled={busy || !reason.trim()}>Accept {what}</button>
        </>
      ) : (
        <button type="submit" disabled={busy}>Reopen {what}</button>
      )}
      <button type="button" className="secondary" onClick={onClear}>Clear selection</button>
      {err ? <ErrorBox error={err} /> : null}
    </form>
  );
}

/** How many findings one accept or reopen call takes (the API's limit). */
const maxPerCall = 500;

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
    .filter((f) => f.key.startsWith('shadow.') && f.key !== 'shadow.total' && f.key !== 'shadow.accepted' && f.value > 0)
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
                <li key={p.id} className="trend-bar" data-n={p.shadowFindings} aria-label={`${p.source} run of ${when}: ${p.shadowFindings} open findings`} title={`${p.source}, ${when}: ${p.shadowFindings} open findings (${byType(p)})`}>
                  <span className="trend-n" aria-hidden="true">{p.shadowFindings}</span>
                  <span className="trend-fill" aria-hidden="true" style={{ height: `calc((100% - 1rem) * ${(p.shadowFindings ?? 0) / max})` }} />
                </li>
              );
            })}
          </ol>
          <details>
            <summary>As a table, by finding type ({points.length} run{points.length === 1 ? '' : 's'})</summary>
            <table data-testid="shadow-trend-table">
              <thead><tr><th scope="col">Run started</th><th scope="col">Source</th><th scope="col">Open findings after it</th><th scope="col">By type</th></tr></thead>
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

/** What a notify target hears of, as a sentence's end: its findings, and whose changes. */
function heard(t: Target) {
  const parts: string[] = [];
  if (t.findings.length > 0) parts.push(t.findings.map((k) => findingLabel[k] ?? k).join(', '));
  else if (t.changes.length === 0) parts.push('every kind of finding');
  if (t.changes.length > 0) parts.push(`changes waiting for ${t.changes.map((c) => (c === 'cab' ? 'the CAB' : `team ${c}`)).join(', ')}`);
  return parts.join('; ');
}

type Target = { name: string; type: string; findings: string[]; changes: string[] };

/** What each page says of the notify targets: the shadow estate's findings, or changes. */
const about = {
  findings: {
    title: 'Who hears of new findings',
    hint: 'After every ingest run, the findings that were not open before go to:',
    none: 'Nobody is told when a run finds something new. The server\'s configuration file can name chat channels and webhooks under notify.',
    hears: (t: Target) => t.findings.length > 0 || t.changes.length === 0,
  },
  changes: {
    title: 'Who hears of changes waiting for a decision',
    hint: 'When an assessment leaves a change waiting, whoever decides it is told through:',
    none: 'Nobody is told when a change waits for a decision. The server\'s configuration file can name chat channels and webhooks under notify, with changes: [cab] or a team\'s key.',
    hears: (t: Target) => t.changes.length > 0,
  },
};

/**
 * Who hears of what: the notify targets of the server's configuration file
 * (never their URLs) that hear of new findings, or of changes. An admin can
 * send each a test message and see it arrive, or why not.
 */
export function NotifyTargets({ of }: { of: keyof typeof about }) {
  const has = useServerHas('notifyTargets');
  const { data, error } = useAsync((sig) => (has.has ? request(NotifyTargetsDocument, {}, sig) : Promise.resolve(null)), [has.has]);
  const [tested, setTested] = useState<Record<string, { ok: boolean; text: string }>>({});
  if (!has.has || error || !data) return null;
  const admin = data.viewer.role === 'ADMIN';
  const page = about[of];
  const targets = data.notifyTargets.filter(page.hears);
  const test = async (name: string) => {
    setTested((t) => ({ ...t, [name]: { ok: true, text: 'Sending…' } }));
    try {
      const r = (await request(TestNotifyTargetDocument, { name })).testNotifyTarget;
      setTested((t) => ({ ...t, [name]: r.delivered ? { ok: true, text: 'Delivered.' } : { ok: false, text: `Not delivered: ${r.problem}` } }));
    } catch (e) {
      setTested((t) => ({ ...t, [name]: { ok: false, text: `Not sent: ${(e as Error).message}` } }));
    }
  };
  return (
    <section className="card" aria-labelledby={`notify-${of}-h`} data-testid="notify-targets">
      <h2 id={`notify-${of}-h`}>{page.title}</h2>
      {targets.length === 0 ? (
        <p className="muted">{page.none}</p>
      ) : (
        <>
          <p className="hint">{page.hint}</p>
          <ul className="plain">
            {targets.map((t) => (
              <li key={t.name}>
                <strong>{t.name}</strong> <span className="muted">({t.type === 'slack' ? 'chat' : 'webhook'})</span>:{' '}
                {heard(t)}
                {admin && (
                  <>
                    {' '}
                    <button type="button" className="secondary small" onClick={() => test(t.name)} aria-label={`Send ${t.name} a test message`}>
                      Send a test
                    </button>
                  </>
                )}
                {tested[t.name] && <span role="status" className={tested[t.name].ok ? 'ok' : 'warn'}> {tested[t.name].text}</span>}
              </li>
            ))}
          </ul>
        </>
      )}
    </section>
  );
}

type Finding = Report['findings'][number];

/** The findings shown, as CSV: the columns of `estate shadow --format csv`, which `estate shadow accept --from` reads. */
function downloadFindings(fs: Finding[]) {
  const head = ['finding', 'kind', 'key', 'name', 'account', 'business_units', 'tag', 'value', 'archived', 'explanation',
    'accepted_by', 'accepted_at', 'accepted_until', 'accepted_reason'];
  const rows = fs.map((f) => [f.kind, f.item.kind, f.item.key, f.item.name, f.account ?? '', f.businessUnits.join(';'), f.tag ?? '', f.value ?? '',
    String(f.archived), f.explanation, f.acceptance?.by ?? '', f.acceptance?.at ?? '', f.acceptance?.until ?? '', f.acceptance?.reason ?? '']);
  downloadCsv('shadow-estate.csv', [head, ...rows]);
}
