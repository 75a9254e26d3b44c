import { useEffect, useState } from 'react';
import { authConfig, setToken, type AuthConfig } from './api';

/**
 * Sign-in: through the organisation's identity provider when the server has
 * single sign-on, or with an API token (estate token create), kept in this
 * tab's sessionStorage only. optional: the server reads without signing in
 * (the reader chose to sign in, to decide changes or run sources, or the
 * server refused their token); onCancel then goes back to reading without.
 * notice: the server's reason when a sign-in ended.
 */
export function SignIn({
  onDone,
  onCancel,
  failed,
  notice,
  optional = false,
}: {
  onDone: () => void;
  onCancel?: () => void;
  failed: boolean;
  notice?: string;
  optional?: boolean;
}) {
  const [value, setValue] = useState('');
  const [config, setConfig] = useState<AuthConfig | null>(null);
  useEffect(() => {
    authConfig().then(setConfig);
  }, []);
  const sso = config?.sso;
  const back = window.location.pathname + window.location.search;
  return (
    <div className="signin card" role="dialog" aria-modal="false" aria-labelledby="signin-h">
      <h1 id="signin-h">Sign in</h1>
      {notice && (
        <p className="error" role="alert">
          {notice}
        </p>
      )}
      {sso ? (
        <>
          <p>{optional ? 'This server lets anyone read. Sign in to edit the estate and decide changes.' : 'Sign in to use estate.'}</p>
          <p>
            <a className="button" href={`${sso.loginUrl}?return=${encodeURIComponent(back)}`}>
              Sign in with {sso.name}
            </a>
          </p>
          <h2 className="small">Or with an API token</h2>
        </>
      ) : optional ? (
        <p>
          This server lets anyone read. Sign in with an API token to approve or reject changes and to run sources (an
          administrator makes one with <code>estate token create --role editor --team TEAM</code>).
        </p>
      ) : (
        <p>This server needs an API token. Ask an administrator for one (<code>estate token create --role viewer</code>).</p>
      )}
      {failed && <p className="error" role="alert">The server did not accept that token.</p>}
      <form
        onSubmit={(e) => {
          e.preventDefault();
          setToken(value);
          onDone();
        }}
      >
        <label htmlFor="token">API token</label>
        <input id="token" type="password" autoComplete="off" value={value} onChange={(e) => setValue(e.target.value)} required />
        <button type="submit" className={sso ? 'secondary' : undefined}>
          Sign in
        </button>
        {optional && onCancel && (
          <>
            {' '}
            <button type="button" className="secondary" onClick={onCancel}>Cancel</button>
          </>
        )}
      </form>
      <p className="muted">The token stays in this browser tab (session storage) and is sent only in the Authorization header.</p>
    </div>
  );
}
