// Change governance for the people who decide: the changes pipelines have
// assessed, waiting for a decision first, and one change with everything
// its assessment found (factors, what it touches, incidents it caused).
// The decision form is shown to whoever may decide the change: its owning
// team's members for a NORMAL change, the change advisory board for any.
// /changes lists, /changes/<key> shows one.
import { useEffect, useState, type FormEvent } from 'react';
import { request } from '../api';
import {
  ApproveChangeDocument,
  ChangeDetailDocument,
  ChangesDocument,
  MembershipDocument,
  RejectChangeDocument,
  type ChangeClass,
  type ChangeDetailQuery,
  type ChangeOrder,
  type ChangeRowFragment,
  type ChangeStatus,
  type MembershipQuery,
} from '../gql/graphql';
import { kindLabel } from '../kinds';
import { Link, useLocation } from '../router';
import { ClassBadge, ErrorBox, KindBadge, Loading, Time, useAsync } from '../ui';
import { Unavailable, useServerHas } from './Answers';
import { NotifyTargets } from './Shadow';

const classes: ChangeClass[] = ['STANDARD', 'NORMAL', 'HIGH'];

/** What waits longest first while deciding; the latest first otherwise. */
function defaultOrder(status: ChangeStatus | ''): ChangeOrder {
  return status === 'PENDING' ? 'ASSESSED' : 'ASSESSED_DESC';
}
const pageSize = 50;

function changeHref(key: string): string {
  return `/changes/${encodeURIComponent(key)}`;
}

/** Who a pending change waits for, as the approval rules say. */
function waitingFor(c: Pick<ChangeRowFragment, 'class' | 'team'>): string {
  if (c.class === 'HIGH' || !c.team) return 'the change advisory board';
  return `team ${c.team}`;
}

type Viewer = MembershipQuery['viewer'];

/** Whether the viewer may decide c (graph/governance's mayDecide). */
function mayDecide(v: Viewer | undefined, c: Pick<ChangeRowFragment, 'class' | 'team' | 'status'>): boolean {
  if (!v || v.anonymous || v.role === 'VIEWER' || c.status !== 'PENDING') return false;
  if (v.cab) return true;
  if (c.class === 'HIGH' || !c.team) return false;
  return v.teams.some((t) => t.trim().toLowerCase() === c.team!.toLowerCase());
}

function StatusBadge({ s }: { s: string | null | undefined }) {
  if (!s) return <span className="muted">—</span>;
  const label = s === 'PENDING' ? 'waiting' : s.toLowerCase();
  return <span className={`change-status status-${s.toLowerCase()}`} data-status={s}>{label}</span>;
}

export function ChangesView() {
  const s = useServerHas('changes');
  // A link with other filters (a team's changes) starts the list again.
  const search = useLocation().query.toString();
  document.title = 'Changes · estate';
  return (
    <div>
      <h1>Changes</h1>
      <p className="lead">
        What pipelines are about to deploy, as estate assessed it: NORMAL changes wait for their owning team, HIGH ones for the
        change advisory board.
      </p>
      {s.loading ? <Loading /> : s.error ? <ErrorBox error={s.error} /> : s.has ? <ChangeList key={search} /> : <Unavailable what="The changes page" field="changes" />}
      <NotifyTargets of="changes" />
    </div>
  );
}

/** The filters a link may set: /changes?team=checkout&status=any. */
function initialFilters(q: URLSearchParams) {
  const st = q.get('status')?.toUpperCase() ?? 'PENDING';
  const cl = q.get('class')?.toUpperCase() ?? '';
  return {
    status: (['PENDING', 'APPROVED', 'REJECTED'].includes(st) ? st : '') as ChangeStatus | '',
    cls: (classes as string[]).includes(cl) ? (cl as ChangeClass) : ('' as const),
    team: q.get('team')?.trim() ?? '',
  };
}

