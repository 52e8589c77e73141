/** Bench 12's lines in the `npm run bench` report (issue 12 goal 9: a 10 M-packet file in the inspector). */
import type { BigFileFigures } from '../bigFile';
import { formatCount, formatMb, formatMs, table, verdict } from './figures';

export function bigFileLines(f: BigFileFigures): string[] {
  const webviewMb = f.heapMb + f.arrayBuffersMb;
  const host = f.host;
  return [
    '',
    `12. Big file: ${formatCount(f.packets)} packets, ${formatMb(f.fileBytes)} pcap (generated in ${formatMs(f.generateMs)}), opened streamed: the host indexes it, the webview (in its own renderer, posted the host's messages by a workbench stand-in) keeps every row's columns and a 64 MB byte cache`,
    table([
      ['figure', 'measured', 'target', 'verdict'],
      ['extension host: stream + index the whole file (alone, acks at once)', host ? `${formatMs(host.streamMs)} (${formatCount((host.packets / host.streamMs) * 1000)} packets/s)` : 'FAILED', '-', '-'],
      ['extension host: peak RSS (Node + tsx alone: base)', host ? `${host.peakRssMb.toFixed(0)} MB (base ${host.baseRssMb.toFixed(0)} MB; heap ${host.heapMb.toFixed(0)} MB, ArrayBuffers ${host.arrayBuffersMb.toFixed(0)} MB at the end)` : 'FAILED', '< 500 MB', verdict(host ? host.peakRssMb < 500 : undefined)],
      ['webview: time to first rows', formatMs(f.firstRowsMs), '-', '-'],
      ['webview: time until all listed', formatMs(f.allListedMs), '-', '-'],
      ['webview: JS heap after GC + ArrayBuffers', `${f.heapMb.toFixed(0)} + ${f.arrayBuffersMb.toFixed(0)} = ${webviewMb.toFixed(0)} MB`, '< 1 GB', verdict(webviewMb < 1000)],
      ['webview: renderer process RSS now / peak / after a memory-pressure purge (before the file: base)', `${f.rendererRssMb.toFixed(0)} / ${f.rendererPeakMb.toFixed(0)} / ${f.rendererRssAfterPressureMb.toFixed(0)} MB (base ${f.rendererBeforeMb.toFixed(0)} MB; now: ${f.rendererRssParts}; JS heap held ${f.heapTotalMb.toFixed(0)} MB)`, '< 1 GB (peak)', verdict(f.rendererPeakMb > 0 ? f.rendererPeakMb < 1000 : undefined)],
      ['workbench stand-in: renderer RSS at the end (fetches the host\'s messages and posts them into the webview, as VS Code\'s workbench relays them)', (f.otherRenderersMb ?? []).map((mb) => `${mb.toFixed(0)} MB`).join(', ') || '-', '-', '-'],
      ['scroll top to bottom: frame time median / p95; last row reached', `${formatMs(f.scrollMedianMs, 1)} / ${formatMs(f.scrollP95Ms, 1)}; ${f.scrollReachedLast ? 'yes' : 'NO'}`, 'reaches the last row', verdict(f.scrollReachedLast)],
      ['packet 2 (bytes long out of the cache) selected: hexdump = tshark -x', f.farPacketBytesMatch ? 'equal' : 'DIFFERENT', 'equal', verdict(f.farPacketBytesMatch)],
      [`peer: capinfos -c -M (whole file: ${formatCount(f.capinfos.packets)} packets)`, `${formatMs(f.capinfos.ms)}, peak ${f.capinfos.peakMb.toFixed(0)} MB`, '-', '-'],
      [`peer: tshark -r FILE -c ${formatCount(f.tshark.packets)}${f.tshark.all ? ' (every packet)' : ''}`, `${formatMs(f.tshark.ms)}, peak ${f.tshark.peakMb.toFixed(0)} MB`, '-', '-'],
    ]),
  ];
}
