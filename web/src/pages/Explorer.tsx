// The graph explorer: an entity's neighbourhood drawn with Cytoscape.js.
// Clicking a node expands it (fetches its neighbours); relationship types
// can be filtered; nodes are coloured by kind; things nobody owns and cloud
// accounts central IT never registered are highlighted. A list below the
// graph offers the same actions from the keyboard.
import { useCallback, useEffect, useRef, useState } from 'react';
import type { Core, ElementDefinition, LayoutOptions } from 'cytoscape';
import { request } from '../api';
import { NeighbourhoodDocument, UnownedDocument, type GraphNodeFragment, type Kind, type NeighbourhoodQuery, type RelType } from '../gql/graphql';
import { allKinds, kindColour, kindLabel, ownableKinds, relTypes } from '../kinds';
import { Link, navigate } from '../router';
import { ErrorBox, KindBadge } from '../ui';
import { style } from './explorerStyle';

export interface NodeInfo {
  id: string;
  label: string;
  kind: Kind;
  key: string;
  unowned: boolean;
  unregistered: boolean;
}

export function nodeInfo(n: GraphNodeFragment, unowned: Set<string>): NodeInfo {
  return {
    id: n.id,
    label: n.name,
    kind: n.kind,
    key: n.key,
    unowned: unowned.has(n.id),
    // As the shadow estate: an account nothing registers is discovered-only.
    unregistered: n.kind === 'CloudAccount' && 'registered' in n && n.registered !== true,
  };
}

/** The server's page size: the most ids one unowned query takes. */
const idsPerRequest = 100;

/**
 * Where the explorer's graph comes from: the server, or for the benchmark
 * page (Bench.tsx) a synthetic estate, so that it measures this component.
 */
export interface ExplorerSource {
  neighbourhood(id: string): Promise<NeighbourhoodQuery['node']>;
  /** Of these entities, the ones nobody owns, directly or inherited. */
  unowned(ns: GraphNodeFragment[]): Promise<Set<string>>;
}

const serverSource: ExplorerSource = {
  neighbourhood: async (id) => (await request(NeighbourhoodDocument, { id, first: 100 })).node,
  // The server answers with whoOwns's rule, so the highlight agrees with "who owns this".
  async unowned(ns) {
    const ids = [...new Set(ns.filter((n) => ownableKinds.has(n.kind)).map((n) => n.id))];
    const out = new Set<string>();
    for (let i = 0; i < ids.length; i += idsPerRequest) {
      const d = await request(UnownedDocument, { ids: ids.slice(i, i + idsPerRequest) });
      for (const id of d.unowned) out.add(id);
    }
    return out;
  },
};


export function layoutFor(n: number, animate = false): LayoutOptions {
  if (n > 400) {
    return { name: 'concentric', animate: false, minNodeSpacing: 4, concentric: (node: { degree: (b: boolean) => number }) => node.degree(false), levelWidth: () => 4 } as unknown as LayoutOptions;
  }
  return {
    name: 'cose',
    animate,
    animationDuration: 300,
    randomize: false,
    nodeRepulsion: () => 400000,
    nodeOverlap: 20,
    idealEdgeLength: () => 90,
    edgeElasticity: () => 100,
    gravity: 60,
    numIter: 1000,
    padding: 30,
  } as unknown as LayoutOptions;
}

async function loadCytoscape() {
  const mod = await import('cytoscape');
  return mod.default;
}

