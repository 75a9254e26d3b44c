// The explorer's benchmark: /bench/explorer?n=2000 mounts the real Explorer
// on a synthetic estate whose root neighbourhood holds n elements (nodes and
// edges, about a third nodes), then measures opening it (fetch, layout,
// first render), expanding nodes and laying the graph out again. The figures
// go on window.__estatePerf; panning and zooming are measured from outside
// with real mouse input (e2e/harness.mjs viewportFrames), since Cytoscape
// renders a drag differently from a programmatic pan.
import { useEffect, useMemo, useState } from 'react';
import type { Core } from 'cytoscape';
import type { GraphNodeFragment, Kind, NeighbourhoodQuery } from '../gql/graphql';
import { allKinds, relTypes } from '../kinds';
import { Explorer, type ExplorerSource } from './Explorer';

export interface Perf {
  elements: number;
  nodes: number;
  edges: number;
  /** From mounting the explorer until the n elements are laid out and drawn. */
  openMs: number;
  /** Each: a click on a node until its neighbours are added, the graph laid out again and drawn. */
  expandMs: number[];
  /** The Re-layout button until the graph is drawn again. */
  relayoutMs: number;
}

type Neighbourhood = NonNullable<NeighbourhoodQuery['node']>;
type Edge = Extract<Neighbourhood, { relationships: unknown }>['relationships']['edges'][number];

const entity = (id: string, i: number): GraphNodeFragment => {
  const kind: Kind = allKinds[i % allKinds.length];
  return { id, kind, key: `${kind.toLowerCase()}-${id}`, name: `${kind.toLowerCase()}-${id}` } as GraphNodeFragment;
};

const edge = (id: string, i: number, from: string, to: string, other: GraphNodeFragment): Edge =>
  ({
    node: other,
    relationship: { id, type: relTypes[i % relTypes.length], confidence: 'DECLARED', role: null, from: { id: from }, to: { id: to } },
  }) as Edge;

/**
 * A synthetic estate: the root n0's neighbourhood is a graph of n elements
 * with a few hubs and a long tail, like a service's; any other node expands
 * to 20 new leaves. Every 17th node is unowned.
 */
export function syntheticSource(n: number): ExplorerSource {
  const nodes = Math.max(2, Math.round(n / 3));
  const edges: Edge[] = [];
  let seed = 42;
  const rnd = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
  for (let j = 0; j < n - nodes; j++) {
    // The first nodes-1 edges join each node to an earlier one (so each is
    // listed once as an edge's other end), the rest join random pairs.
    const s = j < nodes - 1 ? j + 1 : Math.floor(rnd() * nodes);
    let t = j < nodes - 1 ? Math.floor(Math.pow(rnd(), 3) * (j + 1)) : Math.floor(Math.pow(rnd(), 2) * nodes);
    if (t === s) t = (t + 1) % nodes;
    edges.push(edge(`e${j}`, j, `n${s}`, `n${t}`, entity(`n${s}`, s)));
  }
  const root = entity('n0', 0);
  return {
    async neighbourhood(id) {
      if (id === 'n0') return { ...root, relationships: { totalCount: edges.length, edges } } as Neighbourhood;
      const self = entity(id, 1);
      const leaves = Array.from({ length: 20 }, (_, i) => edge(`${id}-e${i}`, i, id, `${id}-x${i}`, entity(`${id}-x${i}`, i)));
      return { ...self, relationships: { totalCount: leaves.length, edges: leaves } } as Neighbourhood;
    },
    async unowned(ns) {
      return new Set(ns.filter((x) => Number(x.id.replace(/\D/g, '')) % 17 === 0).map((x) => x.id));
    },
  };
}

const frame = () => new Promise<number>((r) => requestAnimationFrame(r));

/** Resolves once cy has finished its next layout and the result is on screen. */
async function laidOut(cy: Core, act: () => void): Promise<void> {
  const stopped = new Promise((r) => cy.one('layoutstop', r));
  act();
  await stopped;
  await frame();
  await frame();
}

async function measure(t0: number, n: number): Promise<Perf> {
  const w = window as unknown as { __estateCy?: Core };
  let cy: Core | undefined;
  for (;;) {
    cy = w.__estateCy;
    if (cy && cy.elements().length >= n) break;
    await frame();
  }
  // The first layout runs right after the elements are added.
  while ((window as unknown as { __estateLayouts?: number }).__estateLayouts) await frame();
  await frame();
  await frame();
  const openMs = performance.now() - t0;
  const expandMs: number[] = [];
  for (const id of ['n101', 'n202', 'n303']) {
    const t = performance.now();
    await laidOut(cy, () => cy.getElementById(id).emit('tap'));
    expandMs.push(Math.round(performance.now() - t));
  }
  const button = [...document.querySelectorAll('button')].find((b) => b.textContent === 'Re-layout')!;
  const t = performance.now();
  await laidOut(cy, () => button.click());
  const relayoutMs = Math.round(performance.now() - t);
  return {
    elements: cy.elements().length,
    nodes: cy.nodes().length,
    edges: cy.edges().length,
    openMs: Math.round(openMs),
    expandMs,
    relayoutMs,
  };
}

export function Bench({ n }: { n: number }) {
  const source = useMemo(() => syntheticSource(n), [n]);
  const [perf, setPerf] = useState<Perf | null>(null);
  useEffect(() => {
    let live = true;
    void measure(performance.now(), n).then((p) => {
      (window as unknown as { __estatePerf?: Perf }).__estatePerf = p;
      if (live) setPerf(p);
    });
    return () => {
      live = false;
    };
  }, [n]);
  return (
    <>
      <p role="status" data-testid="bench-result" className="key">
        Explorer benchmark, {n} synthetic elements: {perf ? JSON.stringify(perf) : 'running…'}
      </p>
      <Explorer id="n0" source={source} />
    </>
  );
}
