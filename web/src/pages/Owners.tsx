// "Who owns these?": the owners of a whole list at once — the hosts in a
// vulnerability scanner's report, the resources of an alert, a spreadsheet
// column — one row per line, as a table and as CSV.
import { useState } from 'react';
import { request } from '../api';
import { WhoOwnsEachDocument, type WhoOwnsEachQuery } from '../gql/graphql';
import { Link } from '../router';
import { downloadCsv, ErrorBox, KindBadge, Loading, usePagedRows } from '../ui';
import { Unavailable, useServerHas } from './Answers';

type Lookup = WhoOwnsEachQuery['whoOwnsEach'][number];
type Owner = NonNullable<Lookup['answer']>['owners'][number];

/** How many refs one request asks (the server's limit): a longer list is
 * asked in turns. */
const perRequest = 500;

const roles = ['TECHNICAL', 'BUSINESS', 'SUPPORT', 'SECURITY'] as const;

export function OwnersView() {
  const s = useServerHas('whoOwnsEach');
  document.title = 'Who owns these? · estate';
  return (
    <div>
      <h1>Who owns these?</h1>
      {s.loading ? <Loading /> : s.error ? <ErrorBox error={s.error} /> : s.has ? <OwnersForm /> : <Unavailable what="Looking up many owners at once" field="whoOwnsEach" />}
    </div>
  );
}

function OwnersForm() {
  const [text, setText] = useState('');
  const [asked, setAsked] = useState(0);
  const [lookups, setLookups] = useState<Lookup[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  return (
    <>
      <form
        className="card stacked"
        onSubmit={async (e) => {
          e.preventDefault();
          const refs = text.split('\n').map((x) => x.trim()).filter((x) => x && !x.startsWith('#'));
          setBusy(true);
          setError(null);
          setLookups(null);
          setAsked(refs.length);
          const all: Lookup[] = [];
          try {
            for (let i = 0; i < refs.length; i += perRequest) {
              const d = await request(WhoOwnsEachDocument, { refs: refs.slice(i, i + perRequest) });
              all.push(...d.whoOwnsEach);
              setLookups([...all]);
            }
          } catch (err) {
            setError(err);
          } finally {
            setBusy(false);
          }
        }}
      >
        <label htmlFor="owner-refs">One per line</label>
        <textarea
          id="owner-refs"
          rows={8}
          value={text}
          onChange={(e) => setText(e.target.value)}
          required
          placeholder={'pay.acme.example\narn:aws:s3:::acme-statements\nhttps://github.com/acme/payments-api'}
        />
        <p className="hint">
          Hostnames, URLs, ARNs, repository links, names: what a scanner’s report or an alert lists. Blank lines and lines
          starting with # are skipped.
        </p>
        <button type="submit" disabled={busy}>Look up owners</button>
      </form>
      {error ? <ErrorBox error={error} /> : null}
      {busy && <Loading what={`owners (${lookups?.length ?? 0} of ${asked})`} />}
      {lookups && !busy && <Lookups lookups={lookups} />}
    </>
  );
}

/** The accountable owners of one role. */
function accountable(l: Lookup, role: string): Owner[] {
  return l.answer?.owners.filter((o) => o.accountable && o.role === role) ?? [];
}

/** Why a ref has no owners to show: it names nothing, several things, or
 * something nobody owns. Empty when it has owners. */
function note(l: Lookup): string {
  if (l.message) return l.message;
  const a = l.answer;
  if (a && !a.subject) return `May mean: ${a.candidates.map((c) => `${c.kind}:${c.key}`).join(', ')}`;
  if (a && a.owners.length === 0) return 'Nobody owns it, directly or through what it belongs to.';
  return '';
}

/** Whom to call first: the first accountable owner's e-mail and channel,
 * in the order `estate owners` prints them. */
function contact(l: Lookup): string[] {
  const first = roles.flatMap((r) => accountable(l, r))[0];
  return first ? [first.email, first.channel].filter((x): x is string => !!x) : [];
}

function Lookups({ lookups }: { lookups: Lookup[] }) {
  const { rows, more } = usePagedRows(lookups);
  const missing = lookups.filter((l) => l.code === 'NOT_FOUND').length;
  const unclear = lookups.filter((l) => (l.code && l.code !== 'NOT_FOUND') || (l.answer && !l.answer.subject)).length;
  const unowned = lookups.filter((l) => l.answer?.subject && l.answer.owners.length === 0).length;
  const download = () => {
    const head = ['ref', 'subject', ...roles.map((r) => r.toLowerCase()), 'contact', 'code', 'note'];
    const body = lookups.map((l) => [
      l.ref,
      l.answer?.subject ? `${l.answer.subject.kind}:${l.answer.subject.key}` : '',
      ...roles.map((r) => accountable(l, r).map((o) => o.key).join(', ')),
      contact(l).join(' '),
      l.code ?? '',
      note(l),
    ]);
    downloadCsv('owners.csv', [head, ...body]);
  };
  return (
    <section className="card" aria-labelledby="lookups-h" data-testid="owner-lookups">
      <h2 id="lookups-h">
        {lookups.length} looked up: {lookups.length - missing - unclear} found, {missing} naming nothing,{' '}
        {unclear} ambiguous, {unowned} without an owner
      </h2>
      <button type="button" className="secondary small" onClick={download}>Download CSV</button>
      <table>
        <thead>
          <tr>
            <th scope="col">Looked up</th>
            <th scope="col">What it names</th>
            {roles.map((r) => <th scope="col" key={r}>{r.toLowerCase()}</th>)}
            <th scope="col">Contact</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((l, i) => {
            const s = l.answer?.subject;
            const why = note(l);
            return (
              <tr key={i} data-code={l.code ?? (s ? 'FOUND' : 'AMBIGUOUS')}>
                <td className="evidence">{l.ref}</td>
                {s ? (
                  <td>
                    <KindBadge kind={s.kind} /> {s.entity ? <Link href={`/entity/${s.entity.id}`}>{s.name}</Link> : s.name}
                    {why && <div className="warn">{why}</div>}
                  </td>
                ) : (
                  <td colSpan={2 + roles.length} className="warn">{why}</td>
                )}
                {s && roles.map((r) => (
                  <td key={r}>
                    {accountable(l, r).map((o, j) => (
                      <span key={o.kind + o.key}>
                        {j > 0 && ', '}
                        {o.entity ? <Link href={`/entity/${o.entity.id}`}>{o.name}</Link> : o.name}
                        {o.departed && <span className="warn"> (left)</span>}
                      </span>
                    ))}
                  </td>
                ))}
                {s && <td>{contact(l).join(' · ') || <span className="muted">—</span>}</td>}
              </tr>
            );
          })}
        </tbody>
      </table>
      {more}
    </section>
  );
}
