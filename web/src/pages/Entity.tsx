// The entity page: what a thing is, who owns it and why, how it relates to
// everything else (both directions), and which sources say so.
import { lazy, Suspense, useState } from 'react';
import { request } from '../api';
import {
  EntityPageDocument,
  MergedIntoDocument,
  MoreRelationshipsDocument,
  type EntityPageQuery,
  type Kind,
  type RelFieldsFragment,
} from '../gql/graphql';
import { kindLabel } from '../kinds';
import { Link } from '../router';
import { ConfidenceBadge, ErrorBox, KindBadge, Loading, RunLink, Time, useAsync } from '../ui';
import { HistoryPanel } from './History';
import { AddOwner, AddToService, MergeDuplicate, NotDuplicates, RegisterAccount, RemoveLink, useMayEdit } from './Edits';
import { OwnedByPanel, WhoOwnsPanel } from './WhoOwns';

// What a team or person can own (graph's OWNS rule): the kinds with an
// owners card (people, incidents and changes have none).
const ownedKinds = new Set<Kind>(['BusinessUnit', 'Service', 'Application', 'Repository', 'CloudAccount', 'CloudResource', 'Team']);

// What a change can start from (analysis.impactKinds): a team, a person or
// an incident does not change.
const impactKinds = new Set<Kind>(['BusinessUnit', 'Service', 'Application', 'Repository', 'CloudAccount', 'CloudResource']);

// Delivery metrics: their own chunk, loaded for teams, services and business units only.
const Delivery = lazy(() => import('./Delivery').then((m) => ({ default: m.Delivery })));
const SuspectChanges = lazy(() => import('./Delivery').then((m) => ({ default: m.SuspectChanges })));

type Node = NonNullable<EntityPageQuery['node']>;
type EntityNode = Extract<Node, { kind: unknown }>;

const hiddenProps = new Set([
  '__typename', 'id', 'kind', 'key', 'name', 'confidence', 'firstSeen', 'lastSeen',
  'labels', 'aliases', 'sources', 'owners', 'relationships',
]);

const propLabel: Record<string, string> = {
  appType: 'type',
  resourceType: 'type',
  accountId: 'account id',
  defaultBranch: 'default branch',
  pushedAt: 'last push',
  createdAt: 'created',
};

