/**
 * Service map: who talks to whom in the capture, as an SVG picture. Nodes are endpoints
 * (container names when known), arrows go from client to server labelled with the
 * protocol, `tcp/80`, packets and bytes. Redrawn at most once a second while packets
 * arrive. Click (or Enter on) a node to show its packets (`ip.addr == X`), an edge for
 * the pair and its port. Tab moves between nodes and edges.
 */
import type { PacketStore } from '../src/core/packetStore';
import { edgeFilter, nodeFilter, ServiceGraph, serviceLabel, type ServiceEdge, type ServiceNode } from '../src/core/stream/serviceGraph';
import { circleLayout, edgeCurve, type Point } from '../src/core/stream/serviceGraphLayout';
import type { StreamTable } from '../src/core/stream/streamTable';
import { el } from './dom';
import { formatBytes, formatCount } from './format';
import { OverlayPanel } from './overlayPanel';

/** A picture of more endpoints is unreadable: the busiest ones are drawn, the rest counted. */
const MAX_NODES = 60;
const REFRESH_MS = 1000;
const WIDTH = 1000;
const HEIGHT = 700;
const NODE_RADIUS = 18;
const SVG_NS = 'http://www.w3.org/2000/svg';

export interface ServiceMapHost {
  /** The packets and their stream table now (both are replaced when the store is). */
  source(): { store: PacketStore; streams: StreamTable };
  displayAddress(address: string): string;
  setFilter(filter: string): void;
}

