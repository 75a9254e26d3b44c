// The ingest-runs page: every run of every source, newest first, with its
// status, progress while running, counts, and the items that failed; and
// the sources configured on the server (serve --config), which an editor
// can start from here. While a run is running the page refreshes itself.
// /runs/<id> shows one run, however old (the links from entity pages).
import { useEffect, useState } from 'react';
import { request } from '../api';
import { IngestRunDocument, IngestRunsDocument, StartIngestDocument, type IngestRunStatus, type IngestRunsQuery } from '../gql/graphql';
import { ErrorBox, Loading, RunStatus, Time, useAsync } from '../ui';
import { Link, segment } from '../router';
import { Unavailable, useServerHas } from './Answers';

type Run = IngestRunsQuery['ingestRuns']['nodes'][number];
type Source = IngestRunsQuery['ingestSources'][number];

const statuses: IngestRunStatus[] = ['RUNNING', 'SUCCEEDED', 'PARTIAL', 'FAILED'];

/** How often the page refreshes while a run is running. */
const refreshMs = 3000;

export function RunsView() {
  const s = useServerHas('ingestRuns');
  document.title = 'Ingest runs · estate';
  return (
    <div>
      <h1>Ingest runs</h1>
      <p className="lead">What each run of a source found, what it changed, and what went wrong.</p>
      {s.loading ? <Loading /> : s.error ? <ErrorBox error={s.error} /> : s.has ? <Runs /> : <Unavailable what="The ingest-runs page" field="ingestRuns" />}
    </div>
  );
}

/** One run, by id: /runs/<id>. Refreshes itself while it runs. */
export function RunView({ id }: { id: string }) {
  const [tick, setTick] = useState(0);
  const { data, error } = useAsync((sig) => request(IngestRunDocument, { id }, sig), [id, tick]);
  const running = data?.ingestRun?.status === 'RUNNING';
  useEffect(() => {
    if (!running) return;
    const t = setTimeout(() => setTick((n) => n + 1), refreshMs);
    return () => clearTimeout(t);
  }, [running, data]);
  document.title = `Ingest run ${id} · estate`;
  let body;
  if (error) body = <ErrorBox error={error} />;
  else if (!data) body = <Loading what="the run" />;
  else if (!data.ingestRun) body = <p className="muted">No ingest run has the id <code>{id}</code>: it may be an API request, or a run the server did not record.</p>;
  else body = <RunTable runs={[data.ingestRun]} />;
  return (
    <div>
      <h1>Ingest run <code>{id}</code></h1>
      <p><Link href="/runs">All runs</Link></p>
      {body}
    </div>
  );
}

