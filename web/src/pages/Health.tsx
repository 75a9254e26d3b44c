// The CMDB health dashboard: how complete (owned, mapped) and how fresh the
// CMDB is, overall and per business unit, and what it may hold twice.
import { useState } from 'react';
import { request } from '../api';
import { HealthDocument, LikelyDuplicatesDocument, MarkDistinctDocument, type RatioFieldsFragment } from '../gql/graphql';
import { kindLabel } from '../kinds';
import { Link } from '../router';
import { ErrorBox, KindBadge, Loading, Time, useAsync } from '../ui';
import { Unavailable, useServerHas } from './Answers';
import { useMayEdit } from './Edits';

export function HealthView() {
  const s = useServerHas('health');
  document.title = 'CMDB health · estate';
  return (
    <div>
      <h1>CMDB health</h1>
      {s.loading ? <Loading /> : s.error ? <ErrorBox error={s.error} /> : s.has ? <HealthReport /> : <Unavailable what="The CMDB health dashboard" field="health" />}
      <Duplicates />
    </div>
  );
}

function Meter({ r, label, testId }: { r: RatioFieldsFragment; label: string; testId?: string }) {
  const cls = r.percent < 70 ? 'low' : r.percent < 90 ? 'mid' : '';
  return (
    <div className="card" data-testid={testId}>
      <div className="big">{r.percent.toFixed(1)}%</div>
      <div>{label}</div>
      <div className={`meter ${cls}`} role="meter" aria-valuemin={0} aria-valuemax={100} aria-valuenow={r.percent} aria-label={label}>
        <span style={{ width: `${r.percent}%` }} />
      </div>
      <div className="muted">{r.count} of {r.total}</div>
    </div>
  );
}

function pct(r: RatioFieldsFragment) {
  return (
    <span title={`${r.count} of ${r.total}`}>
      {r.percent.toFixed(1)}% <span className="muted">({r.count}/{r.total})</span>
    </span>
  );
}