export function showServiceMapView(host: ServiceMapHost): OverlayPanel {
  let graph: ServiceGraph | undefined;
  let graphStreams: StreamTable | undefined;
  let showGroups = false;
  const svg = svgElement('svg', { id: 'service-map', class: 'service-map', viewBox: `0 0 ${WIDTH} ${HEIGHT}`, role: 'group', 'aria-label': 'Service map' });
  const summary = el('p', { class: 'service-map-summary', id: 'service-map-summary', role: 'status' });
  const groups = el('input', { type: 'checkbox', id: 'service-map-groups' });
  groups.addEventListener('change', () => {
    showGroups = groups.checked;
    draw();
  });
  const timer = setInterval(() => refresh(), REFRESH_MS);
  const panel = new OverlayPanel('service-map-view', 'Service Map', () => clearInterval(timer));
  panel.controls.append(el('label', { class: 'service-map-option' }, groups, ' Multicast and broadcast'));
  panel.body.append(summary, svg);

  const activate = (filter: string): void => {
    host.setFilter(filter);
    panel.close();
  };

  /** Reads new packets; redraws only when there were any (or the store was replaced). */
  function refresh(): void {
    const { store, streams } = host.source();
    if (!graph || graphStreams !== streams) {
      graph = new ServiceGraph(store, streams);
      graphStreams = streams;
    }
    if (graph.update()) draw();
  }

  function draw(): void {
    if (!graph) return;
    const focused = (document.activeElement as Element | null)?.getAttribute('data-key');
    // Without groups, a host shows when it talks to another host: not one that only announced itself to a multicast group.
    const groupAddresses = new Set(graph.nodes.filter((n) => n.group).map((n) => n.address));
    const talking = new Set(graph.edges.filter((e) => !groupAddresses.has(e.client) && !groupAddresses.has(e.server)).flatMap((e) => [e.client, e.server]));
    const all = graph.nodes.filter((n) => showGroups || talking.has(n.address));
    const nodes = [...all].sort((a, b) => b.bytes - a.bytes).slice(0, MAX_NODES)
      .sort((a, b) => host.displayAddress(a.address).localeCompare(host.displayAddress(b.address)) || a.address.localeCompare(b.address));
    const shown = new Set(nodes.map((n) => n.address));
    const edges = graph.edges.filter((e) => shown.has(e.client) && shown.has(e.server))
      .sort((a, b) => a.key.localeCompare(b.key));
    const quieter = all.length - nodes.length;
    const groupsHidden = graph.nodes.length - all.length;
    summary.textContent = nodes.length === 0
      ? `No IP traffic in the packets held${groupsHidden > 0 ? ' but multicast and broadcast' : ''}.`
      : [
          `${formatCount(nodes.length)} endpoints, ${formatCount(edges.length)} services`,
          ...(quieter > 0 ? [`${formatCount(quieter)} quieter endpoints not drawn`] : []),
          ...(groupsHidden > 0 ? [`${formatCount(groupsHidden)} addresses hidden (multicast and broadcast groups, and hosts that only talk to them)`] : []),
        ].join('; ') + '. Click a node or an arrow to see its packets.';
    const positions = new Map<string, Point>();
    circleLayout(nodes.length, WIDTH, HEIGHT, 90).forEach((p, i) => {
      const node = nodes[i];
      if (node) positions.set(node.address, p);
    });
    const maxBytes = Math.max(1, ...edges.map((e) => e.bytes));
    const edgeElements = drawEdges(edges, positions, maxBytes);
    const nodeElements = nodes.map((n) => drawNode(n, positions.get(n.address) ?? { x: 0, y: 0 }));
    svg.replaceChildren(arrowMarker(), ...edgeElements, ...nodeElements);
    if (focused) (svg.querySelector(`[data-key="${CSS.escape(focused)}"]`) as SVGGElement | null)?.focus();
  }

  function drawEdges(edges: ServiceEdge[], positions: Map<string, Point>, maxBytes: number): SVGGElement[] {
    // Edges between one pair of nodes (either direction) are spread apart.
    const byPair = new Map<string, ServiceEdge[]>();
    for (const e of edges) {
      const pair = [e.client, e.server].sort().join(' ');
      byPair.set(pair, [...(byPair.get(pair) ?? []), e]);
    }
    const out: SVGGElement[] = [];
    for (const list of byPair.values()) {
      list.forEach((e, i) => {
        const curve = edgeCurve(positions.get(e.client) ?? { x: 0, y: 0 }, positions.get(e.server) ?? { x: 0, y: 0 }, i, list.length, NODE_RADIUS + 2, 50);
        const title = `${host.displayAddress(e.client)} → ${host.displayAddress(e.server)}, ${e.protocol} ${serviceLabel(e)}: ${formatCount(e.packets)} packets, ${formatBytes(e.bytes)}` +
          (e.conversations > 0 ? `, ${formatCount(e.conversations)} conversations` : '');
        const width = 1 + 4 * Math.log1p(e.bytes) / Math.log1p(maxBytes);
        const label = svgElement('text', { class: 'map-edge-label', x: String(curve.label.x), y: String(curve.label.y), 'text-anchor': 'middle' },
          svgElement('tspan', { x: String(curve.label.x), dy: '-0.3em' }, `${e.protocol.toLowerCase() === e.transport ? '' : `${e.protocol} `}${serviceLabel(e)}`),
          svgElement('tspan', { x: String(curve.label.x), dy: '1.2em', class: 'map-edge-counts' }, `${formatCount(e.packets)} pkts · ${formatBytes(e.bytes)}`));
        const g = svgElement('g', { class: 'map-edge', tabindex: '0', role: 'button', 'data-key': e.key, 'data-filter': edgeFilter(e), 'aria-label': `${title}. Show its packets` },
          svgElement('title', {}, title),
          svgElement('path', { class: 'map-edge-hit', d: curve.path }),
          svgElement('path', { class: 'map-edge-line', d: curve.path, 'stroke-width': width.toFixed(1), 'marker-end': 'url(#map-arrow)' }),
          label);
        interactive(g, edgeFilter(e));
        out.push(g);
      });
    }
    return out;
  }

  function drawNode(n: ServiceNode, p: Point): SVGGElement {
    const name = host.displayAddress(n.address);
    const named = name !== n.address;
    const title = `${named ? `${name} (${n.address})` : n.address}: ${formatCount(n.packets)} packets, ${formatBytes(n.bytes)}`;
    // Labels go outward from the picture's centre, where no edge of the circle layout runs.
    const dx = p.x - WIDTH / 2;
    const dy = p.y - HEIGHT / 2;
    const length = Math.hypot(dx, dy) || 1;
    const ux = length > 1 ? dx / length : 0;
    const uy = length > 1 ? dy / length : -1;
    const anchor = ux > 0.3 ? 'start' : ux < -0.3 ? 'end' : 'middle';
    const label = { x: p.x + ux * (NODE_RADIUS + 6), y: p.y + uy * (NODE_RADIUS + 6) + (uy > 0.3 ? 12 : uy < -0.3 ? 0 : 4) };
    const g = svgElement('g', { class: `map-node${named ? ' named' : ''}${n.group ? ' group' : ''}`, tabindex: '0', role: 'button', 'data-key': `node|${n.address}`, 'data-address': n.address, 'aria-label': `${title}. Show its packets` },
      svgElement('title', {}, title),
      svgElement('circle', { cx: String(p.x), cy: String(p.y), r: String(NODE_RADIUS) }),
      svgElement('text', { class: 'map-node-label', x: label.x.toFixed(1), y: label.y.toFixed(1), 'text-anchor': anchor }, name));
    interactive(g, nodeFilter(n.address));
    return g;
  }

  function interactive(g: SVGGElement, filter: string): void {
    g.addEventListener('click', () => activate(filter));
    g.addEventListener('keydown', (e) => {
      if (e.key !== 'Enter' && e.key !== ' ') return;
      e.preventDefault();
      activate(filter);
    });
  }

  refresh();
  if (!graph?.nodes.length) draw();
  return panel;
}

function arrowMarker(): SVGDefsElement {
  return svgElement('defs', {},
    svgElement('marker', { id: 'map-arrow', viewBox: '0 0 10 10', refX: '9', refY: '5', markerWidth: '10', markerHeight: '10', orient: 'auto-start-reverse', markerUnits: 'userSpaceOnUse' },
      svgElement('path', { class: 'map-arrow-head', d: 'M 0 0 L 10 5 L 0 10 z' })));
}

function svgElement<K extends keyof SVGElementTagNameMap>(tag: K, attributes: Record<string, string>, ...children: (Node | string)[]): SVGElementTagNameMap[K] {
  const element = document.createElementNS(SVG_NS, tag);
  for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, value);
  for (const child of children) element.append(child);
  return element;
}