function ChangeList() {
  const init = initialFilters(useLocation().query);
  const [status, setStatus] = useState<ChangeStatus | ''>(init.status);
  const [cls, setCls] = useState<ChangeClass | ''>(init.cls);
  const [team, setTeam] = useState(init.team);
  const [teamField, setTeamField] = useState(init.team);
  // The order follows the status until the reader picks one.
  const [picked, setPicked] = useState<ChangeOrder | null>(null);
  const order = picked ?? defaultOrder(status);
  const [more, setMore] = useState<ChangeRowFragment[]>([]);
  const [after, setAfter] = useState<string | null>(null);
  const [moreError, setMoreError] = useState<unknown>(null);
  const vars = { status: status || null, class: cls || null, team: team || null, orderBy: order, first: pageSize };
  const { data, error, loading } = useAsync((sig) => request(ChangesDocument, vars, sig), [status, cls, team, order]);
  useEffect(() => {
    setMore([]);
    setAfter(null);
    setMoreError(null);
  }, [status, cls, team, order]);

  const page = data?.changes;
  const rows = page ? [...page.nodes, ...more] : [];
  const next = more.length ? after : page?.pageInfo.hasNextPage ? (page.pageInfo.endCursor ?? null) : null;
  const loadMore = async () => {
    if (!next) return;
    try {
      const d = await request(ChangesDocument, { ...vars, after: next });
      setMore((m) => [...m, ...d.changes.nodes]);
      setAfter(d.changes.pageInfo.hasNextPage ? (d.changes.pageInfo.endCursor ?? null) : null);
    } catch (e) {
      setMoreError(e);
    }
  };
  const applyTeam = (e: FormEvent) => {
    e.preventDefault();
    setTeam(teamField.trim());
  };
  return (
    <section className="card" aria-labelledby="changes-h">
      <h2 id="changes-h">
        Changes {page && <span className="count" data-testid="changes-total">{page.totalCount}</span>}
        {loading && data && <span className="muted small"> refreshing…</span>}
      </h2>
      <form className="filters" onSubmit={applyTeam}>
        <label className="inline">
          Status{' '}
          <select value={status} onChange={(e) => setStatus(e.target.value as ChangeStatus | '')}>
            <option value="PENDING">waiting for a decision</option>
            <option value="APPROVED">approved</option>
            <option value="REJECTED">rejected</option>
            <option value="">any</option>
          </select>
        </label>{' '}
        <label className="inline">
          Class{' '}
          <select value={cls} onChange={(e) => setCls(e.target.value as ChangeClass | '')}>
            <option value="">any</option>
            {classes.map((c) => <option key={c} value={c}>{c.toLowerCase()}</option>)}
          </select>
        </label>{' '}
        <label className="inline">
          Order{' '}
          <select value={order} onChange={(e) => setPicked(e.target.value as ChangeOrder)}>
            <option value="ASSESSED">oldest first</option>
            <option value="ASSESSED_DESC">newest first</option>
            <option value="KEY">by repository</option>
          </select>
        </label>{' '}
        <label className="inline">
          Owning team <input value={teamField} onChange={(e) => setTeamField(e.target.value)} placeholder="team key" size={14} />
        </label>{' '}
        <button type="submit" className="secondary small">Filter</button>
      </form>
      {error ? <ErrorBox error={error} /> : !page ? <Loading what="the changes" /> : rows.length === 0 ? (
        <p className="muted" data-testid="no-changes">
          No {status === 'PENDING' ? 'change is waiting for a decision' : 'changes'}
          {cls ? ` of class ${cls.toLowerCase()}` : ''}{team ? ` owned by ${team}` : ''}. Pipelines record changes with{' '}
          <code>estate change assess</code> or <code>POST /hooks/changes/assess</code>.
        </p>
      ) : (
        <table data-testid="changes">
          <thead>
            <tr>
              <th scope="col">Change</th><th scope="col">Environment</th><th scope="col">Class</th><th scope="col">Score</th>
              <th scope="col">Status</th><th scope="col">Owning team</th><th scope="col">Assessed</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((c) => (
              <tr key={c.key} data-change={c.key}>
                <td>
                  <Link href={changeHref(c.key)}>{shortRepo(c.repository)}</Link>
                  <div className="key">{c.commit}</div>
                </td>
                <td>{c.environment}</td>
                <td><ClassBadge c={c.class} /></td>
                <td>{c.score ?? <span className="muted">—</span>}</td>
                <td>
                  <StatusBadge s={c.status} />
                  <div className="muted small">{c.status === 'PENDING' ? `for ${waitingFor(c)}` : c.decidedBy ? `by ${c.decidedBy}` : ''}</div>
                </td>
                <td>{c.team ?? <span className="muted">none found</span>}</td>
                <td><Time t={c.assessedAt} /></td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {moreError ? <ErrorBox error={moreError} /> : null}
      {next && page && <button type="button" onClick={loadMore}>Load more ({rows.length} of {page.totalCount})</button>}
    </section>
  );
}

/** github.com/acme/payments-api → acme/payments-api: the host is the same for most. */
function shortRepo(r: string | null | undefined): string {
  if (!r) return '—';
  const i = r.indexOf('/');
  return i > 0 && r.slice(0, i).includes('.') ? r.slice(i + 1) : r;
}

type Detail = NonNullable<ChangeDetailQuery['change']>;

/** The impact page for what the change's assessment walked from: its repository, limited to its changed paths. */
function impactHref(c: Pick<Detail, 'repository' | 'changedPaths'>): string {
  const q = new URLSearchParams();
  q.append('ref', c.repository ?? '');
  for (const p of c.changedPaths) q.append('path', p);
  return `/impact?${q}`;
}

/** One change: /changes/<key>. */
export function ChangeView({ changeKey }: { changeKey: string }) {
  const [tick, setTick] = useState(0);
  const { data, error } = useAsync((sig) => request(ChangeDetailDocument, { key: changeKey }, sig), [changeKey, tick]);
  document.title = `Change ${changeKey} · estate`;
  let body;
  if (error) body = <ErrorBox error={error} />;
  else if (!data) body = <Loading what="the change" />;
  else if (!data.change) body = <p className="muted">No recorded change has the key <code>{changeKey}</code>.</p>;
  else body = <ChangeDetail c={data.change} onDecided={() => setTick((n) => n + 1)} />;
  return (
    <div>
      <h1>Change <code className="change-key">{changeKey}</code></h1>
      <p><Link href="/changes">All changes</Link></p>
      {body}
    </div>
  );
}

function ChangeDetail({ c, onDecided }: { c: Detail; onDecided: () => void }) {
  return (
    <>
      <section className="card" aria-labelledby="assessment-h">
        <h2 id="assessment-h">Assessment</h2>
        <dl className="facts" data-testid="change-facts">
          <dt>Class</dt><dd><ClassBadge c={c.class} /> score <strong>{c.score ?? '—'}</strong> of 100</dd>
          <dt>Status</dt>
          <dd>
            <StatusBadge s={c.status} />{' '}
            {c.status === 'PENDING' ? <span data-testid="waiting-for">for {waitingFor(c)}</span> : (
              <span data-testid="decision">by {c.decidedBy} <Time t={c.decidedAt} /></span>
            )}
            {c.decisionReason && <blockquote className="reason" data-testid="decision-reason">{c.decisionReason}</blockquote>}
          </dd>
          <dt>Repository</dt>
          <dd>
            {c.repository} at <code>{c.commit}</code> · <Link href={impactHref(c)}>what it reaches (impact analysis)</Link>
          </dd>
          <dt>Environment</dt><dd>{c.environment}</dd>
          <dt>Owning team</dt><dd>{c.team ?? <span className="muted">none found</span>}</dd>
          <dt>Size</dt>
          <dd>
            {c.linesChanged != null ? `${c.linesChanged} lines` : 'lines not given'}
            {c.coverage != null ? `, ${c.coverage}% covered by tests` : ', coverage not given'}
            {c.changedPaths.length > 0 && (
              <details>
                <summary>{c.changedPaths.length} changed path{c.changedPaths.length === 1 ? '' : 's'}</summary>
                <ul className="plain">{c.changedPaths.map((p) => <li key={p}><code>{p}</code></li>)}</ul>
              </details>
            )}
          </dd>
          <dt>Committed · assessed</dt><dd><Time t={c.committedAt} /> · <Time t={c.assessedAt} />{c.requestedBy && <> by {c.requestedBy}</>}</dd>
          <dt>Policy</dt><dd><code>{c.policyVersion}</code></dd>
        </dl>
      </section>
      {c.status === 'PENDING' && <Decide c={c} onDecided={onDecided} />}
      <section className="card" aria-labelledby="factors-h">
        <h2 id="factors-h">Why this class</h2>
        <table data-testid="change-factors">
          <thead><tr><th scope="col">Factor</th><th scope="col">Points</th><th scope="col">Explanation</th></tr></thead>
          <tbody>
            {c.factors.map((f) => (
              <tr key={f.name} data-factor={f.name}>
                <td>{f.name}{f.blocksStandard && <div className="muted small">rules out a standard change</div>}</td>
                <td className="num">{f.points > 0 ? `+${f.points}` : f.points}</td>
                <td>
                  {f.explanation}
                  {f.items.length > 0 && (
                    <div className="small">
                      {f.items.map((it, i) => (
                        <span key={it.kind + it.key}>{i > 0 && ', '}<Link href={`/search?q=${encodeURIComponent(`${it.kind}:${it.key}`)}`} title={kindLabel[it.kind]}>{it.key}</Link></span>
                      ))}
                    </div>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
      <div className="two-col even">
        <section className="card" aria-labelledby="affects-h">
          <h2 id="affects-h">What it touches <span className="count">{c.affects.totalCount}</span></h2>
          {c.affects.edges.length === 0 ? <p className="muted">Nothing recorded.</p> : (
            <ul className="plain" data-testid="change-affects">
              {c.affects.edges.map(({ node: n }) => (
                <li key={n.id}><KindBadge kind={n.kind} /> <Link href={`/entity/${n.id}`}>{n.name}</Link></li>
              ))}
            </ul>
          )}
        </section>
        <section className="card" aria-labelledby="incidents-h">
          <h2 id="incidents-h">Incidents it caused <span className="count">{c.incidents.totalCount}</span></h2>
          {c.incidents.edges.length === 0 ? <p className="muted">None recorded.</p> : (
            <ul className="plain" data-testid="change-incidents">
              {c.incidents.edges.map(({ node: n }) => (
                <li key={n.id}>
                  <Link href={`/entity/${n.id}`}>{n.key}</Link> {n.name}
                  {n.__typename === 'Incident' && (
                    <div className="muted small">
                      severity {n.severity ?? '—'}, {n.status ?? 'status unknown'}, started <Time t={n.startedAt} />
                      {n.restoredAt && <>, restored <Time t={n.restoredAt} /></>}
                    </div>
                  )}
                </li>
              ))}
            </ul>
          )}
        </section>
      </div>
    </>
  );
}

/**
 * The decision form, for whoever may decide the change; everyone else is
 * told who decides it. The server checks again (FORBIDDEN), and a change
 * someone decided meanwhile is CONFLICT: both show as errors here.
 */
function Decide({ c, onDecided }: { c: Detail; onDecided: () => void }) {
  const { data, error } = useAsync((sig) => request(MembershipDocument, {}, sig), []);
  const [reason, setReason] = useState('');
  const [busy, setBusy] = useState(false);
  const [err, setErr] = useState<unknown>(null);
  if (error) return null; // a server without membership in its viewer: the change page still reads
  if (!data) return null;
  const v = data.viewer;
  if (!mayDecide(v, c)) {
    return (
      <p className="card muted" data-testid="decide-who">
        {waitingFor(c) === 'the change advisory board' ? 'Only the change advisory board decides this change.' : `The ${c.team} team (or the change advisory board) decides this change.`}{' '}
        {v.anonymous ? 'Sign in with a token that may decide it to approve or reject it here.' : 'Your token may not decide it.'}
      </p>
    );
  }
  const decide = async (approve: boolean) => {
    setBusy(true);
    setErr(null);
    try {
      const vars = { key: c.key, reason: reason.trim() || null };
      if (approve) await request(ApproveChangeDocument, vars);
      else await request(RejectChangeDocument, vars);
      onDecided();
    } catch (e) {
      setErr(e);
    } finally {
      setBusy(false);
    }
  };
  return (
    <section className="card" aria-labelledby="decide-h">
      <h2 id="decide-h">Decide</h2>
      <p className="muted small">You {v.cab ? 'are on the change advisory board' : `are in team ${c.team}`}. A decision is final: the change cannot be decided again.</p>
      {err ? <ErrorBox error={err} /> : null}
      <form onSubmit={(e) => e.preventDefault()}>
        <label className="block">
          Reason (recorded with the decision)
          <textarea value={reason} onChange={(e) => setReason(e.target.value)} rows={2} maxLength={2000} />
        </label>
        <button type="button" disabled={busy} onClick={() => decide(true)}>Approve</button>{' '}
        <button type="button" className="danger" disabled={busy} onClick={() => decide(false)}>Reject</button>
      </form>
    </section>
  );
}
