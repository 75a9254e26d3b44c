// The global search box: any ref (a name, a repository URL or a link into
// a repository, an ARN, a hostname or URL). What the server says the text
// names (lookup) comes first, then exact matches of a key or alias
// (resolve), then a text search; Enter opens the one thing named, or the
// results page.
import { useEffect, useId, useRef, useState, type KeyboardEvent } from 'react';
import { queryFields, request } from './api';
import { LookupDocument, SearchDocument, type SearchQuery } from './gql/graphql';
import { navigate } from './router';
import { KindBadge } from './ui';

type Hit = SearchQuery['search'][number];

/** What a text finds: hits, of which the first `exact` are what it names, resolved `by`. */
export type Found = { hits: Hit[]; exact: number; by: string };

export const byKey = 'key or alias';

// findHits asks lookup beside Search, on servers that offer it (older ones
// resolve keys and aliases only). A long link is past the text search's
// limit: what lookup names is then the answer, and Search's error only
// when lookup found nothing.
export async function findHits(text: string, first: number, signal?: AbortSignal): Promise<Found> {
  const hasLookup = await queryFields().then(
    (f) => f.has('lookup'),
    () => false,
  );
  const [searched, looked] = await Promise.allSettled([
    request(SearchDocument, { text, first }, signal),
    hasLookup ? request(LookupDocument, { ref: text }, signal) : undefined,
  ]);
  const lk = looked.status === 'fulfilled' ? looked.value?.lookup : undefined;
  if (searched.status === 'rejected' && !lk) throw searched.reason;
  const d = searched.status === 'fulfilled' ? searched.value : { resolve: [], search: [] };
  const named: Hit[] = [];
  // Candidates of a search are suggestions, not what the text names.
  for (const it of lk?.subject ? [lk.subject] : lk?.resolution === 'search' ? [] : (lk?.candidates ?? [])) {
    if (it.entity) named.push({ id: it.entity.id, kind: it.kind, key: it.key, name: it.name });
  }
  const exact = named.length > 0 ? named : d.resolve;
  const seen = new Set<string>();
  const hits: Hit[] = [];
  for (const h of [...exact, ...d.resolve, ...d.search]) {
    if (seen.has(h.id)) continue;
    seen.add(h.id);
    hits.push(h);
  }
  return { hits, exact: exact.length, by: named.length > 0 ? lk!.resolution : byKey };
}

export function SearchBox() {
  const [text, setText] = useState('');
  const [hits, setHits] = useState<Hit[]>([]);
  const [open, setOpen] = useState(false);
  const [active, setActive] = useState(-1);
  const listId = useId();
  const inputRef = useRef<HTMLInputElement>(null);

  useEffect(() => {
    const q = text.trim();
    if (!q) {
      setHits([]);
      return;
    }
    const ctl = new AbortController();
    const timer = setTimeout(() => {
      findHits(q, 10, ctl.signal).then(
        (f) => {
          setHits(f.hits);
          setActive(-1);
        },
        () => {},
      );
    }, 120);
    return () => {
      clearTimeout(timer);
      ctl.abort();
    };
  }, [text]);

  // "/" focuses the search box from anywhere.
  useEffect(() => {
    const f = (e: globalThis.KeyboardEvent) => {
      const t = e.target as HTMLElement;
      if (e.key === '/' && !(t instanceof HTMLInputElement) && !(t instanceof HTMLTextAreaElement)) {
        e.preventDefault();
        inputRef.current?.focus();
      }
    };
    window.addEventListener('keydown', f);
    return () => window.removeEventListener('keydown', f);
  }, []);

  function go(h: Hit) {
    setOpen(false);
    setText('');
    inputRef.current?.blur();
    navigate(`/entity/${h.id}`);
  }

  async function submit() {
    const q = text.trim();
    if (!q) return;
    if (active >= 0 && hits[active]) return go(hits[active]);
    // Ask again for exactly what was typed: the suggestions may be for an
    // earlier keystroke.
    let found: Found = { hits: [], exact: 0, by: byKey };
    try {
      found = await findHits(q, 10);
    } catch {
      // the results page says what went wrong
    }
    // One thing named (or one match at all): that is the thing.
    if (found.hits.length === 1 || found.exact === 1) return go(found.hits[0]);
    setOpen(false);
    navigate(`/search?q=${encodeURIComponent(q)}`);
  }

  function onKey(e: KeyboardEvent<HTMLInputElement>) {
    if (e.key === 'ArrowDown') {
      e.preventDefault();
      setOpen(true);
      setActive((a) => Math.min(a + 1, hits.length - 1));
    } else if (e.key === 'ArrowUp') {
      e.preventDefault();
      setActive((a) => Math.max(a - 1, -1));
    } else if (e.key === 'Escape') {
      setOpen(false);
    }
  }

  const show = open && text.trim() !== '' && hits.length > 0;
  return (
    <form
      className="searchbox"
      role="search"
      onSubmit={(e) => {
        e.preventDefault();
        void submit();
      }}
    >
      <label htmlFor="global-search" className="visually-hidden">
        Search the estate
      </label>
      <input
        id="global-search"
        ref={inputRef}
        type="search"
        placeholder="Name, link, ARN or hostname  ( / )"
        autoComplete="off"
        spellCheck={false}
        role="combobox"
        aria-expanded={show}
        aria-controls={listId}
        aria-autocomplete="list"
        aria-activedescendant={active >= 0 ? `${listId}-${active}` : undefined}
        value={text}
        onChange={(e) => {
          setText(e.target.value);
          setOpen(true);
        }}
        onFocus={() => setOpen(true)}
        onBlur={() => setTimeout(() => setOpen(false), 150)}
        onKeyDown={onKey}
      />
      <button type="submit">Search</button>
      {show && (
        <ul id={listId} role="listbox" className="suggestions" aria-label="Matches">
          {hits.map((h, i) => (
            <li
              key={h.id}
              id={`${listId}-${i}`}
              role="option"
              aria-selected={i === active}
              className={i === active ? 'active' : undefined}
              onMouseDown={(e) => {
                e.preventDefault();
                go(h);
              }}
            >
              <KindBadge kind={h.kind} /> <strong>{h.name}</strong> <span className="muted key">{h.key}</span>
            </li>
          ))}
        </ul>
      )}
    </form>
  );
}
