/** Bench 7's table: Follow Stream and Conversations beside tshark, with the targets. */
import type { StreamFigures } from '../streamViews';
import { formatCount, formatMb, formatMs, table, verdict } from './figures';

export function streamLines(figures: StreamFigures): string[] {
  const [follow, tsharkFollow, conversations, tsharkConv] = [
    figures.lines.find((l) => l.name.startsWith('Follow')),
    figures.lines.find((l) => l.name.startsWith('tshark -q -z follow')),
    figures.lines.find((l) => l.name.startsWith('Conversations')),
    figures.lines.find((l) => l.name.startsWith('tshark -q -z conv')),
  ];
  const vs = (ours: typeof follow, theirs: typeof follow): string => (ours && theirs ? `${(theirs.ms / ours.ms).toFixed(1)}x` : '-');
  return [
    `8. Conversation views: Follow Stream on a ${formatMb(figures.follow.bytes)} pcap of one TCP transfer (${formatCount(figures.follow.packets)} packets), Conversations of the 1 M-packet capture; median wall time`,
    table([
      ['what', 'packets', 'median', 'vs tshark', 'runs (s)'],
      ...figures.lines.map((l) => [l.name, formatCount(l.packets), formatMs(l.ms), l.name.startsWith('Follow') ? vs(follow, tsharkFollow) : l.name.startsWith('Conversations') ? vs(conversations, tsharkConv) : '-', l.runs.map((r) => (r / 1000).toFixed(2)).join(' / ')]),
    ]),
    `   target Follow Stream of 100 MB < 1 s: ${verdict(follow !== undefined && follow.ms < 1000)}; Conversations of 1 M packets < 1 s: ${verdict(conversations !== undefined && conversations.ms < 1000)}`,
    ...(figures.conversationTable
      ? [`   the Conversations line's table: ${formatCount(figures.conversationTable.conversations)} conversations in ${formatMb(figures.conversationTable.heldBytes)} of typed arrays (the memory a page holds for it, mostly fresh pages to fault in)`]
      : []),
  ];
}
