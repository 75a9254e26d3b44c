// Change governance on entity pages: a team's change track record (its
// accreditation, which the change policy weighs, and the four delivery
// metrics over the policy's window), a service's or business unit's
// delivery metrics over the last 90 days, an incident's suspect changes.
import { useState, type ReactNode } from 'react';
import { request } from '../api';
import { ScopeDeliveryDocument, SuspectChangesDocument, TeamDeliveryDocument, type Kind, type MetricsFieldsFragment } from '../gql/graphql';
import { Link } from '../router';
import { ClassBadge, ErrorBox, KindBadge, Loading, useAsync } from '../ui';
import { useServerHas } from './Answers';

/** Seconds as the largest unit that reads well: 90 → "2 min", 93,600 → "26 h". */
function duration(sec: number | null | undefined): string {
  if (sec == null) return '—';
  if (sec < 90) return `${Math.round(sec)} s`;
  if (sec < 90 * 60) return `${Math.round(sec / 60)} min`;
  if (sec < 72 * 3600) return `${Math.round(sec / 3600)} h`;
  return `${Math.round(sec / 86400)} days`;
}

/** The window of a service's or business unit's metrics: the default policy's track record. */
const windowDays = 90;

/** Delivery for a team, service or business unit; nothing on a server without the metrics. */
export function Delivery({ kind, keyName }: { kind: Kind; keyName: string }) {
  const has = useServerHas('deliveryMetrics');
  if (!has.has) return null;
  return kind === 'Team' ? <TeamDelivery team={keyName} /> : <ScopeDelivery kind={kind} keyName={keyName} />;
}

function TeamDelivery({ team }: { team: string }) {
  const { data, error } = useAsync((sig) => request(TeamDeliveryDocument, { team }, sig), [team]);
  const a = data?.teamAccreditation;
  return (
    <DeliveryCard title="Change track record" m={a?.metrics} error={error}>
      {a && (
        <>
          <p>
            Accreditation <span className={`accreditation acc-${a.level.toLowerCase()}`} data-level={a.level}>{a.level.toLowerCase()}</span>{' '}
            <Link href={`/changes?team=${encodeURIComponent(team)}&status=any`}>the team's changes</Link>
          </p>
          <ul className="plain small">{a.reasons.map((r) => <li key={r}>{r}</li>)}</ul>
          <p data-testid="incidents-caused">Incidents its changes caused: {a.incidentsCaused}</p>
        </>
      )}
    </DeliveryCard>
  );
}

function ScopeDelivery({ kind, keyName }: { kind: Kind; keyName: string }) {
  const [to] = useState(() => new Date());
  const from = new Date(to.getTime() - windowDays * 86400_000);
  const { data, error } = useAsync(
    (sig) => request(ScopeDeliveryDocument, { kind, key: keyName, from: from.toISOString(), to: to.toISOString() }, sig),
    [kind, keyName],
  );
  return <DeliveryCard title="Delivery" m={data?.deliveryMetrics} error={error} />;
}

function DeliveryCard({ title, m, error, children }: { title: string; m: MetricsFieldsFragment | undefined; error: unknown; children?: ReactNode }) {
  const days = m ? Math.round((Date.parse(m.to) - Date.parse(m.from)) / 86400_000) : 0;
  return (
    <section className="card" aria-labelledby="delivery-h" data-testid="delivery">
      <h2 id="delivery-h">{title}{m ? ` (last ${days} days)` : ''}</h2>
      {error ? <ErrorBox error={error} /> : !m ? <Loading what="the delivery metrics" /> : (
        <>
          {children}
          <dl className="meta" data-testid="delivery-metrics">
            <div><dt>Deployments</dt><dd>{m.deployments} ({m.deploymentsPerDay.toFixed(2)} a day)</dd></div>
            <div><dt>Lead time (median)</dt><dd>{duration(m.leadTimeSeconds)}</dd></div>
            <div><dt>Change failure rate</dt><dd>{Math.round(m.changeFailureRate * 100)}% ({m.failedDeployments} of {m.deployments})</dd></div>
            <div><dt>Incidents</dt><dd>{m.incidents} ({m.restored} restored)</dd></div>
            <div><dt>Time to restore (median)</dt><dd>{duration(m.timeToRestoreSeconds)}</dd></div>
          </dl>
        </>
      )}
    </section>
  );
}

/** The windows a reader can pick for suspect changes, in days. */
const suspectWindows = [1, 7, 30, 90];

/**
 * The changes deployed shortly before an incident that touched what it hit,
 * or what that relies on: where a service desk looks for the cause.
 */
export function SuspectChanges({ incident }: { incident: string }) {
  const has = useServerHas('deliveryMetrics');
  const [days, setDays] = useState(7);
  const { data, error, loading } = useAsync((sig) => request(SuspectChangesDocument, { key: incident, days }, sig), [incident, days]);
  if (!has.has) return null;
  const sc = data?.entity && 'suspectChanges' in data.entity ? data.entity.suspectChanges : undefined;
  return (
    <section className="card" aria-labelledby="suspects-h" data-testid="suspects">
      <h2 id="suspects-h">
        Changes that may have caused it {sc && <span className="count">{sc.suspects.length}</span>}{' '}
        <label className="inline">
          Deployed in the{' '}
          <select value={days} onChange={(e) => setDays(Number(e.target.value))}>
            {suspectWindows.map((d) => <option key={d} value={d}>{d === 1 ? 'day' : `${d} days`}</option>)}
          </select>{' '}
          before it started
        </label>
        {loading && sc && <span className="muted small"> refreshing…</span>}
      </h2>
      <p className="hint">
        Approved changes that touched what it hit, or what that relies on ({sc?.depth ?? 3} steps upstream: its applications,
        their repositories, what they depend on and run on); the nearest first. A recorded cause comes first whenever it was deployed.
      </p>
      {error ? <ErrorBox error={error} /> : !sc ? <Loading what="the suspect changes" /> : sc.suspects.length === 0 ? (
        <p className="muted">No change touched what it hit, or what that relies on, in the {days === 1 ? 'day' : `${days} days`} before it started.</p>
      ) : (
        <table>
          <thead>
            <tr><th scope="col">Change</th><th scope="col">Deployed</th><th scope="col">Touched</th><th scope="col">How it reaches what the incident hit</th></tr>
          </thead>
          <tbody>
            {sc.suspects.map((s) => (
              <tr key={s.change.key} data-change={s.change.key}>
                <td>
                  <Link href={`/changes/${encodeURIComponent(s.change.key)}`}>{s.change.name}</Link>{' '}
                  <ClassBadge c={s.change.class} />
                  {s.recordedCause && <div><strong data-testid="recorded-cause">recorded cause</strong></div>}
                </td>
                <td>{duration(s.minutesBefore * 60)} before</td>
                <td>
                  {s.affects ? (
                    <><KindBadge kind={s.affects.kind} /> {s.affects.entity ? <Link href={`/entity/${s.affects.entity.id}`}>{s.affects.name}</Link> : s.affects.name}</>
                  ) : <span className="muted">nothing it reaches</span>}
                </td>
                <td data-testid="suspect-path">
                  {!s.affects ? <span className="muted">—</span> : s.distance === 0 ? 'what it hit' : (
                    <>
                      {s.hit?.name}, {s.distance} step{s.distance === 1 ? '' : 's'}:{' '}
                      {s.path.map((p, i) => <span key={i}>{i > 0 && ', '}<code>{p.from.key} {p.type} {p.to.key}</code></span>)}
                    </>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {sc?.truncated && <p className="warn">More changes qualified than are shown: narrow the window.</p>}
    </section>
  );
}
