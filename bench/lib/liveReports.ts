/**
 * The tables of bench parts 2c (live capture against tcpdump alone) and 7
 * (wire to row), for bench/run.ts.
 */
import type { SweepFigures, SweepLine } from '../liveVsTcpdump';
import type { RowFigures } from '../wireToRow';
import { formatCount, formatMs, table, verdict } from './figures';

const PATH_NAMES: Record<SweepLine['path'], string> = {
  anchor: 'tcpdump alone, -U --immediate-mode -w /dev/null',
  anchorBlocks: 'tcpdump alone, its default (blocks), -w /dev/null',
  host: 'host helper -> callback',
  container: 'helper container -> callback',
};

function cpuText(line: SweepLine): string {
  return line.cpu.slice(0, 4).map((c) => `${c.comm} ${c.seconds.toFixed(2)}`).join(', ');
}

const isAnchor = (l: SweepLine): boolean => l.path === 'anchor' || l.path === 'anchorBlocks';

export function sweepReport(sweep: SweepFigures): string[] {
  // The better of tcpdump alone's two ways of writing at this rate: the limit a pipeline is held to.
  const anchorAt = (rate: number): number => Math.max(0, ...sweep.lines.filter((l) => isAnchor(l) && l.rate === rate).map((l) => l.tcpdumpCaptured));
  const share = (l: SweepLine): number => {
    const anchor = anchorAt(l.rate);
    return anchor > 0 ? l.delivered / anchor : Number.NaN;
  };
  const out = [
    `2c. Each live path against tcpdump alone, same scene, same flood (${sweep.seconds} s of UDP per run); delivered / anchor = frames at the consumer / what tcpdump alone captured at that rate, the better of its two ways of writing`,
    table([
      ['offered pkt/s', 'path', 'sent', 'tcpdump captured', 'kernel drops', 'at consumer', 'lost tcpdump->consumer', 'delivered / anchor', 'CPU s during the flood'],
      ...sweep.lines.map((l) => [
        formatCount(l.rate), PATH_NAMES[l.path], formatCount(l.sent), formatCount(l.tcpdumpCaptured), formatCount(l.kernelDrops), formatCount(l.delivered),
        isAnchor(l) ? '-' : formatCount(l.lost), `${(share(l) * 100).toFixed(0)}%`, cpuText(l),
      ]),
    ]),
  ];
  for (const path of ['host', 'container'] as const) {
    const clean = sweep.lines.filter((l) => l.path === path && l.lost === 0);
    const best = clean.reduce<SweepLine | undefined>((a, b) => (!a || b.rate > a.rate ? b : a), undefined);
    const within = clean.filter((l) => share(l) >= 0.9).reduce<SweepLine | undefined>((a, b) => (!a || b.rate > a.rate ? b : a), undefined);
    // The goal holds at every rate, not only the highest: a dip at a lower rate is a miss.
    const misses = sweep.lines.filter((l) => l.path === path && (l.lost > 0 || !(share(l) >= 0.9)));
    const missText = misses.map((l) => `${formatCount(l.rate)} (${(share(l) * 100).toFixed(0)}%${l.lost > 0 ? `, ${formatCount(l.lost)} lost` : ''})`).join(', ');
    out.push(best
      ? `   ${PATH_NAMES[path]}: highest offered rate with 0 lost ${formatCount(best.rate)} pkt/s, delivered ${(share(best) * 100).toFixed(0)}% of tcpdump alone there` +
          `; highest rate at >= 90%: ${within ? `${formatCount(within.rate)} pkt/s` : 'none'}` +
          ` -> goal >= 90% with 0 lost at every rate: ${verdict(misses.length === 0)}${misses.length > 0 ? `; missed at ${missText} pkt/s` : ''}`
      : `   ${PATH_NAMES[path]}: no rate with 0 lost -> goal: ${verdict(false)}`);
  }
  return out;
}

export function rowReport(rows: RowFigures): string[] {
  const hops = rows.lines.flatMap((l) => l.hops.map((h) => [`${l.backend} @ ${formatCount(l.rate)}/s`, h.hop, formatMs(h.medianMs, 1), formatMs(h.p99Ms, 1)]));
  const inside = (rows.helperHops ?? []).map((h) => [
    formatCount(h.rate), String(h.pipelines), `${formatMs(h.readMedianMs, 1)} / ${formatMs(h.readP99Ms, 1)} / ${formatMs(h.readMaxMs, 1)}`,
    `${formatMs(h.mergeMedianMs, 1)} / ${formatMs(h.mergeP99Ms, 1)}`, `${formatCount(h.outOfOrder)} of ${formatCount(h.handedOn)}`,
  ]);
  return [
    '7. Wire to row: container send -> row drawn in the inspector (headless Chromium, real bundle, the extension\'s CaptureSession and InspectorConnection)',
    table([
      ['backend', 'pkt/s', 'rows seen', 'send -> callback median / p99', 'send -> in page (median)', 'send -> row median', 'p99', 'max', 'goal median < 100, p99 < 250 ms'],
      ...rows.lines.map((l) => [
        l.backend, formatCount(l.rate), `${formatCount(l.samples)} of ${formatCount(l.sent)}`, `${formatMs(l.callbackMedianMs, 1)} / ${formatMs(l.callbackP99Ms, 1)}`,
        formatMs(l.inPageMedianMs, 1), formatMs(l.rowMedianMs, 1), formatMs(l.rowP99Ms, 1), formatMs(l.rowMaxMs, 1), verdict(l.rowMedianMs < 100 && l.rowP99Ms < 250),
      ]),
    ]),
    '   Where the time goes, hop by hop (per row seen):',
    table([['run', 'hop', 'median', 'p99'], ...hops]),
    ...(inside.length
      ? [
          '   Inside the helper (its pipeline code run in the bench process, same scene and flood, plus the same rate over the target\'s lo):',
          table([['pkt/s', 'pipelines', 'kernel -> read median / p99 / max', 'read -> merged median / p99', 'frames out of order'], ...inside]),
        ]
      : []),
  ];
}