function HealthReport() {
  const [days, setDays] = useState(30);
  const [input, setInput] = useState('30');
  const { data, error, loading } = useAsync((sig) => request(HealthDocument, { staleDays: days }, sig), [days]);
  return (
    <>
      <form
        className="inline-form"
        onSubmit={(e) => {
          e.preventDefault();
          const n = Number(input);
          if (n > 0) setDays(Math.round(n));
        }}
      >
        <label htmlFor="stale-days">Stale after (days)</label>{' '}
        <input id="stale-days" type="number" min={1} value={input} onChange={(e) => setInput(e.target.value)} style={{ width: '5rem' }} />{' '}
        <button type="submit">Update</button>
      </form>
      {error ? <ErrorBox error={error} /> : null}
      {loading && !data ? <Loading what="health" /> : null}
      {data && (
        <>
          <p className="muted">As of <Time t={data.health.at} />; items not seen for {data.health.staleDays} days count as stale.</p>
          <div className="kpis wide">
            <Meter r={data.health.completeness.servicesOwned} label="Services with an owner" testId="health-services-owned" />
            <Meter r={data.health.completeness.repositoriesMapped} label="Repositories mapped" testId="health-repos-mapped" />
            <Meter r={data.health.completeness.resourcesOwned} label="Cloud resources owned" testId="health-resources-owned" />
            <div className="card" data-testid="health-stale">
              <div className="big">{data.health.staleness.stale.count}</div>
              <div>Stale items</div>
              <div className="muted">of {data.health.staleness.stale.total} ({data.health.staleness.stale.percent.toFixed(1)}%)</div>
            </div>
          </div>
          <section className="card" aria-labelledby="bu-h">
            <h2 id="bu-h">Per business unit</h2>
            <table data-testid="health-units">
              <thead><tr><th scope="col">Business unit</th><th scope="col">Services owned</th><th scope="col">Repositories mapped</th><th scope="col">Resources owned</th><th scope="col">Stale</th></tr></thead>
              <tbody>
                {data.health.byBusinessUnit.map((u) => (
                  <tr key={u.businessUnit.key}>
                    <td>{u.businessUnit.entity ? <Link href={`/entity/${u.businessUnit.entity.id}`}>{u.businessUnit.name}</Link> : u.businessUnit.name}</td>
                    <td>{pct(u.completeness.servicesOwned)}</td>
                    <td>{pct(u.completeness.repositoriesMapped)}</td>
                    <td>{pct(u.completeness.resourcesOwned)}</td>
                    <td>{pct(u.stale)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </section>
          <div className="two-col even">
            <section className="card" aria-labelledby="stale-kind-h">
              <h2 id="stale-kind-h">Stale by kind</h2>
              <table>
                <thead><tr><th scope="col">Kind</th><th scope="col">Stale</th></tr></thead>
                <tbody>
                  {data.health.staleness.byKind.map((k) => (
                    <tr key={k.kind}><td>{kindLabel[k.kind]}</td><td>{pct(k.ratio)}</td></tr>
                  ))}
                </tbody>
              </table>
            </section>
            <section className="card" aria-labelledby="oldest-h">
              <h2 id="oldest-h">Least recently seen</h2>
              {data.health.staleness.oldest.length === 0 ? <p className="muted">Nothing is stale.</p> : (
                <ul className="plain">
                  {data.health.staleness.oldest.map((o) => (
                    <li key={o.kind + o.key}>
                      <KindBadge kind={o.kind} /> {o.entity ? <Link href={`/entity/${o.entity.id}`}>{o.name}</Link> : o.name} — <Time t={o.lastSeen} />
                    </li>
                  ))}
                </ul>
              )}
            </section>
          </div>
        </>
      )}
    </>
  );
}

/** How many groups of likely duplicates the card shows. */
const duplicatesShown = 50;

/**
 * Likely duplicates: entities of one kind two sources may have spelled
 * differently. Each links to the entities, where an editor merges one into
 * the other.
 */
function Duplicates() {
  const s = useServerHas('likelyDuplicates');
  const mayEdit = useMayEdit();
  // decided counts the groups dismissed here: each reloads the list.
  const [decided, setDecided] = useState(0);
  const [markErr, setMarkErr] = useState<unknown>(null);
  const { data, error } = useAsync(
    (sig) => (s.has ? request(LikelyDuplicatesDocument, { first: duplicatesShown }, sig) : Promise.resolve(null)),
    [s.has, decided],
  );
  if (!s.has) return null;
  const d = data?.likelyDuplicates;
  async function distinct(ids: string[]) {
    setMarkErr(null);
    try {
      await request(MarkDistinctDocument, { ids });
      setDecided((n) => n + 1);
    } catch (x) {
      setMarkErr(x);
    }
  }
  return (
    <section className="card" aria-labelledby="dups-h" data-testid="health-duplicates">
      <h2 id="dups-h">Likely duplicates {d && d.totalCount > 0 && <span className="count">{d.totalCount}</span>}</h2>
      <p className="muted">
        Entities of one kind spelled alike once case, punctuation, prefixes such as <code>@</code> or <code>group:</code> and
        e-mail domains are set aside: perhaps one thing that two sources name their own ways. Open the one to keep and merge
        the other into it{mayEdit ? ', or say they are not duplicates' : ''}.
      </p>
      {error ? <ErrorBox error={error} /> : !d ? <Loading what="duplicates" /> : d.groups.length === 0 ? <p>None found.</p> : (
        <table>
          <thead>
            <tr>
              <th scope="col">Kind</th><th scope="col">Entities</th><th scope="col">Spelled alike</th>
              {mayEdit && <th scope="col"><span className="visually-hidden">Decision</span></th>}
            </tr>
          </thead>
          <tbody>
            {d.groups.map((g) => (
              <tr key={g.kind + g.entities[0].id}>
                <td>{kindLabel[g.kind]}</td>
                <td>
                  <ul className="plain">
                    {g.entities.map((x) => <li key={x.id}><Link href={`/entity/${x.id}`}>{x.name}</Link> <span className="muted">{x.key}</span></li>)}
                  </ul>
                </td>
                <td>{g.shared.join(', ')}</td>
                {mayEdit && (
                  <td>
                    <button type="button" className="secondary" onClick={() => distinct(g.entities.map((x) => x.id))}>
                      Not duplicates
                    </button>
                  </td>
                )}
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {d && d.totalCount > d.groups.length && <p className="muted">The first {d.groups.length} of {d.totalCount}.</p>}
      {markErr ? <ErrorBox error={markErr} /> : null}
    </section>
  );
}
