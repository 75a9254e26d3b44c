// Editing who owns an entity, for editors: a service desk that finds "No
// owner" records the owner it learned, with the evidence, and removes an
// owner a person recorded by mistake. Owners that sources assert are theirs
// to change: the next run would put them back.
import { useEffect, useState, type FormEvent } from 'react';
import { request } from '../api';
import { AddOwnerDocument, OwnerCandidatesDocument, RemoveOwnerDocument, ViewerDocument, type Kind, type OwnerCandidatesQuery, type OwnerRole } from '../gql/graphql';
import { ErrorBox, useAsync } from '../ui';

const roles: OwnerRole[] = ['TECHNICAL', 'BUSINESS', 'SUPPORT', 'SECURITY'];

/** Whether the signed-in reader may edit the estate (the editor role). */
export function useMayEdit(): boolean {
  const { data } = useAsync((sig) => request(ViewerDocument, {}, sig), []);
  const r = data?.viewer.role;
  return r === 'EDITOR' || r === 'ADMIN';
}

type Entity = { kind: Kind; key: string };
type Candidate = OwnerCandidatesQuery['search'][number];

/** How a suggestion reads in the owner field: "Platform SRE (team)". */
const label = (c: Candidate) => `${c.name} (${c.kind.toLowerCase()})`;

/** The form that records a new owner of e; onChange reloads the page's owners. */
export function AddOwner({ e, onChange }: { e: Entity; onChange: () => void }) {
  const [text, setText] = useState('');
  const [role, setRole] = useState<OwnerRole>('TECHNICAL');
  const [evidence, setEvidence] = useState('');
  const [err, setErr] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  // The teams and people the last search found, and the text it searched.
  const [found, setFound] = useState<{ text: string; list: Candidate[] }>({ text: '', list: [] });
  // What the text names: a suggestion picked (its label) or typed (its key).
  const picked = found.list.find((c) => label(c) === text || c.key === text.trim());
  useEffect(() => {
    const q = text.trim();
    if (picked || q.length < 2) return;
    const ctl = new AbortController();
    const t = setTimeout(() => {
      request(OwnerCandidatesDocument, { text: q }, ctl.signal).then((d) => setFound({ text: q, list: d.search }), () => {});
    }, 150);
    return () => {
      clearTimeout(t);
      ctl.abort();
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [text]);

  async function submit(ev: FormEvent) {
    ev.preventDefault();
    if (!picked) return;
    setBusy(true);
    setErr(null);
    try {
      await request(AddOwnerDocument, {
        input: { type: 'OWNS', from: { kind: picked.kind, key: picked.key }, to: { kind: e.kind, key: e.key }, role, evidence: evidence.trim() },
      });
      setText('');
      setEvidence('');
      onChange();
    } catch (x) {
      setErr(x);
    } finally {
      setBusy(false);
    }
  }

  return (
    <details className="edit" data-testid="add-owner">
      <summary>Add an owner</summary>
      <form onSubmit={submit}>
        <label>
          Team or person{' '}
          <input list="owner-candidates" value={text} onChange={(x) => setText(x.target.value)} placeholder="type a name" required autoComplete="off" />
        </label>
        <datalist id="owner-candidates">
          {found.list.map((c) => <option key={c.id} value={label(c)}>{c.key}</option>)}
        </datalist>{' '}
        <label>
          Role{' '}
          <select value={role} onChange={(x) => setRole(x.target.value as OwnerRole)}>
            {roles.map((r) => <option key={r} value={r}>{r.toLowerCase()}</option>)}
          </select>
        </label>{' '}
        <label>
          Evidence{' '}
          <input value={evidence} onChange={(x) => setEvidence(x.target.value)} placeholder="how you know: a ticket, a conversation" required />
        </label>{' '}
        <button type="submit" disabled={!picked || busy || !evidence.trim()}>Add owner</button>
        {!picked && found.text !== '' && found.text === text.trim() && (
          <p className="muted small" role="status">{found.list.length ? 'Pick one of the suggestions.' : `No team or person matches “${found.text}”.`}</p>
        )}
      </form>
      {err ? <ErrorBox error={err} /> : null}
    </details>
  );
}

/** Removes an owner a person recorded (its only source is manual). */
export function RemoveOwner({ owner, e, role, onChange }: { owner: Entity; e: Entity; role: OwnerRole | null | undefined; onChange: () => void }) {
  const [err, setErr] = useState<unknown>(null);
  async function remove() {
    setErr(null);
    try {
      await request(RemoveOwnerDocument, { input: { type: 'OWNS', from: owner, to: { kind: e.kind, key: e.key }, role: role ?? 'TECHNICAL' } });
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
