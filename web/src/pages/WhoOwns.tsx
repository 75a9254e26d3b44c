// "Who owns this?" as the server answers it (whoOwns): accountable owners by
// precedence, inherited owners, conflicts and the escalation chain; and the
// same read the other way on a team's or person's page (ownedBy): what they
// answer for. Shown on the entity page when the server offers them.
import { request } from '../api';
import { OwnedByDocument, WhoOwnsDocument, type OwnedByQuery } from '../gql/graphql';
import { kindLabel } from '../kinds';
import { Link } from '../router';
import { ConfidenceBadge, downloadCsv, KindBadge, useAsync, usePagedRows } from '../ui';
import { useServerHas } from './Answers';

const classLabel: Record<string, string> = {
  MANUAL: 'manual edit',
  DESCRIPTOR: 'descriptor',
  CODEOWNERS: 'CODEOWNERS',
  CLOUD_TAG: 'cloud tag',
  INHERITED: 'inherited',
  COMMIT_HEURISTIC: 'commit history',
};

export function WhoOwnsPanel({ kind, keyName }: { kind: string; keyName: string }) {
  const s = useServerHas('whoOwns');
  if (!s.has) return null;
  return <Answer kind={kind} ownRef={`${kind}:${keyName}`} />;
}

/** What a page of a kind nobody owns says instead of "no owner": whom to call first. */
const ownerless: Record<string, string> = {
  Team: 'Nobody owns a team: call the team itself, then the escalation below.',
  Person: 'Nobody owns a person: call them, then the escalation below.',
};

function Answer({ kind, ownRef }: { kind: string; ownRef: string }) {
  const { data, error } = useAsync((sig) => request(WhoOwnsDocument, { ref: ownRef }, sig), [ownRef]);
  if (error) return <p className="muted">The server could not answer “who owns this” ({(error as Error).message}).</p>;
  if (!data) return null;
  const r = data.whoOwns;
  const accountable = r.owners.filter((o) => o.accountable);
  return (
    <section className="card" aria-labelledby="whoowns-h" data-testid="who-owns">
      <h2 id="whoowns-h">Who to call</h2>
      {r.owners.length === 0 ? (
        ownerless[kind] ? <p className="muted">{ownerless[kind]}</p> : <p className="warn">No owner, declared or inherited.</p>
      ) : (
        <table>
          <thead>
            <tr><th scope="col">Owner</th><th scope="col">Role</th><th scope="col">Precedence</th><th scope="col">Contact</th><th scope="col">Evidence</th></tr>
          </thead>
          <tbody>
            {r.owners.map((o) => (
              <tr key={o.kind + o.key + o.role} className={o.accountable ? 'accountable' : undefined}>
                <td>
                  <KindBadge kind={o.kind} /> {o.entity ? <Link href={`/entity/${o.entity.id}`}>{o.name}</Link> : o.name}
                  {o.accountable && <span className="exact"> accountable</span>}
                  {o.departed && <span className="warn"> left the company</span>}
                </td>
                <td>{o.role.toLowerCase()}</td>
                <td>
                  {classLabel[o.class] ?? o.class} <ConfidenceBadge c={o.confidence} />
                  {o.inheritedFrom && <div className="muted">from {o.inheritedFrom.name}</div>}
                </td>
                <td>{[o.channel, o.email].filter(Boolean).join(' · ') || <span className="muted">—</span>}</td>
                <td className="evidence">{o.evidence.map((e) => e.evidence || e.source).join('; ')}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {r.conflicts.length > 0 && (
        <div className="conflicts">
          <h3>Conflicts</h3>
          <ul>
            {r.conflicts.map((c, i) => (
              <li key={i}><strong>{c.role.toLowerCase()}</strong>: {c.explanation}{c.resolved && c.winner ? ` (precedence picks ${c.winner})` : ' (unresolved)'}</li>
            ))}
          </ul>
        </div>
      )}
      {r.escalation.length > 0 && (
        <>
          <h3>Escalation</h3>
          {r.escalation.map((ch, i) => (
            <p key={i} className="escalation">
              {ch.steps.map((s, j) => (
                <span key={s.kind + s.key}>
                  {j > 0 && ' → '}
                  {s.entity ? <Link href={`/entity/${s.entity.id}`}>{s.name}</Link> : s.name}
                  <span className="muted"> ({[kindLabel[s.kind].toLowerCase(), s.channel].filter(Boolean).join(', ')})</span>
                </span>
              ))}
            </p>
          ))}
        </>
      )}
      {accountable.length === 0 && r.owners.length > 0 && <p className="muted">No owner is accountable at the top precedence.</p>}
    </section>
  );
}

export function OwnedByPanel({ kind, keyName }: { kind: string; keyName: string }) {
  const s = useServerHas('ownedBy');
  if (!s.has) return null;
  return <OwnedBy ownerRef={`${kind}:${keyName}`} />;
}

type OwnedItems = OwnedByQuery['ownedBy']['items'];
// One empty list: usePagedRows starts over whenever it is given another.
const noItems: OwnedItems = [];

function OwnedBy({ ownerRef }: { ownerRef: string }) {
  const { data, error } = useAsync((sig) => request(OwnedByDocument, { ref: ownerRef }, sig), [ownerRef]);
  const items = data?.ownedBy.items ?? noItems;
  const { rows, more } = usePagedRows(items);
  if (error) return <p className="muted">The server could not answer “what does it answer for” ({(error as Error).message}).</p>;
  if (!data) return null;
  const direct = items.filter((i) => !i.inheritedFrom).length;
  const download = () =>
    downloadCsv(`${ownerRef.replace(/[^\w.@-]+/g, '_')}-answers-for.csv`, [
      ['kind', 'key', 'name', 'role', 'class', 'accountable', 'inherited_from'],
      ...items.map((i) => [i.kind, i.key, i.name, i.role.toLowerCase(), classLabel[i.class] ?? i.class, String(i.accountable), i.inheritedFrom ? `${i.inheritedFrom.kind}:${i.inheritedFrom.key}` : '']),
    ]);
  return (
    <section className="card" aria-labelledby="ownedby-h" data-testid="owned-by">
      <h2 id="ownedby-h">
        Answers for {items.length} things: {direct} directly, {items.length - direct} through what it owns
      </h2>
      {data.ownedBy.truncated && <p className="warn">Only the 500 things nearest to what it owns were looked at: there may be more.</p>}
      {items.length === 0 ? (
        <p className="muted">Nothing: no owner names it, directly or through what it owns.</p>
      ) : (
        <>
          <button type="button" className="secondary small" onClick={download}>Download CSV</button>
          <table>
            <thead>
              <tr><th scope="col">Thing</th><th scope="col">Role</th><th scope="col">Precedence</th><th scope="col">Through</th></tr>
            </thead>
            <tbody>
              {rows.map((i) => (
                <tr key={i.kind + i.key + i.role}>
                  <td><KindBadge kind={i.kind} /> {i.entity ? <Link href={`/entity/${i.entity.id}`}>{i.name}</Link> : i.name}</td>
                  <td>{i.role.toLowerCase()}</td>
                  <td>
                    {classLabel[i.class] ?? i.class}
                    {i.accountable && <span className="exact"> accountable</span>}
                  </td>
                  <td>
                    {i.inheritedFrom ? (
                      i.inheritedFrom.entity ? <Link href={`/entity/${i.inheritedFrom.entity.id}`}>{i.inheritedFrom.name}</Link> : i.inheritedFrom.name
                    ) : (
                      <span className="muted">owns it</span>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          {more}
        </>
      )}
    </section>
  );
}
