// A synthetic neighbourhood for measuring the explorer: /bench/explorer?n=2000
// draws n elements (nodes and edges, about a third nodes) with the explorer's
// style and layout, then pans for 60 frames, and reports the times (also on
// window.__estatePerf for the end-to-end tests).
import { useEffect, useRef, useState } from 'react';
import type { ElementDefinition } from 'cytoscape';
import { allKinds, kindColour, relTypes } from '../kinds';
import { layoutFor, viewportOptions } from './Explorer';
import { style } from './explorerStyle';

interface Perf {
  elements: number;
  nodes: number;
  edges: number;
  layoutAndRenderMs: number;
  initMs: number;
  layoutMs: number;
  firstRenderMs: number;
  panFrames: number;
  panMeanFrameMs: number;
  panP95FrameMs: number;
  zoomMs: number;
}

export function synthetic(n: number): ElementDefinition[] {
  const nodes = Math.max(2, Math.round(n / 3));
  const edges = n - nodes;
  const els: ElementDefinition[] = [];
  let seed = 42;
  const rnd = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
  for (let i = 0; i < nodes; i++) {
    const kind = allKinds[i % allKinds.length];
    els.push({ group: 'nodes', data: { id: `n${i}`, label: `${kind.toLowerCase()}-${i}`, colour: kindColour[kind] }, classes: i % 17 === 0 ? 'unowned' : '' });
  }
  for (let j = 0; j < edges; j++) {
    // A few hubs (services, shared apps) and a long tail, like a real estate.
    const s = j < nodes - 1 ? j + 1 : Math.floor(rnd() * nodes);
    const t = j < nodes - 1 ? Math.floor(Math.pow(rnd(), 3) * (j + 1)) : Math.floor(Math.pow(rnd(), 2) * nodes);
    els.push({ group: 'edges', data: { id: `e${j}`, source: `n${s}`, target: `n${t === s ? (t + 1) % nodes : t}`, type: relTypes[j % relTypes.length] } });
  }
  return els;
}

const frame = () => new Promise<number>((r) => requestAnimationFrame(r));

export function Bench({ n }: { n: number }) {
  const box = useRef<HTMLDivElement>(null);
  const [perf, setPerf] = useState<Perf | null>(null);
  useEffect(() => {
    let destroyed = false;
    let cyDestroy = () => {};
    (async () => {
      const cytoscape = (await import('cytoscape')).default;
      if (destroyed || !box.current) return;
      const els = synthetic(n);
      await frame();
      const t0 = performance.now();
      const cy = cytoscape({ container: box.current, style: style as never, elements: els, minZoom: 0.02, ...viewportOptions(els.length) });
      cyDestroy = () => cy.destroy();
      const tInit = performance.now();
      cy.layout(layoutFor(cy.nodes().length)).run();
      cy.fit(undefined, 10);
      const tLayout = performance.now();
      await frame();
      await frame();
      const t1 = performance.now();
      const times: number[] = [];
      let last = performance.now();
      for (let i = 0; i < 60; i++) {
        cy.panBy({ x: i < 30 ? 6 : -6, y: 3 });
        const now = await frame();
        times.push(now - last);
        last = now;
      }
      const z0 = performance.now();
      cy.zoom({ level: cy.zoom() * 2, renderedPosition: { x: 300, y: 300 } });
      await frame();
      const z1 = performance.now();
      cy.fit(undefined, 10);
      times.sort((a, b) => a - b);
      const p: Perf = {
        elements: cy.elements().length,
        nodes: cy.nodes().length,
        edges: cy.edges().length,
        layoutAndRenderMs: Math.round(t1 - t0),
        initMs: Math.round(tInit - t0),
        layoutMs: Math.round(tLayout - tInit),
        firstRenderMs: Math.round(t1 - tLayout),
        panFrames: times.length,
        panMeanFrameMs: +(times.reduce((a, b) => a + b, 0) / times.length).toFixed(1),
        panP95FrameMs: +times[Math.floor(times.length * 0.95)].toFixed(1),
        zoomMs: Math.round(z1 - z0),
      };
      (window as unknown as { __estatePerf?: Perf }).__estatePerf = p;
      if (!destroyed) setPerf(p);
    })();
    return () => {
      destroyed = true;
      cyDestroy();
    };
  }, [n]);
  return (
    <div className="explorer">
      <h1>Explorer benchmark: {n} synthetic elements</h1>
      <p role="status" data-testid="bench-result" className="key">
        {perf ? JSON.stringify(perf) : 'Running…'}
      </p>
      <div className="explorer-body">
        <div className="graph" ref={box} />
      </div>
    </div>
  );
}
