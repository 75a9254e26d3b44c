import { Link } from '../router';
import { byKey, findHits } from '../SearchBox';
import { ErrorBox, KindBadge, Loading, useAsync } from '../ui';

export function SearchResults({ q }: { q: string }) {
  const { data, error, loading } = useAsync((s) => findHits(q, 50, s), [q]);
  document.title = `${q} · search · estate`;
  const hits = data?.hits ?? [];
  return (
    <div>
      <h1>Results for “{q}”</h1>
      {error ? <ErrorBox error={error} /> : null}
      {loading && !data ? <Loading what="results" /> : null}
      {data && hits.length === 0 && <p>Nothing in the estate matches. Try part of a name, a key or a tag value.</p>}
      {hits.length > 0 && (
        <ul className="results" data-testid="search-results">
          {hits.map((h, i) => (
            <li key={h.id}>
              <KindBadge kind={h.kind} /> <Link href={`/entity/${h.id}`}>{h.name}</Link>{' '}
              <span className="muted key">{h.key}</span>
              {i < data!.exact && <span className="exact"> {data!.by === byKey ? 'exact match' : `named by ${data!.by}`}</span>}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
