import { useState } from 'react';
import { setToken } from './api';

/**
 * Sign-in with an API token (estate token create). Kept in this tab's
 * sessionStorage only. optional: the server reads without a token (the
 * reader chose to sign in, to decide changes or run sources, or the server
 * refused their token); onCancel then goes back to reading without one.
 */
export function SignIn({ onDone, onCancel, failed, optional = false }: { onDone: () => void; onCancel?: () => void; failed: boolean; optional?: boolean }) {
  const [value, setValue] = useState('');
  return (
    <div className="signin card" role="dialog" aria-modal="false" aria-labelledby="signin-h">
      <h1 id="signin-h">Sign in</h1>
      {optional ? (
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
        <button type="submit">Sign in</button>
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