function PropValue({ v }: { v: unknown }) {
  if (v === null || v === undefined || v === '') return <span className="muted">—</span>;
  if (typeof v === 'boolean') return <>{v ? 'yes' : 'no'}</>;
  // A related entity (an application's service): its name, linked.
  if (typeof v === 'object' && 'id' in v && 'name' in v) return <Link href={`/entity/${v.id}`}>{String(v.name)}</Link>;
  if (Array.isArray(v)) return v.length ? <>{v.join(', ')}</> : <span className="muted">—</span>;
  const s = String(v);
  if (/^https?:\/\//.test(s)) return <a href={s} rel="noreferrer noopener">{s}</a>;
  if (/^\d{4}-\d\d-\d\dT/.test(s)) return <Time t={s} />;
  return <>{s}</>;
}

export function EntityPage({ id }: { id: string }) {
  // edits counts the owner edits made here: each reloads the page's answers.
  const [edits, setEdits] = useState(0);
  const { data, error, loading } = useAsync((signal) => request(EntityPageDocument, { id }, signal), [id, edits]);
  const mayEdit = useMayEdit();
  const reload = () => setEdits((n) => n + 1);
  const [more, setMore] = useState<{ id: string; edges: RelFieldsFragment[]; next: string | null } | null>(null);
  const [loadingMore, setLoadingMore] = useState(false);

  if (error) return <ErrorBox error={error} />;
  if (loading && !data) return <Loading what="entity" />;
  const node = data?.node;
  if (!node || !('kind' in node)) return <NotFound id={id} />;
  const e = node as EntityNode;
  document.title = `${e.name} · estate`;
  const props = Object.entries(e).filter(([k]) => !hiddenProps.has(k));
  const extra = more && more.id === id ? more : null;
  const rels = [...e.relationships.edges, ...(extra?.edges ?? [])];
  const next = extra ? extra.next : e.relationships.pageInfo.hasNextPage ? e.relationships.pageInfo.endCursor ?? null : null;

  async function loadMore() {
    if (!next) return;
    setLoadingMore(true);
    try {
      const d = await request(MoreRelationshipsDocument, { id, after: next });
      const r = d.node && 'relationships' in d.node ? d.node.relationships : null;
      if (r) {
        setMore({
          id,
          edges: [...(extra?.edges ?? []), ...r.edges],
          next: r.pageInfo.hasNextPage ? r.pageInfo.endCursor ?? null : null,
        });
      }
    } finally {
      setLoadingMore(false);
    }
  }

  const out = rels.filter((r) => r.relationship.direction === 'OUT');
  const inc = rels.filter((r) => r.relationship.direction === 'IN');

  return (
    <article className="entity" aria-labelledby="entity-name">
      <header className="entity-head">
        <div>
          <KindBadge kind={e.kind} />
          <h1 id="entity-name">{e.name}</h1>
          <p className="key" data-testid="entity-key">{e.key}</p>
        </div>
        <div className="actions">
          <Link className="button" href={`/explore/${e.id}`}>Explore graph</Link>
          {e.kind === 'Change' ? (
            <Link className="button secondary" href={`/changes/${encodeURIComponent(e.key)}`}>Assessment and decision</Link>
          ) : impactKinds.has(e.kind) && (
            <Link className="button secondary" href={`/impact?ref=${encodeURIComponent(e.key)}`}>Impact of a change</Link>
          )}
        </div>
      </header>
      <dl className="meta">
        <div><dt>Confidence</dt><dd><ConfidenceBadge c={e.confidence} /></dd></div>
        <div><dt>First seen</dt><dd><Time t={e.firstSeen} /></dd></div>
        <div><dt>Last seen</dt><dd><Time t={e.lastSeen} /></dd></div>
        <div><dt>Sources</dt><dd>{e.sources.map((s) => s.source).join(', ') || '—'}</dd></div>
      </dl>

      {ownedKinds.has(e.kind) && <section aria-labelledby="owners-h" className="card" data-testid="owners">
        <h2 id="owners-h">Owners {e.owners.totalCount > 0 && <span className="count">{e.owners.totalCount}</span>}</h2>
        <p className="hint">Teams and people with an OWNS relationship to it, and the evidence each source gave.</p>
        {e.owners.edges.length === 0 ? (
          e.kind === 'Team' || e.kind === 'BusinessUnit' ? (
            <p className="muted">No direct owner recorded.</p>
          ) : (
            <p className="warn">No direct owner: no team or person has an OWNS relationship to it.</p>
          )
        ) : (
          <table>
            <thead>
              <tr>
                <th scope="col">Owner</th><th scope="col">Role</th><th scope="col">Confidence</th><th scope="col">Evidence</th><th scope="col">Sources</th><th scope="col">Last seen</th>
                {mayEdit && <th scope="col"><span className="visually-hidden">Action</span></th>}
              </tr>
            </thead>
            <tbody>
              {e.owners.edges.map((o) => (
                <tr key={o.relationship.id}>
                  <td><KindBadge kind={o.node.kind} /> <Link href={`/entity/${o.node.id}`}>{o.node.name}</Link></td>
                  <td>{o.relationship.role?.toLowerCase() ?? 'technical'}</td>
                  <td><ConfidenceBadge c={o.relationship.confidence} /></td>
                  <td className="evidence">{o.relationship.evidence || <span className="muted">none given</span>}</td>
                  <td>{o.relationship.sources.map((s) => s.source).join(', ')}</td>
                  <td><Time t={o.relationship.lastSeen} /></td>
                  {mayEdit && (
                    <td>
                      {manualOnly(o) && (
                        <RemoveLink type="OWNS" from={{ kind: o.node.kind, key: o.node.key }} to={e} role={o.relationship.role} onChange={reload} />
                      )}
                    </td>
                  )}
                </tr>
              ))}
            </tbody>
          </table>
        )}
        {mayEdit && <AddOwner e={e} onChange={reload} />}
      </section>}

      {'service' in e && e.kind === 'Application' && !e.service && (
        <section aria-labelledby="service-h" className="card" data-testid="no-service">
          <h2 id="service-h">Service</h2>
          <p className="warn">In no service: nothing says which business service this application serves (a Shadow DevOps finding).</p>
          {mayEdit && <AddToService e={e} onChange={reload} />}
        </section>
      )}
      {'registered' in e && e.kind === 'CloudAccount' && !e.registered && (
        <section aria-labelledby="registration-h" className="card" data-testid="unregistered">
          <h2 id="registration-h">Registration</h2>
          <p className="warn">Not registered: central IT does not know this account (a Shadow DevOps finding).</p>
          {mayEdit && <RegisterAccount e={e} onChange={reload} />}
        </section>
      )}
      <WhoOwnsPanel key={edits} kind={e.kind} keyName={e.key} />
      {(e.kind === 'Team' || e.kind === 'Person') && <OwnedByPanel key={`owned-${edits}`} kind={e.kind} keyName={e.key} />}
      {(e.kind === 'Team' || e.kind === 'Service' || e.kind === 'BusinessUnit') && (
        <Suspense fallback={null}>
          <Delivery kind={e.kind} keyName={e.key} />
        </Suspense>
      )}
      {e.kind === 'Incident' && (
        <Suspense fallback={null}>
          <SuspectChanges incident={e.key} />
        </Suspense>
      )}

      <div className="two-col">
        <section aria-labelledby="props-h" className="card">
          <h2 id="props-h">Properties</h2>
          {props.length === 0 ? <p className="muted">None.</p> : (
            <dl className="props">
              {props.map(([k, v]) => (
                <div key={k}><dt>{propLabel[k] ?? k}</dt><dd><PropValue v={v} /></dd></div>
              ))}
            </dl>
          )}
        </section>
        <section aria-labelledby="labels-h" className="card">
          <h2 id="labels-h">Tags</h2>
          {e.labels.length === 0 ? <p className="muted">No tags.</p> : (
            <ul className="tags">
              {e.labels.map((l) => <li key={l.key}><span className="tag-k">{l.key}</span><span className="tag-v">{l.value}</span></li>)}
            </ul>
          )}
          {e.aliases.length > 0 && (
            <>
              <h3>Also known as</h3>
              <ul className="plain" data-testid="aliases">
                {e.aliases.map((a) => <li key={a.value + a.source}><code>{a.value}</code> <span className="muted">({a.source})</span></li>)}
              </ul>
            </>
          )}
        </section>
      </div>

      {mayEdit && e.kind !== 'Change' && e.kind !== 'Incident' && (
        <section aria-labelledby="duplicates-h" className="card" data-testid="duplicates">
          <h2 id="duplicates-h">Duplicates</h2>
          <NotDuplicates key={`d${edits}`} e={e} onChange={reload} />
          <MergeDuplicate key={edits} e={e} onChange={reload} />
        </section>
      )}

      <section aria-labelledby="rels-h" className="card" data-testid="relationships">
        <h2 id="rels-h">Relationships <span className="count">{e.relationships.totalCount}</span></h2>
        <RelTable title="Outgoing" caption={`${e.name} →`} edges={out} e={mayEdit ? e : null} onChange={reload} />
        <RelTable title="Incoming" caption={`→ ${e.name}`} edges={inc} e={mayEdit ? e : null} onChange={reload} />
        {next && (
          <button type="button" onClick={loadMore} disabled={loadingMore}>
            {loadingMore ? 'Loading…' : `Load more (${rels.length} of ${e.relationships.totalCount})`}
          </button>
        )}
      </section>

      <section aria-labelledby="sources-h" className="card">
        <h2 id="sources-h">Sources</h2>
        <table>
          <thead>
            <tr><th scope="col">Source</th><th scope="col">Confidence</th><th scope="col">Evidence</th><th scope="col">Run</th><th scope="col">First seen</th><th scope="col">Last seen</th></tr>
          </thead>
          <tbody>
            {e.sources.map((s) => (
              <tr key={s.source}>
                <td>{s.source}</td>
                <td><ConfidenceBadge c={s.confidence} /></td>
                <td className="evidence">{s.evidence || <span className="muted">—</span>}</td>
                <td data-testid="source-run">
                  <RunLink run={s.run} ingestRun={s.ingestRun} />
                </td>
                <td><Time t={s.firstSeen} /></td>
                <td><Time t={s.lastSeen} /></td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>

      <section aria-labelledby="history-h" className="card">
        <h2 id="history-h">History</h2>
        <HistoryPanel id={e.id} />
      </section>
    </article>
  );
}

/** Whether only a person asserted the relationship: an editor may remove it. */
function manualOnly(r: RelFieldsFragment): boolean {
  return r.relationship.sources.length === 1 && r.relationship.sources[0].source === 'manual';
}

/** A direction's relationships; with e (an editor's page), a Remove button on those only a person asserted. */
function RelTable({ title, caption, edges, e, onChange }: {
  title: string; caption: string; edges: RelFieldsFragment[]; e: { kind: Kind; key: string } | null; onChange: () => void;
}) {
  if (edges.length === 0) return null;
  const sorted = [...edges].sort((a, b) =>
    a.relationship.type === b.relationship.type ? a.node.name.localeCompare(b.node.name) : a.relationship.type.localeCompare(b.relationship.type),
  );
  return (
    <table className="rels">
      <caption>{title} <span className="muted">({caption})</span></caption>
      <thead>
        <tr>
          <th scope="col">Type</th><th scope="col">Entity</th><th scope="col">Detail</th><th scope="col">Confidence</th><th scope="col">Evidence</th><th scope="col">Last seen</th>
          {e && <th scope="col"><span className="visually-hidden">Action</span></th>}
        </tr>
      </thead>
      <tbody>
        {sorted.map((r) => (
          <tr key={r.relationship.id + r.relationship.direction}>
            <td><span className="reltype">{r.relationship.type}</span></td>
            <td><KindBadge kind={r.node.kind} /> <Link href={`/entity/${r.node.id}`}>{r.node.name}</Link></td>
            <td>{[r.relationship.role?.toLowerCase(), r.relationship.path].filter(Boolean).join(' · ') || <span className="muted">—</span>}</td>
            <td><ConfidenceBadge c={r.relationship.confidence} /></td>
            <td className="evidence">{r.relationship.evidence || <span className="muted">—</span>}</td>
            <td><Time t={r.relationship.lastSeen} /></td>
            {e && (
              <td>
                {manualOnly(r) && (
                  <RemoveLink
                    type={r.relationship.type}
                    from={r.relationship.direction === 'OUT' ? e : { kind: r.node.kind, key: r.node.key }}
                    to={r.relationship.direction === 'OUT' ? { kind: r.node.kind, key: r.node.key } : e}
                    role={r.relationship.role}
                    onChange={onChange}
                  />
                )}
              </td>
            )}
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** An id that names nothing: perhaps a duplicate merged away, which says where it went. */
function NotFound({ id }: { id: string }) {
  const { data, loading } = useAsync((signal) => request(MergedIntoDocument, { id }, signal), [id]);
  if (loading && !data) return <Loading what="entity" />;
  const into = data?.mergedInto;
  return (
    <div>
      <h1>Not found</h1>
      {into ? (
        <p data-testid="merged-into">
          This was a duplicate, merged into the {kindLabel[into.kind].toLowerCase()} <Link href={`/entity/${into.id}`}>{into.name}</Link>.
        </p>
      ) : (
        <p>Nothing in the estate has this id. Try the search box.</p>
      )}
    </div>
  );
}
