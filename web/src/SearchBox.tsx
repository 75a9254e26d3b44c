// The global search box: any ref (a name, a repository URL, an ARN, a
// hostname). Exact matches of a key or alias (resolve) come first; Enter
// opens the best match, or the results page when there are none.
import { useEffect, useId, useRef, useState, type KeyboardEvent } from 'react';
import { request } from './api';
import { SearchDocument, type SearchQuery } from './gql/graphql';
import { navigate } from './router';
import { KindBadge } from './ui';

type Hit = SearchQuery['search'][number];

export function mergeHits(data: SearchQuery): Hit[] {
  const seen = new Set<string>();
  const out: Hit[] = [];
  for (const h of [...data.resolve, ...data.search]) {
    if (seen.has(h.id)) continue;
    seen.add(h.id);
    out.push(h);
  }
  return out;
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
      request(SearchDocument, { text: q, first: 10 }, ctl.signal).then(
        (d) => {
          setHits(mergeHits(d));
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
    let list: Hit[] = [];
    let exactCount = 0;
    try {
      const d = await request(SearchDocument, { text: q, first: 10 });
      list = mergeHits(d);
      exactCount = d.resolve.length;
    } catch {
      list = [];
    }
    // One exact match of a key or alias: that is the thing.
    if (list.length === 1 || exactCount === 1) return go(list[0]);
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
        placeholder="Name, repository URL, ARN or hostname  ( / )"
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
