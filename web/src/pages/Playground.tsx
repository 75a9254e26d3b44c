// The GraphQL playground: GraphiQL bundled with the UI (no CDN, works
// offline), sending the signed-in token in the Authorization header (or,
// signed in through single sign-on, the session cookie) like every other
// request of the UI — never in a URL.
import { GraphiQL } from 'graphiql';
import 'graphiql/style.css';
import { getToken } from '../api';

async function fetcher(params: unknown, opts?: { headers?: Record<string, unknown> }) {
  const headers: Record<string, string> = { 'Content-Type': 'application/json', Accept: 'application/json' };
  for (const [k, v] of Object.entries(opts?.headers ?? {})) headers[k] = String(v);
  const token = getToken();
  if (token) headers.Authorization = `Bearer ${token}`;
  const res = await fetch('/graphql', { method: 'POST', headers, body: JSON.stringify(params), credentials: 'same-origin' });
  return res.json();
}

const example = `# Who owns the payments API, and why?
{
  whoOwns(ref: "payments-api") {
    subject { kind key name }
    owners { name kind role class email }
  }
}
`;

export function Playground() {
  return (
    <section className="playground" aria-label="GraphQL playground">
      <GraphiQL fetcher={fetcher} defaultQuery={example} shouldPersistHeaders={false} />
    </section>
  );
}
