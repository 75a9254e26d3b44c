import { request } from '../api';
import { SearchDocument } from '../gql/graphql';
import { Link } from '../router';
import { mergeHits } from '../SearchBox';
import { ErrorBox, KindBadge, Loading, useAsync } from '../ui';

export function SearchResults({ q }: { q: string }) {
  const { data, error, loading } = useAsync((s) => request(SearchDocument, { text: q, first: 50 }, s), [q]);
  document.title = `${q} · search · estate`;
  const hits = data ? mergeHits(data) : [];
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
              {i < data!.resolve.length && <span className="exact"> exact match</span>}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
