// The blast radius as a graph: the starts and every affected item, joined
// by the relationships on their paths.
import { useEffect, useRef } from 'react';
import type { Core, ElementDefinition } from 'cytoscape';
import type { Kind } from '../gql/graphql';
import { kindColour } from '../kinds';
import { style } from './explorerStyle';
import type { Impact } from './Impact';

/** The most affected items the graph draws, nearest first: a hot service's
 * blast radius on a large estate reaches tens of thousands, which no layout
 * draws in time or readably (the tables below list every item). */
export const graphItems = 300;

export function impactElements(r: Impact): ElementDefinition[] {
  const affected = r.affected.slice(0, graphItems);
  const nodes = new Map<string, ElementDefinition>();
  const edges = new Map<string, ElementDefinition>();
  const node = (kind: Kind, key: string, name: string, start = false) => {
    const id = `${kind}:${key}`;
    if (!nodes.has(id)) nodes.set(id, { group: 'nodes', data: { id, label: name, colour: kindColour[kind] }, classes: start ? 'root' : '' });
  };
  r.starts.forEach((s) => node(s.kind, s.key, s.name, true));
  affected.forEach((a) => node(a.kind, a.key, a.name));
  for (const a of affected) {
    for (const p of a.path) {
      node(p.from.kind, p.from.key, p.from.key);
      node(p.to.kind, p.to.key, p.to.key);
      const id = `${p.type}|${p.from.kind}:${p.from.key}|${p.to.kind}:${p.to.key}`;
      if (!edges.has(id)) edges.set(id, { group: 'edges', data: { id, source: `${p.from.kind}:${p.from.key}`, target: `${p.to.kind}:${p.to.key}`, type: p.type } });
    }
  }
  return [...nodes.values(), ...edges.values()];
}

export function ImpactGraph({ r }: { r: Impact }) {
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    let destroy = () => {};
    let cancelled = false;
    import('cytoscape').then(({ default: cytoscape }) => {
      if (cancelled || !box.current) return;
      const els = impactElements(r);
      const cy = cytoscape({
        container: box.current,
        style: style as never,
        elements: els,
        // Rows by distance from the starts, whichever way a relationship
        // points (a dependent points at what it depends on): the rows are
        // the depths the tables list, not a pile of dependents above.
        layout: { name: 'breadthfirst', directed: false, roots: cy0Roots(els), spacingFactor: 1.1, padding: 20 } as never,
        maxZoom: 1.5,
        wheelSensitivity: 0.3,
      });
      if (cy.edges().length <= 40) cy.edges().addClass('labelled');
      (window as unknown as { __estateImpactCy?: Core }).__estateImpactCy = cy;
      // Cytoscape caches where its container is on the page and looks again
      // only on a window scroll or resize. Opening the summary above the
      // graph moves it down, and a drag or a wheel zoom then lands that far
      // off: any change of the page's height tells it to look again
      // (cy.resize, as its docs ask).
      const watch = new ResizeObserver(() => cy.resize());
      watch.observe(document.body);
      destroy = () => {
        watch.disconnect();
        cy.destroy();
      };
    });
    return () => {
      cancelled = true;
      destroy();
    };
  }, [r]);
  return (
    <>
      {r.affected.length > graphItems && (
        <p className="muted" data-testid="impact-graph-note">
          The graph shows the {graphItems} nearest of the {r.affected.length} affected items; the tables list them all.
        </p>
      )}
      <div className="impact-graph" ref={box} role="img" aria-label="Blast radius graph (the tables list the same items)" data-testid="impact-graph" />
    </>
  );
}

function cy0Roots(els: ElementDefinition[]): string[] {
  return els.filter((e) => e.group === 'nodes' && e.classes === 'root').map((e) => e.data.id!);
}
