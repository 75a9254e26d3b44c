// Edits on an entity page, for editors: what a service desk learns while
// answering "who owns this?" goes back into the estate, with the evidence —
// an owner for something nobody owns, the service an application belongs
// to, an account central IT knows. Each is a manual assertion
// (graph.SourceManual); what sources assert is theirs to change, since the
// next run would put it back.
import { useEffect, useState, type FormEvent, type ReactNode } from 'react';
import { request } from '../api';
import {
  AddLinkDocument,
  CandidatesDocument,
  EntityByKeyDocument,
  LikelyDuplicatesOfDocument,
  MergeEntitiesDocument,
  RegisterAccountDocument,
  RemoveLinkDocument,
  ViewerDocument,
  WithdrawDistinctDocument,
  type Kind,
  type CandidatesQuery,
  type OwnerRole,
  type RelType,
} from '../gql/graphql';
import { Link } from '../router';
import { ErrorBox, useAsync } from '../ui';

const roles: OwnerRole[] = ['TECHNICAL', 'BUSINESS', 'SUPPORT', 'SECURITY'];

/** Whether the signed-in reader may edit the estate (the editor role). */
export function useMayEdit(): boolean {
  const { data } = useAsync((sig) => request(ViewerDocument, {}, sig), []);
  const r = data?.viewer.role;
  return r === 'EDITOR' || r === 'ADMIN';
}

type Entity = { kind: Kind; key: string };
type Candidate = CandidatesQuery['search'][number];

/** e as the API names it: only its kind and key (e may be a whole entity). */
const ref = (e: Entity): Entity => ({ kind: e.kind, key: e.key });

/** How a suggestion reads in a field: "Platform SRE (team)". */
const label = (c: Candidate) => `${c.name} (${c.kind.toLowerCase()})`;

/**
 * A field naming an entity of kinds: suggestions from the search as the
 * reader types, picked by their label or typed by key.
 */
