import { useEffect, useState, type ReactNode } from 'react';
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
  if (s > -60 && s < 60) return s < 0 ? 'in a minute' : 'just now';
  // Each unit is rounded before it is compared: 59.6 minutes is "1 h".
  const minutes = Math.round(Math.abs(s) / 60);
  const hours = Math.round(minutes / 60);
  const days = Math.round(hours / 24);
  let span: string;
  if (minutes < 60) span = `${minutes} min`;
  else if (hours < 24) span = `${hours} h`;
  else if (days === 1) span = '1 day';
  else if (days < 60) span = `${days} days`;
  else return d.toISOString().slice(0, 10);
  return s < 0 ? `in ${span}` : `${span} ago`;
}

/** A change's class: STANDARD, NORMAL or HIGH. */
export function ClassBadge({ c }: { c: string | null | undefined }) {
  if (!c) return <span className="muted">—</span>;
  return <span className={`change-class class-${c.toLowerCase()}`} data-class={c}>{c.toLowerCase()}</span>;
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

/** How many rows a long table shows at first and adds at each click: the
 * browser took 10 s to draw the 25,000 findings of a large estate's shadow
 * estate, and 5 s again at every filter. */
export const pageRows = 200;

/**
 * The rows of a long table to draw: the first pageRows, growing by pageRows
 * (or to all) at the reader's click, and back to the first page whenever
 * items is another list (a new answer or filter). more is the line under the
 * table saying how many are shown, with the buttons; null when all are.
 */
export function usePagedRows<T>(items: T[]): { rows: T[]; more: ReactNode } {
  const [shown, setShown] = useState({ items, limit: pageRows });
  let limit = shown.limit;
  if (shown.items !== items) {
    limit = pageRows;
    setShown({ items, limit });
  }
  if (items.length <= limit) return { rows: items, more: null };
  const next = Math.min(pageRows, items.length - limit);
  return {
    rows: items.slice(0, limit),
    more: (
      <p className="more-rows" data-testid="more-rows">
        Showing {limit} of {items.length}.{' '}
        <button type="button" className="secondary small" onClick={() => setShown({ items, limit: limit + pageRows })}>Show {next} more</button>{' '}
        <button type="button" className="secondary small" onClick={() => setShown({ items, limit: items.length })}>Show all</button>
      </p>
    ),
  };
}

function csvCell(v: string): string {
  return /[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}

/** Saves rows as a CSV file, built in the browser: nothing leaves it. */
export function downloadCsv(name: string, rows: string[][]) {
  const text = rows.map((r) => r.map(csvCell).join(',')).join('\n') + '\n';
  const url = URL.createObjectURL(new Blob([text], { type: 'text/csv' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

/**
 * Puts text on the clipboard; false when the browser refuses. The Clipboard
 * API exists only in secure contexts (HTTPS, localhost), so on a plain
 * http://host:8080 the older copy command is used on a hidden text area.
 */
export async function copyText(text: string): Promise<boolean> {
  try {
    if (navigator.clipboard) {
      await navigator.clipboard.writeText(text);
      return true;
    }
  } catch {
    // Denied (no permission, page not focused): try the copy command.
  }
  const area = document.createElement('textarea');
  area.value = text;
  area.setAttribute('readonly', '');
  area.style.position = 'fixed';
  area.style.opacity = '0';
  document.body.appendChild(area);
  area.select();
  try {
    return document.execCommand('copy');
  } catch {
    return false;
  } finally {
    area.remove();
  }
}
