/**
 * Capture Again in the tab of the ended capture (the inspector's button, and
 * the "running again" notification when that tab is still open), as Wireshark
 * restarts a capture in its window instead of opening another. The new capture
 * replaces the tab's packets: asked first when there are any.
 */
import * as vscode from 'vscode';
import type { InspectorPanel } from '../inspector/inspectorPanel';
import { startCaptureOf, type StartCaptureContext } from './startCaptureCommand';

export const REPLACE_AND_CAPTURE = 'Capture Again';

export async function captureAgainInTab(panel: InspectorPanel, ctx: StartCaptureContext, runningId?: string): Promise<void> {
  const target = panel.captureTarget;
  if (!target || panel.running) return;
  const packets = panel.packetCount;
  if (packets > 0) {
    const choice = await vscode.window.showWarningMessage(
      `Capture ${target.container.name} again in this tab? Its ${packets.toLocaleString('en-US')} packet${packets === 1 ? '' : 's'} will be replaced.`,
      { modal: true, detail: 'Save them first (Save as pcap or JSON) to keep them.' },
      REPLACE_AND_CAPTURE,
    );
    if (choice !== REPLACE_AND_CAPTURE) return;
  }
  // By name unless the caller knows the running container: a re-created container has a new id.
  await startCaptureOf({ id: runningId ?? target.container.name, name: target.container.name }, { direction: target.direction, ...(target.filter ? { filter: target.filter } : {}) }, ctx, panel);
}