export function Explorer({ id, source = serverSource }: { id: string; source?: ExplorerSource }) {
  const box = useRef<HTMLDivElement>(null);
  const cyRef = useRef<Core | null>(null);
  const expanded = useRef(new Set<string>());
  const truncated = useRef(new Map<string, number>());
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const [counts, setCounts] = useState({ nodes: 0, edges: 0 });
  const [hidden, setHidden] = useState<Set<RelType>>(new Set());
  const [selected, setSelected] = useState<NodeInfo | null>(null);
  const [list, setList] = useState<NodeInfo[]>([]);
  const [listOpen, setListOpen] = useState(false);
  const [root, setRoot] = useState<NodeInfo | null>(null);
  const hiddenRef = useRef(hidden);
  hiddenRef.current = hidden;

  const refresh = useCallback(() => {
    const cy = cyRef.current;
    if (!cy) return;
    applyFilter(cy, hiddenRef.current);
    const vis = cy.elements().not('.filtered');
    setCounts({ nodes: vis.nodes().length, edges: vis.edges().length });
    setList(cy.nodes().map((n) => n.data('info') as NodeInfo));
  }, []);

  const expand = useCallback(
    async (nodeId: string) => {
      const cy = cyRef.current;
      if (!cy || expanded.current.has(nodeId)) return;
      setBusy(true);
      try {
        const n = await source.neighbourhood(nodeId);
        if (!n || !('relationships' in n)) throw new Error('This entity no longer exists.');
        expanded.current.add(nodeId);
        if (n.relationships.totalCount > n.relationships.edges.length) {
          truncated.current.set(nodeId, n.relationships.totalCount);
        }
        const els: ElementDefinition[] = [];
        const unowned = await source.unowned([n, ...n.relationships.edges.map((e) => e.node)].filter((x) => cy.getElementById(x.id).empty()));
        const self = nodeInfo(n, unowned);
        if (cy.getElementById(n.id).empty()) els.push(nodeEl(self));
        for (const e of n.relationships.edges) {
          if (cy.getElementById(e.node.id).empty()) els.push(nodeEl(nodeInfo(e.node, unowned)));
          const r = e.relationship;
          if (cy.getElementById(r.id).empty()) els.push({ group: 'edges', data: { id: r.id, source: r.from.id, target: r.to.id, type: r.type } });
        }
        const seen = new Set<string>();
        const unique = els.filter((el) => (seen.has(el.data.id!) ? false : (seen.add(el.data.id!), true)));
        const before = cy.nodes().length;
        const added = cy.add(unique);
        cy.getElementById(nodeId).addClass('expanded');
        if (before === 0) {
          cy.getElementById(nodeId).addClass('root');
          setRoot(self);
        }
        // New nodes start next to the one expanded, then the layout settles.
        const origin = cy.getElementById(nodeId).position();
        added.nodes().forEach((x) => {
          if (x.id() !== nodeId) x.position({ x: origin.x + (Math.random() - 0.5) * 80, y: origin.y + (Math.random() - 0.5) * 80 });
        });
        updateEdgeLabels(cy);
        refresh();
        cy.layout(layoutFor(cy.nodes().length)).run();
      } catch (e) {
        setError(e);
      } finally {
        setBusy(false);
      }
    },
    [refresh, source],
  );

  useEffect(() => {
    let cancelled = false;
    let cy: Core | null = null;
    expanded.current = new Set();
    setError(null);
    setSelected(null);
    loadCytoscape().then((cytoscape) => {
      if (cancelled || !box.current) return;
      cy = cytoscape({
        container: box.current,
        style: style as never,
        wheelSensitivity: 0.3,
        minZoom: 0.05,
        maxZoom: 4,
      });
      cyRef.current = cy;
      (window as unknown as { __estateCy?: Core }).__estateCy = cy;
      cy.on('tap', 'node', (ev) => {
        const info = ev.target.data('info') as NodeInfo;
        setSelected(info);
        void expand(info.id);
      });
      // Small graphs should not be blown up to fill the screen.
      const w = window as unknown as { __estateLayouts?: number };
      w.__estateLayouts = 0;
      cy.on('layoutstart', () => {
        w.__estateLayouts = (w.__estateLayouts ?? 0) + 1;
      });
      cy.on('layoutstop', () => {
        w.__estateLayouts = (w.__estateLayouts ?? 1) - 1;
        if (cy && cy.zoom() > 1.3) {
          cy.zoom(1.3);
          cy.center();
        }
      });
      cy.on('mouseover', 'edge', (ev) => ev.target.addClass('hover'));
      cy.on('mouseout', 'edge', (ev) => ev.target.removeClass('hover'));
      cy.on('tap', (ev) => {
        if (ev.target === cy) setSelected(null);
      });
      void expand(id);
    }, setError);
    return () => {
      cancelled = true;
      cy?.destroy();
      cyRef.current = null;
    };
  }, [id, expand]);

  useEffect(() => {
    const cy = cyRef.current;
    if (!cy) return;
    refresh();
  }, [hidden, refresh]);

  // Cytoscape keeps where its container is on the page and looks again only
  // on a scroll or a resize. What is above the graph changes height while it
  // loads (the line naming the root, an error), which moves the graph down
  // without either: once the mouse had passed over the graph before that,
  // clicks were mapped to where the nodes had been and selected nothing
  // until the window was resized. So a change of height above the graph
  // tells Cytoscape its container moved (cy.resize, as its docs ask).
  const above = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const el = above.current;
    if (!el) return;
    const watch = new ResizeObserver(() => cyRef.current?.resize());
    watch.observe(el);
    return () => watch.disconnect();
  }, []);

  function toggle(t: RelType) {
    const h = new Set(hidden);
    if (h.has(t)) h.delete(t);
    else h.add(t);
    setHidden(h);
  }

  return (
    <div className="explorer">
      <div ref={above}>
        <header className="explorer-head">
          <div>
            <h1>Graph explorer</h1>
            {root && (
              <p>
                Around <KindBadge kind={root.kind} /> <Link href={`/entity/${root.id}`}>{root.label}</Link>. Click a node to
                expand it.
              </p>
            )}
          </div>
          <p className="status" role="status" aria-live="polite" data-testid="graph-counts">
            {busy ? 'Loading… ' : ''}
            <span data-nodes={counts.nodes} data-edges={counts.edges}>
              {counts.nodes} nodes, {counts.edges} relationships
            </span>
          </p>
        </header>
        {error ? <ErrorBox error={error} /> : null}
      </div>
      <div className="explorer-body">
        <aside className="explorer-side" aria-label="Filters and legend">
          <fieldset>
            <legend>Relationship types</legend>
            {relTypes.map((t) => (
              <label key={t} className="check">
                <input type="checkbox" checked={!hidden.has(t)} onChange={() => toggle(t)} /> {t}
              </label>
            ))}
          </fieldset>
          <fieldset>
            <legend>Kinds</legend>
            <ul className="legend">
              {allKinds.map((k) => (
                <li key={k}>
                  <span className="dot" style={{ background: kindColour[k] }} aria-hidden="true" /> {kindLabel[k]}
                </li>
              ))}
              <li><span className="dot unowned-dot" aria-hidden="true" /> Nobody owns it</li>
              <li><span className="dot unregistered-dot" aria-hidden="true" /> Unregistered account</li>
            </ul>
          </fieldset>
          <button type="button" onClick={() => cyRef.current?.fit(undefined, 20)}>Fit to screen</button>{' '}
          <button type="button" onClick={() => cyRef.current?.layout(layoutFor(cyRef.current.nodes().length, true)).run()}>Re-layout</button>
          {selected && (
            <div className="selected card" aria-live="polite">
              <KindBadge kind={selected.kind} />
              <p><strong>{selected.label}</strong></p>
              <p className="key">{selected.key}</p>
              {truncated.current.has(selected.id) && (
                <p className="muted">Showing 100 of its {truncated.current.get(selected.id)} relationships; the entity page lists them all.</p>
              )}
              {selected.unowned && <p className="warn">Nobody owns this.</p>}
              {selected.unregistered && <p className="warn">Central IT never registered this account.</p>}
              <p><Link href={`/entity/${selected.id}`}>Open entity page</Link></p>
            </div>
          )}
        </aside>
        <div className="graph" ref={box} data-testid="graph" aria-label="Relationship graph (the list below offers the same actions)" role="img" />
      </div>
      <details className="card" onToggle={(e) => setListOpen(e.currentTarget.open)}>
        <summary>Nodes in view ({list.length}) — keyboard-friendly list</summary>
        {/* Rendered only when open: thousands of rows would slow every expand. */}
        {listOpen && <ul className="node-list">
          {list.map((n) => (
            <li key={n.id}>
              <KindBadge kind={n.kind} /> {n.label}
              {n.unowned && <span className="warn"> (unowned)</span>}
              {n.unregistered && <span className="warn"> (unregistered)</span>}{' '}
              <button type="button" onClick={() => void expand(n.id)} disabled={expanded.current.has(n.id)}>Expand</button>{' '}
              <button type="button" className="secondary" onClick={() => navigate(`/entity/${n.id}`)}>Open</button>
            </li>
          ))}
        </ul>}
      </details>
    </div>
  );
}

export function nodeEl(info: NodeInfo): ElementDefinition {
  const classes = [info.unowned ? 'unowned' : '', info.unregistered ? 'unregistered' : ''].filter(Boolean).join(' ');
  return { group: 'nodes', data: { id: info.id, label: info.label, colour: kindColour[info.kind], info }, classes };
}

function applyFilter(cy: Core, hidden: Set<RelType>) {
  cy.batch(() => {
    cy.elements().removeClass('filtered');
    if (hidden.size === 0) return;
    cy.edges().forEach((e) => {
      if (hidden.has(e.data('type'))) e.addClass('filtered');
    });
    // A node is shown when it is the root, was expanded, or still has a visible relationship.
    cy.nodes().forEach((n) => {
      if (n.hasClass('root') || n.hasClass('expanded')) return;
      if (n.connectedEdges().filter((e) => !e.hasClass('filtered')).empty()) n.addClass('filtered');
    });
  });
}

function updateEdgeLabels(cy: Core) {
  // Labels on every edge are unreadable (and slow) on big graphs.
  if (cy.edges().length <= 40) cy.edges().addClass('labelled');
  else cy.edges().removeClass('labelled');
}
