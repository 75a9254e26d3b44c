import { useEffect, useState } from 'react';
import type { Kind } from './gql/graphql';
import { kindColour, kindLabel } from './kinds';
import { ApiError } from './api';
import { Link } from './router';

export function KindBadge({ kind }: { kind: Kind }) {
  return (
    <span className="badge" style={{ background: kindColour[kind] }}>
      {kindLabel[kind]}
    </span>
  );
}

export function ConfidenceBadge({ c }: { c: string }) {
  return <span className={`conf conf-${c.toLowerCase()}`}>{c.toLowerCase()}</span>;
}

/** An ingest run's status, coloured. */
export function RunStatus({ s }: { s: string }) {
  return <span className={`run-status run-${s.toLowerCase()}`} data-status={s}>{s.toLowerCase()}</span>;
}

/**
 * The run behind a write: a link to the ingest run's page, or the id of an
 * API request (or of a run not recorded) as text.
 */
export function RunLink({ run, ingestRun }: { run: string; ingestRun: { id: string; status: string; started: string } | null | undefined }) {
  if (ingestRun) {
    return (
      <Link href={`/runs/${encodeURIComponent(ingestRun.id)}`}>
        <RunStatus s={ingestRun.status} /> run <Time t={ingestRun.started} />
      </Link>
    );
  }
  return run ? <code className="run">{run}</code> : <span className="muted">—</span>;
}

export function Time({ t }: { t: string | null | undefined }) {
  if (!t) return <span className="muted">—</span>;
  const d = new Date(t);
  return (
    <time dateTime={t} title={d.toISOString()}>
      {relative(d)}
    </time>
  );
}

function relative(d: Date): string {
  const s = (Date.now() - d.getTime()) / 1000;
  if (s < 60) return 'just now';
  if (s < 3600) return `${Math.round(s / 60)} min ago`;
  if (s < 86400) return `${Math.round(s / 3600)} h ago`;
  if (s < 86400 * 60) return `${Math.round(s / 86400)} days ago`;
  return d.toISOString().slice(0, 10);
}

export function ErrorBox({ error }: { error: unknown }) {
  const msg = error instanceof ApiError || error instanceof Error ? error.message : String(error);
  return (
    <div className="error" role="alert">
      {msg}
    </div>
  );
}

export function Loading({ what }: { what?: string }) {
  return (
    <p className="muted" role="status" aria-live="polite">
      Loading{what ? ` ${what}` : ''}…
    </p>
  );
}

/** Runs an async loader whenever deps change; aborts the previous one. */
export function useAsync<T>(load: (signal: AbortSignal) => Promise<T>, deps: unknown[]) {
  const [state, setState] = useState<{ data?: T; error?: unknown; loading: boolean }>({ loading: true });
  useEffect(() => {
    const ctl = new AbortController();
    setState((s) => ({ data: s.data, loading: true }));
    load(ctl.signal).then(
      (data) => !ctl.signal.aborted && setState({ data, loading: false }),
      (error) => !ctl.signal.aborted && setState({ error, loading: false }),
    );
    return () => ctl.abort();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, deps);
  return state;
}
