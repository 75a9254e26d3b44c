import { request } from '../api';
import { StatsDocument } from '../gql/graphql';
import { kindLabel } from '../kinds';
import { Link } from '../router';
import { ErrorBox, Loading, useAsync } from '../ui';

export function Home() {
  const { data, error, loading } = useAsync((s) => request(StatsDocument, {}, s), []);
  document.title = 'estate';
  return (
    <div className="home">
      <h1>Who owns this? What breaks if it changes? What runs that nobody registered?</h1>
      <p className="lead">
        Type anything a ticket gives you into the search box above — an application name, a repository URL, an ARN, a
        hostname — and press Enter.
      </p>
      <p>
        For example: <Link href="/search?q=payments-api">payments-api</Link>,{' '}
        <Link href="/search?q=pay.acme.example">pay.acme.example</Link>,{' '}
        <Link href="/search?q=github.com%2Facme%2Fpayments">github.com/acme/payments</Link>.
      </p>
      <ul className="entry-cards">
        <li className="card">
          <h2><Link href="/owners">Who owns these?</Link></h2>
          <p>The owners of a whole list at once: a scanner’s hosts, an alert’s resources, a spreadsheet column.</p>
        </li>
        <li className="card">
          <h2><Link href="/impact">What breaks if this changes?</Link></h2>
          <p>The blast radius of a change: services, business units, tiers and the teams to notify.</p>
        </li>
        <li className="card">
          <h2><Link href="/shadow">Shadow DevOps</Link></h2>
          <p>Unregistered accounts, resources nobody owns, repositories mapped to nothing.</p>
        </li>
        <li className="card">
          <h2><Link href="/changes">Changes</Link></h2>
          <p>Changes pipelines are about to deploy, waiting for their team or the change advisory board.</p>
        </li>
        <li className="card">
          <h2><Link href="/health">CMDB health</Link></h2>
          <p>How complete and how fresh the CMDB is, per business unit.</p>
        </li>
      </ul>
      {error ? <ErrorBox error={error} /> : null}
      {loading && !data ? <Loading what="the estate" /> : null}
      {data && (
        <section className="card" aria-labelledby="stats-h">
          <h2 id="stats-h">
            The estate: {data.stats.entities} entities, {data.stats.relationships} relationships
          </h2>
          <ul className="stat-grid">
            {data.stats.kinds.map((k) => (
              <li key={k.kind}>
                <span className="stat-n">{k.count}</span>
                <span className="stat-l">{kindLabel[k.kind]}</span>
              </li>
            ))}
          </ul>
        </section>
      )}
    </div>
  );
}