function usePick(kinds: Kind[], name: string) {
  const [text, setText] = useState('');
  // The entities the last search found, and the text it searched.
  const [found, setFound] = useState<{ text: string; list: Candidate[] }>({ text: '', list: [] });
  const picked = found.list.find((c) => label(c) === text || c.key === text.trim());
  useEffect(() => {
    const q = text.trim();
    if (picked || q.length < 2) return;
    const ctl = new AbortController();
    const t = setTimeout(() => {
      request(CandidatesDocument, { text: q, kinds }, ctl.signal).then((d) => setFound({ text: q, list: d.search }), () => {});
    }, 150);
    return () => {
      clearTimeout(t);
      ctl.abort();
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [text]);
  const list = `pick-${name.replace(/\W+/g, '-').toLowerCase()}`;
  const field = (
    <>
      <label>
        {name}{' '}
        <input list={list} value={text} onChange={(x) => setText(x.target.value)} placeholder="type a name" required autoComplete="off" />
      </label>
      <datalist id={list}>
        {found.list.map((c) => <option key={c.id} value={label(c)}>{c.key}</option>)}
      </datalist>
    </>
  );
  const hint = !picked && found.text !== '' && found.text === text.trim() && (
    <p className="muted small" role="status">
      {found.list.length ? 'Pick one of the suggestions.' : `No ${kinds.map((k) => k.toLowerCase()).join(' or ')} matches “${found.text}”.`}
    </p>
  );
  /** Fills the field with c, as if found and picked. */
  const pick = (c: Candidate) => {
    setFound({ text: label(c), list: [c] });
    setText(label(c));
  };
  return { picked, field, hint, pick, clear: () => setText('') };
}

/**
 * A form that records one fact with its evidence: summary opens it, fields
 * come before the evidence, save writes it (and throws to show an error).
 */
function EditForm({ summary, button, testId, fields, ready, save, onDone, children, withEvidence = true }: {
  summary: string; button: string; testId: string; fields: ReactNode; ready: boolean;
  save: (evidence: string) => Promise<unknown>; onDone: () => void; children?: ReactNode;
  /** False for an edit that records no evidence of its own (a merge keeps the evidence of what it moves). */
  withEvidence?: boolean;
}) {
  const [evidence, setEvidence] = useState('');
  const [err, setErr] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  async function submit(ev: FormEvent) {
    ev.preventDefault();
    setBusy(true);
    setErr(null);
    try {
      await save(evidence.trim());
      setEvidence('');
      onDone();
    } catch (x) {
      setErr(x);
    } finally {
      setBusy(false);
    }
  }
  return (
    <details className="edit" data-testid={testId}>
      <summary>{summary}</summary>
      <form onSubmit={submit}>
        {fields}
        {withEvidence && (
          <label>
            Evidence{' '}
            <input value={evidence} onChange={(x) => setEvidence(x.target.value)} placeholder="how you know: a ticket, a conversation" required />
          </label>
        )}
        <button type="submit" disabled={!ready || busy || (withEvidence && !evidence.trim())}>{button}</button>
        {children}
      </form>
      {err ? <ErrorBox error={err} /> : null}
    </details>
  );
}

/** Records a new owner of e: a team or person, in a role. */
export function AddOwner({ e, onChange }: { e: Entity; onChange: () => void }) {
  const who = usePick(['Team', 'Person'], 'Team or person');
  const [role, setRole] = useState<OwnerRole>('TECHNICAL');
  const p = who.picked;
  return (
    <EditForm
      summary="Add an owner"
      button="Add owner"
      testId="add-owner"
      ready={!!p}
      fields={
        <>
          {who.field}
          <label>
            Role{' '}
            <select value={role} onChange={(x) => setRole(x.target.value as OwnerRole)}>
              {roles.map((r) => <option key={r} value={r}>{r.toLowerCase()}</option>)}
            </select>
          </label>
        </>
      }
      save={(evidence) => request(AddLinkDocument, { input: { type: 'OWNS', from: ref(p!), to: ref(e), role, evidence } }).then(who.clear)}
      onDone={onChange}
    >
      {who.hint}
    </EditForm>
  );
}

/** Puts an application in a service (PART_OF), for one that is in none. */
export function AddToService({ e, onChange }: { e: Entity; onChange: () => void }) {
  const svc = usePick(['Service'], 'Service');
  const p = svc.picked;
  return (
    <EditForm
      summary="Put it in a service"
      button="Put in service"
      testId="add-to-service"
      ready={!!p}
      fields={svc.field}
      save={(evidence) => request(AddLinkDocument, { input: { type: 'PART_OF', from: ref(e), to: ref(p!), evidence } }).then(svc.clear)}
      onDone={onChange}
    >
      {svc.hint}
    </EditForm>
  );
}

/** Marks a cloud account registered: known to central IT, so not Shadow DevOps. */
export function RegisterAccount({ e, onChange }: { e: Entity; onChange: () => void }) {
  return (
    <EditForm
      summary="Register this account"
      button="Register"
      testId="register-account"
      ready
      fields={null}
      save={(evidence) => request(RegisterAccountDocument, { input: [{ kind: 'CloudAccount', key: e.key, properties: { registered: true }, evidence }] })}
      onDone={onChange}
    />
  );
}

/** The label markDistinct leaves: the keys of what an entity is known not to be (graph.DistinctLabel). */
const distinctLabel = 'not-duplicate-of';

type Labelled = Entity & { id: string; name: string; labels: { key: string; value: string }[] };

/** The keys of the entities e was recorded as not being. */
const distinctKeys = (e: Labelled) =>
  (e.labels.find((l) => l.key === distinctLabel)?.value ?? '').split(',').map((k) => k.trim()).filter(Boolean);

/**
 * What a person recorded e is not (markDistinct), each with a way to
 * withdraw the decision: the pair may be listed as likely duplicates again,
 * and merged.
 */
export function NotDuplicates({ e, onChange }: { e: Labelled; onChange: () => void }) {
  const keys = distinctKeys(e);
  const { data, error } = useAsync(
    (sig) => Promise.all(keys.map((key) => request(EntityByKeyDocument, { kind: e.kind, key }, sig).then((d) => ({ key, other: d.entity })))),
    [e.id, keys.join()],
  );
  const [err, setErr] = useState<unknown>(null);
  async function withdraw(id: string) {
    setErr(null);
    try {
      await request(WithdrawDistinctDocument, { ids: [e.id, id] });
      onChange();
    } catch (x) {
      setErr(x);
    }
  }
  if (keys.length === 0) return null;
  return (
    <div data-testid="not-duplicates">
      <p className="small">Recorded as not the same {e.kind.toLowerCase()} as:</p>
      <ul className="plain">
        {(data ?? keys.map((key) => ({ key, other: undefined }))).map(({ key, other }) => (
          <li key={key}>
            {other ? <Link href={`/entity/${other.id}`}>{other.name}</Link> : <code>{key}</code>}{' '}
            <span className="muted">({key})</span>{' '}
            {other && (
              <button type="button" className="secondary small" onClick={() => withdraw(other.id)} aria-label={`Withdraw: ${other.name} may be a duplicate`}>
                Withdraw
              </button>
            )}
          </li>
        ))}
      </ul>
      {error || err ? <ErrorBox error={error ?? err} /> : null}
    </div>
  );
}

/**
 * Merges a duplicate into e: another record of the same real thing (the
 * GitHub team and the catalog's group). The entities of e's kind spelled
 * like it are suggested (likelyDuplicatesOf, the health page's rules); the
 * merge moves the duplicate's aliases, sources and relationships to e and
 * removes it, and its key stays as an alias of e.
 */
export function MergeDuplicate({ e, onChange }: { e: Entity & { id: string; name: string }; onChange: () => void }) {
  const kind = e.kind.toLowerCase();
  const dup = usePick([e.kind], `Duplicate ${kind}`);
  const { data } = useAsync((sig) => request(LikelyDuplicatesOfDocument, { id: e.id }, sig), [e.id]);
  const likely = (data?.likelyDuplicatesOf?.entities ?? []).filter((c) => c.id !== e.id);
  const p = dup.picked && dup.picked.id !== e.id ? dup.picked : undefined;
  return (
    <EditForm
      summary={`Merge a duplicate into this ${kind}`}
      button="Merge"
      testId="merge-duplicate"
      ready={!!p}
      withEvidence={false}
      fields={
        <>
          {likely.length > 0 && (
            <p className="small">
              Spelled like it:{' '}
              {likely.map((c) => (
                <button key={c.id} type="button" className="link" onClick={() => dup.pick(c)}>{c.name} <span className="muted">({c.key})</span></button>
              ))}
            </p>
          )}
          {dup.field}
        </>
      }
      save={() => request(MergeEntitiesDocument, { input: { into: e.id, duplicate: p!.id } }).then(dup.clear)}
      onDone={onChange}
    >
      {p && (
        <p className="small" role="status">
          <strong>{p.name}</strong> ({p.key}) will be removed. Its aliases, sources and relationships move to {e.name}, and its key
          becomes an alias of it: a source that still names it writes here.
        </p>
      )}
      {dup.hint}
    </EditForm>
  );
}

/** Removes a relationship a person recorded (its only source is manual). */
export function RemoveLink({ type, from, to, role, onChange }: {
  type: RelType; from: Entity; to: Entity; role?: OwnerRole | null; onChange: () => void;
}) {
  const [err, setErr] = useState<unknown>(null);
  async function remove() {
    setErr(null);
    try {
      await request(RemoveLinkDocument, { input: { type, from: ref(from), to: ref(to), role: type === 'OWNS' ? role ?? 'TECHNICAL' : null } });
      onChange();
    } catch (x) {
      setErr(x);
    }
  }
  return (
    <>
      <button type="button" className="secondary small" onClick={remove}>Remove</button>
      {err ? <ErrorBox error={err} /> : null}
    </>
  );
}