function RunTable({ runs }: { runs: Run[] }) {
  // /runs#run-<id> marks that run and brings it into view.
  const target = segment(location.hash.replace(/^#run-/, ''));
  useEffect(() => {
    if (target) document.getElementById(`run-${target}`)?.scrollIntoView({ block: 'center' });
  }, [target, runs.length]);
  return (
    <table data-testid="runs">
      <thead>
        <tr>
          <th scope="col">Source</th><th scope="col">Status</th><th scope="col">Started</th><th scope="col">Ended</th>
          <th scope="col">Found</th><th scope="col">Created / updated</th><th scope="col">Swept</th><th scope="col">Problems</th><th scope="col">Open shadow findings</th>
        </tr>
      </thead>
      <tbody>
        {runs.map((r) => <RunRow key={r.id} r={r} current={r.id === target} />)}
      </tbody>
    </table>
  );
}

function Runs() {
  const [status, setStatus] = useState<IngestRunStatus | ''>('');
  const [tick, setTick] = useState(0);
  const [more, setMore] = useState<Run[]>([]);
  const [after, setAfter] = useState<string | null>(null);
  const { data, error, loading } = useAsync(
    (sig) => request(IngestRunsDocument, { status: status || null, first: 20 }, sig),
    [status, tick],
  );
  const running = !!data?.ingestRuns.nodes.some((r) => r.status === 'RUNNING') || !!data?.ingestSources.some((s) => s.running);
  useEffect(() => {
    if (!running) return;
    const t = setTimeout(() => setTick((n) => n + 1), refreshMs);
    return () => clearTimeout(t);
  }, [running, data]);
  useEffect(() => {
    setMore([]);
    setAfter(null);
  }, [status]);

  if (error) return <ErrorBox error={error} />;
  if (!data) return <Loading what="the runs" />;
  const page = data.ingestRuns;
  const runs = [...page.nodes, ...more];
  const next = more.length ? after : page.pageInfo.hasNextPage ? page.pageInfo.endCursor : null;
  const loadMore = async () => {
    if (!next) return;
    const d = await request(IngestRunsDocument, { status: status || null, first: 20, after: next });
    setMore((m) => [...m, ...d.ingestRuns.nodes]);
    setAfter(d.ingestRuns.pageInfo.hasNextPage ? (d.ingestRuns.pageInfo.endCursor ?? null) : null);
  };
  return (
    <>
      {data.ingestSources.length > 0 && <Sources sources={data.ingestSources} onStarted={() => setTick((n) => n + 1)} />}
      <section className="card" aria-labelledby="runs-h">
        <h2 id="runs-h">
          Runs <span className="count" data-testid="runs-total">{page.totalCount}</span>{' '}
          <label className="inline">
            Status{' '}
            <select value={status} onChange={(e) => setStatus(e.target.value as IngestRunStatus | '')}>
              <option value="">any</option>
              {statuses.map((s) => <option key={s} value={s}>{s.toLowerCase()}</option>)}
            </select>
          </label>
          {loading && <span className="muted small"> refreshing…</span>}
        </h2>
        {runs.length === 0 ? <p className="muted">No runs{status ? ` with status ${status.toLowerCase()}` : ''} yet.</p> : (
          <RunTable runs={runs} />
        )}
        {next && <button type="button" onClick={loadMore}>Load more ({runs.length} of {page.totalCount})</button>}
      </section>
    </>
  );
}

function RunRow({ r, current }: { r: Run; current: boolean }) {
  const a = r.applied;
  return (
    <tr id={`run-${r.id}`} data-run={r.id} className={current ? 'current' : undefined} aria-current={current ? 'true' : undefined}>
      <td>{r.source}<div className="key" title="run id">{r.id}</div></td>
      <td><RunStatus s={r.status} />{r.error && <div className="error-text">{r.error}</div>}</td>
      <td><Time t={r.started} />{r.startedBy && <div className="muted small" data-testid="run-by">{r.startedBy === 'schedule' ? 'by its schedule' : `by ${r.startedBy}`}</div>}</td>
      <td>{r.ended ? <Time t={r.ended} /> : <span className="muted">running</span>}</td>
      <td data-testid="run-found">{r.nodes} entities, {r.edges} relationships</td>
      <td>{a.nodesCreated + a.edgesCreated} / {a.nodesUpdated + a.edgesUpdated}</td>
      <td>
        {r.swept ? `${r.swept.nodesRemoved + r.swept.edgesRemoved} removed` : <span className="muted">—</span>}
        {r.sweepHeld && <div className="muted small">{r.sweepHeld}</div>}
        {r.keptScopes.length > 0 && (
          <div className="muted small" data-testid="run-kept">
            kept (not read): {r.keptScopes.map((k, i) => <span key={k}>{i > 0 && ', '}<code>{k}</code></span>)}
          </div>
        )}
      </td>
      <td>
        {r.errorCount === 0 && r.warningCount === 0 ? <span className="muted">none</span> : (
          <details>
            <summary>{r.errorCount} error{r.errorCount === 1 ? '' : 's'}, {r.warningCount} warning{r.warningCount === 1 ? '' : 's'}</summary>
            <ul className="plain">
              {r.errors.map((e, i) => <li key={i}><code>{e.item}</code>: {e.error}</li>)}
              {r.errorCount > r.errors.length && <li className="muted">… and {r.errorCount - r.errors.length} more</li>}
            </ul>
          </details>
        )}
      </td>
      <td data-testid="run-shadow">{r.shadowFindings ?? <span className="muted">—</span>}</td>
    </tr>
  );
}

function Sources({ sources, onStarted }: { sources: Source[]; onStarted: () => void }) {
  const [err, setErr] = useState<unknown>(null);
  const start = async (name: string) => {
    setErr(null);
    try {
      await request(StartIngestDocument, { source: name });
      onStarted();
    } catch (e) {
      setErr(e);
    }
  };
  return (
    <section className="card" aria-labelledby="sources-h">
      <h2 id="sources-h">Configured sources</h2>
      {err ? <ErrorBox error={err} /> : null}
      <table data-testid="sources">
        <thead>
          <tr><th scope="col">Name</th><th scope="col">Type</th><th scope="col">Source</th><th scope="col">Schedule</th><th scope="col">Last run</th><th scope="col"><span className="visually-hidden">Action</span></th></tr>
        </thead>
        <tbody>
          {sources.map((s) => (
            <tr key={s.name}>
              <td>{s.name}</td>
              <td>{s.type}</td>
              <td>{s.source ?? <span className="error-text">{s.problem}</span>}</td>
              <td data-testid="source-schedule">
                {s.schedule ? (
                  <><code>{s.schedule}</code>{s.nextRunAt && <div className="muted small">next <Time t={s.nextRunAt} /></div>}</>
                ) : <span className="muted">by hand</span>}
              </td>
              <td>{s.lastRun ? <><RunStatus s={s.lastRun.status} /> <Time t={s.lastRun.ended} /></> : <span className="muted">never</span>}</td>
              <td>
                <button type="button" className="secondary small" disabled={s.running || !s.source} onClick={() => start(s.name)}>
                  {s.running ? 'Running…' : `Run ${s.name}`}
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
