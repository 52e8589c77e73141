/**
 * Steps several scenarios share: start a capture from the container tree the
 * way a user does, wait until packets flow, save through the save dialog.
 */
import { existsSync, statSync } from 'node:fs';
import type { Harness } from '../harness';
import { helperProcesses } from './captureProcesses';
import { Inspector } from './inspector';
import { waitFor } from './processes';

export type CaptureEntry = 'Capture Traffic' | 'Capture Egress Only' | 'Capture Ingress Only';

/** Network Capture view -> right-click the container -> `entry`; returns the inspector tab once the helper runs. */
export async function startCaptureFromTree(h: Harness, container: string, entry: CaptureEntry): Promise<Inspector> {
  await h.workbench.openActivity('Network Capture');
  const row = h.workbench.treeRow(container);
  await row.waitFor({ state: 'visible', timeout: 20_000 });
  const helpersBefore = new Set(helperProcesses());
  await h.workbench.contextMenu(row, entry);
  const inspector = await Inspector.active(h.workbench, 30_000);
  // Elevation (pkexec through polkit) and tcpdump start take a moment; traffic
  // sent before tcpdump listens would never be seen.
  await waitFor(`the capture helper for ${container} to run`, () => helperProcesses().some((p) => !helpersBefore.has(p)), 30_000);
  await waitFor(`the inspector of ${container} to say it is capturing`, async () => /captur/i.test(await inspector.statusLine()) && !/error|fail/i.test(await inspector.statusLine()), 15_000);
  await h.page.waitForTimeout(500);
  return inspector;
}

/** Clicks Save as JSON/pcap in the inspector, types `path` into code-server's save box; waits for the file. */
export async function saveFromInspector(h: Harness, inspector: Inspector, format: 'json' | 'pcap', path: string): Promise<void> {
  await inspector.click(format === 'json' ? 'save-json-button' : 'save-pcap-button');
  await inspector.answerSaveChoice('save-all');
  await h.workbench.answerQuickInput(path);
  await waitFor(`${path} to be written`, () => existsSync(path) && statSync(path).size > 0, 15_000);
  // Written in one go by the extension host; a short settle avoids reading a half-flushed file.
  await h.page.waitForTimeout(300);
}

/** "12 packets" -> 12 */
export function countFrom(counterText: string): number {
  const match = counterText.replace(/[,\s]/g, ' ').match(/^([\d ]+?)\s*packets?/);
  return match?.[1] ? Number(match[1].replace(/\s/g, '')) : NaN;
}
