// Impact, Shadow DevOps and CMDB health views. They need the answers
// queries (impact, shadowEstate, health); a server without them gets a
// clear "not available" state instead of an error.
import { queryFields } from '../api';
import { useAsync } from '../ui';

export function useServerHas(field: string) {
  const { data, error, loading } = useAsync(() => queryFields(), []);
  return { has: data?.has(field) ?? false, loading, error };
}

export function Unavailable({ what, field }: { what: string; field: string }) {
  return (
    <div className="card unavailable" role="status" data-testid="not-available">
      <h2>Not available in this server</h2>
      <p>
        {what} needs the <code>{field}</code> query, which this estate server does not offer yet. Upgrade the server
        to a version with the answers API.
      </p>
    </div>
  );
}
