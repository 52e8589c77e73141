/**
 * Where the service map draws its nodes and edges: nodes on a circle in the order given
 * (so the same capture always gives the same picture, and a new endpoint only shifts the
 * others along the circle), edges as quadratic curves bent apart when one pair of nodes
 * has several services. Small enough not to need a graph-layout library, and a circle
 * never hides an edge behind a node.
 */

export interface Point {
  x: number;
  y: number;
}

/** `count` points on a circle inside a `width` x `height` box, the first at the top, clockwise. */
export function circleLayout(count: number, width: number, height: number, margin: number): Point[] {
  const cx = width / 2;
  const cy = height / 2;
  if (count === 1) return [{ x: cx, y: cy }];
  const radius = Math.max(0, Math.min(width, height) / 2 - margin);
  const points: Point[] = [];
  for (let i = 0; i < count; i++) {
    const angle = -Math.PI / 2 + (2 * Math.PI * i) / count;
    points.push({ x: round(cx + radius * Math.cos(angle)), y: round(cy + radius * Math.sin(angle)) });
  }
  return points;
}

export interface EdgeCurve {
  /** SVG path data. */
  path: string;
  /** Where the label goes (the curve's middle). */
  label: Point;
}

/**
 * The curve of edge `index` of `parallel` edges between `from` and `to`, starting and
 * ending `radius` away from the centres (outside the node circles). Parallel edges bend
 * to alternate sides by `spacing`, their labels spread along them too; a single one is
 * straight, labelled in its middle. From a node to itself: a loop above it.
 */
export function edgeCurve(from: Point, to: Point, index: number, parallel: number, radius: number, spacing: number): EdgeCurve {
  if (from.x === to.x && from.y === to.y) {
    const lift = 40 + index * spacing;
    const top = from.y - radius;
    return {
      path: `M ${round(from.x - 8)} ${round(top)} C ${round(from.x - 36)} ${round(top - lift)} ${round(from.x + 36)} ${round(top - lift)} ${round(from.x + 8)} ${round(top)}`,
      label: { x: from.x, y: round(top - lift * 0.75) },
    };
  }
  const dx = to.x - from.x;
  const dy = to.y - from.y;
  const length = Math.hypot(dx, dy);
  // Perpendicular, always on the same side for a given unordered pair so both directions' edges spread apart.
  const flip = from.x < to.x || (from.x === to.x && from.y < to.y) ? 1 : -1;
  const nx = (-dy / length) * flip;
  const ny = (dx / length) * flip;
  const offset = (index - (parallel - 1) / 2) * spacing;
  const mid = { x: (from.x + to.x) / 2, y: (from.y + to.y) / 2 };
  // The control point sits twice as far out as the curve's middle.
  const control = { x: mid.x + nx * offset * 2, y: mid.y + ny * offset * 2 };
  const start = toward(from, control, radius);
  const end = toward(to, control, radius);
  // Labels of parallel edges also sit at different points along their curves, so they cannot overlap however the pair is oriented.
  const t = (index + 1) / (parallel + 1);
  const along = (a: number, c: number, b: number): number => (1 - t) * (1 - t) * a + 2 * (1 - t) * t * c + t * t * b;
  return {
    path: offset === 0
      ? `M ${round(start.x)} ${round(start.y)} L ${round(end.x)} ${round(end.y)}`
      : `M ${round(start.x)} ${round(start.y)} Q ${round(control.x)} ${round(control.y)} ${round(end.x)} ${round(end.y)}`,
    label: { x: round(along(from.x, control.x, to.x)), y: round(along(from.y, control.y, to.y)) },
  };
}

function toward(from: Point, target: Point, distance: number): Point {
  const dx = target.x - from.x;
  const dy = target.y - from.y;
  const length = Math.hypot(dx, dy) || 1;
  return { x: from.x + (dx / length) * distance, y: from.y + (dy / length) * distance };
}

function round(n: number): number {
  return Math.round(n * 10) / 10;
}
