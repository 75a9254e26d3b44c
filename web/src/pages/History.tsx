// The audit trail of one entity: every recorded change to it and to its
// relationships, newest first, with who made it and what changed. Loaded
// apart from the entity page so the page itself stays as fast as before.
import { useState } from 'react';
import { request } from '../api';
import { EntityHistoryDocument, type EntityHistoryQuery } from '../gql/graphql';
import { ErrorBox, Loading, RunLink, Time, useAsync } from '../ui';

type Event = Extract<NonNullable<EntityHistoryQuery['node']>, { history: unknown }>['history']['nodes'][number];

function page(d: EntityHistoryQuery) {
  const n = d.node;
  return n && 'history' in n ? n.history : null;
}

function what(ev: Event): string {
  if (ev.relationship) {
    const r = ev.relationship;
    return `${r.type} ${r.from.kind}:${r.from.key} → ${r.to.kind}:${r.to.key}`;
  }
  return ev.entity ? `${ev.entity.kind}:${ev.entity.key}` : '';
}

export function HistoryPanel({ id }: { id: string }) {
  const { data, error, loading } = useAsync((signal) => request(EntityHistoryDocument, { id }, signal), [id]);
  const [older, setOlder] = useState<{ id: string; events: Event[]; next: string | null } | null>(null);
  const [busy, setBusy] = useState(false);
  if (error) return <ErrorBox error={error} />;
  if (loading && !data) return <Loading what="history" />;
  const first = data ? page(data) : null;
  if (!first) return null;
  const extra = older && older.id === id ? older : null;
  const events = [...first.nodes, ...(extra?.events ?? [])];
  const next = extra ? extra.next : first.pageInfo.hasNextPage ? first.pageInfo.endCursor ?? null : null;

  async function loadOlder() {
    if (!next) return;
    setBusy(true);
    try {
      const p = page(await request(EntityHistoryDocument, { id, after: next }));
      if (p) {
        setOlder({ id, events: [...(extra?.events ?? []), ...p.nodes], next: p.pageInfo.hasNextPage ? p.pageInfo.endCursor ?? null : null });
      }
    } finally {
      setBusy(false);
    }
  }

  return (
    <>
      {events.length === 0 ? (
        <p className="muted">No recorded changes.</p>
      ) : (
        <table data-testid="history">
          <thead>
            <tr><th scope="col">When</th><th scope="col">Change</th><th scope="col">Item</th><th scope="col">By</th><th scope="col">Source</th><th scope="col">Run</th><th scope="col">What changed</th></tr>
          </thead>
          <tbody>
            {events.map((ev, i) => (
              <tr key={i} data-op={ev.op}>
                <td><Time t={ev.at} /></td>
                <td>{ev.op.toLowerCase()}</td>
                <td>{what(ev)}</td>
                <td>{ev.actor || <span className="muted">—</span>}</td>
                <td>{ev.source || <span className="muted">—</span>}</td>
                <td data-testid="history-run"><RunLink run={ev.run} ingestRun={ev.ingestRun} /></td>
                <td>
                  {ev.changes.length === 0 ? <span className="muted">—</span> : (
                    <ul className="changes">
                      {ev.changes.map((c) => (
                        <li key={c.field}><code>{c.field}</code>: {c.before || '∅'} → {c.after || '∅'}</li>
                      ))}
                    </ul>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {next && <button type="button" onClick={loadOlder} disabled={busy}>{busy ? 'Loading…' : 'Older changes'}</button>}
    </>
  );
}
