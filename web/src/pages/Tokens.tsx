// API tokens, for administrators: the tokens automation uses (a CI job's
// change gate, a scheduled export, a scanner asking who owns its hosts),
// made and revoked here by someone signed in, without a shell on the
// server. A token's secret is shown once, when it is made: only its hash is
// kept.
import { useState, type FormEvent } from 'react';
import { request } from '../api';
import { CreateTokenDocument, RevokeTokenDocument, TokensDocument, ViewerDocument, type Role } from '../gql/graphql';
import { copyText, ErrorBox, Loading, Time, useAsync } from '../ui';

const roles: { role: Role; what: string }[] = [
  { role: 'VIEWER', what: 'reads' },
  { role: 'EDITOR', what: 'reads and edits the estate' },
  { role: 'ADMIN', what: 'also manages tokens' },
];

export function TokensView() {
  const viewer = useAsync((sig) => request(ViewerDocument, {}, sig), []);
  const [tick, setTick] = useState(0);
  const [made, setMade] = useState<{ name: string; secret: string } | null>(null);
  const [status, setStatus] = useState('');
  // Tokens revoked here leave the list with the message that says so, not
  // when the list is next fetched.
  const [revoked, setRevoked] = useState<ReadonlySet<string>>(new Set());
  const admin = viewer.data?.viewer.role === 'ADMIN';
  const { data, error } = useAsync((sig) => (admin ? request(TokensDocument, {}, sig) : Promise.resolve(null)), [admin, tick]);

  if (viewer.error) return <ErrorBox error={viewer.error} />;
  if (!viewer.data) return <Loading what="who you are" />;
  if (!admin) {
    return (
      <div>
        <h1>API tokens</h1>
        <p className="muted">Only administrators manage API tokens. Ask one for a token, or sign in as one.</p>
      </div>
    );
  }
  const tokens = data?.tokens.filter((t) => !revoked.has(t.id));
  const revoke = async (id: string, name: string) => {
    if (!window.confirm(`Revoke the token "${name}"? Whatever uses it stops working at once.`)) return;
    try {
      await request(RevokeTokenDocument, { id });
      setStatus(`Revoked "${name}".`);
      setRevoked((r) => new Set(r).add(id));
      setTick((n) => n + 1);
    } catch (e) {
      setStatus(`Not revoked: ${(e as Error).message}`);
    }
  };
  return (
    <div>
      <h1>API tokens</h1>
      <p>
        Tokens are for automation: a pipeline's change gate, a scanner asking who owns its hosts, a scheduled export.
        People sign in instead. A token acts under its name in the change history.
      </p>
      {made && <Secret {...made} onDone={() => setMade(null)} />}
      <NewToken
        onMade={(name, secret) => {
          setMade({ name, secret });
          setStatus('');
          setTick((n) => n + 1);
        }}
      />
      <section className="card" aria-labelledby="tokens-h">
        <h2 id="tokens-h">
          Tokens {tokens && <span className="count">{tokens.length}</span>}
        </h2>
        {status && <p role="status" className={status.startsWith('Not') ? 'error-text' : 'muted'}>{status}</p>}
        {error ? (
          <ErrorBox error={error} />
        ) : !tokens ? (
          <Loading what="the tokens" />
        ) : tokens.length === 0 ? (
          <p className="muted">No tokens yet.</p>
        ) : (
          <table data-testid="tokens">
            <thead>
              <tr>
                <th scope="col">Name</th><th scope="col">Role</th><th scope="col">Decides changes of</th><th scope="col">Made</th><th scope="col"><span className="visually-hidden">Revoke</span></th>
              </tr>
            </thead>
            <tbody>
              {tokens.map((t) => (
                <tr key={t.id}>
                  <td>{t.name}<div className="key" title="token id">{t.id}</div></td>
                  <td>{t.role.toLowerCase()}</td>
                  <td>{[t.cab ? 'the CAB (any change)' : '', ...t.teams.map((k) => `team ${k}`)].filter(Boolean).join(', ') || <span className="muted">—</span>}</td>
                  <td><Time t={t.createdAt} /></td>
                  <td>
                    <button type="button" className="secondary" onClick={() => revoke(t.id, t.name)} aria-label={`Revoke ${t.name}`}>
                      Revoke
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
    </div>
  );
}

function NewToken({ onMade }: { onMade: (name: string, secret: string) => void }) {
  const [name, setName] = useState('');
  const [role, setRole] = useState<Role>('VIEWER');
  const [teams, setTeams] = useState('');
  const [cab, setCab] = useState(false);
  const [busy, setBusy] = useState(false);
  const [err, setErr] = useState<unknown>(null);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setErr(null);
    try {
      const list = teams.split(',').map((t) => t.trim()).filter(Boolean);
      const d = await request(CreateTokenDocument, { role, name: name.trim(), teams: list, cab });
      onMade(d.createToken.info.name, d.createToken.token);
      setName('');
      setRole('VIEWER');
      setTeams('');
      setCab(false);
    } catch (x) {
      setErr(x);
    } finally {
      setBusy(false);
    }
  };
  return (
    <section className="card" aria-labelledby="new-token-h">
      <h2 id="new-token-h">New token</h2>
      <form onSubmit={submit} className="token-form">
        <label>
          Name <input value={name} onChange={(e) => setName(e.target.value)} required placeholder="what uses it: ci-change-gate" autoComplete="off" />
        </label>
        <fieldset>
          <legend>Role</legend>
          {roles.map((r) => (
            <label key={r.role} className="inline">
              <input type="radio" name="role" value={r.role} checked={role === r.role} onChange={() => setRole(r.role)} /> {r.role.toLowerCase()}{' '}
              <span className="muted small">({r.what})</span>
            </label>
          ))}
        </fieldset>
        <label>
          Teams whose NORMAL changes it may decide <input value={teams} onChange={(e) => setTeams(e.target.value)} placeholder="team keys, comma-separated" autoComplete="off" />
        </label>
        <label className="inline">
          <input type="checkbox" checked={cab} onChange={(e) => setCab(e.target.checked)} /> On the change advisory board (decides any change)
        </label>
        <div>
          <button type="submit" disabled={busy}>Make the token</button>
        </div>
        {err !== null && <ErrorBox error={err} />}
      </form>
    </section>
  );
}

/** The new token's secret, shown this once. */
function Secret({ name, secret, onDone }: { name: string; secret: string; onDone: () => void }) {
  const [copied, setCopied] = useState('');
  return (
    <section className="card token-secret" aria-labelledby="secret-h" data-testid="token-secret">
      <h2 id="secret-h">The token "{name}"</h2>
      <p>
        Copy it now: it is shown only this once. Send it as <code>Authorization: Bearer TOKEN</code>.
      </p>
      <p>
        <code className="secret-value">{secret}</code>
      </p>
      <p>
        <button type="button" onClick={async () => setCopied((await copyText(secret)) ? 'Copied.' : 'The browser would not copy: select the token and copy it.')}>
          Copy
        </button>{' '}
        <button type="button" className="secondary" onClick={onDone}>
          Done
        </button>{' '}
        <span role="status" className="muted small">{copied}</span>
      </p>
    </section>
  );
}
