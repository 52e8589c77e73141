/**
 * Capture Again in the tab of the ended capture (the inspector's button, and
 * the "running again" notification when that tab is still open), as Wireshark
 * restarts a capture in its window instead of opening another. The new capture
 * replaces the tab's packets: asked first when there are any.
 */
import * as vscode from 'vscode';
import { groupLabel, type ContainerGroup } from '../capture/containerGroup';
import type { InspectorPanel } from '../inspector/inspectorPanel';
import { startCaptureOf, type StartCaptureContext } from './startCaptureCommand';

export const REPLACE_AND_CAPTURE = 'Capture Again';

export async function captureAgainInTab(panel: InspectorPanel, ctx: StartCaptureContext, runningId?: string): Promise<void> {
  if (panel.running) return;
  const several = panel.captureGroup;
  if (several) {
    if (!(await replaceConfirmed(panel, groupLabel(several.group)))) return;
    // The same selection by name (a re-created container has a new id), or the same project.
    const group: ContainerGroup = several.group.kind === 'containers' ? { kind: 'containers', containers: several.group.containers.map((c) => ({ id: c.name, name: c.name })) } : several.group;
    await ctx.manager.captureMany(group, { direction: several.direction, ...(several.filter ? { filter: several.filter } : {}) }, ctx.deps, panel);
    return;
  }
  const target = panel.captureTarget;
  if (!target) return;
  if (!(await replaceConfirmed(panel, target.container.name))) return;
  // By name unless the caller knows the running container: a re-created container has a new id.
  await startCaptureOf({ id: runningId ?? target.container.name, name: target.container.name }, { direction: target.direction, ...(target.filter ? { filter: target.filter } : {}) }, ctx, panel);
}

/** The new capture replaces the tab's packets: asked first when there are any. */
async function replaceConfirmed(panel: InspectorPanel, what: string): Promise<boolean> {
  const packets = panel.packetCount;
  if (packets === 0) return true;
  const choice = await vscode.window.showWarningMessage(
    `Capture ${what} again in this tab? Its ${packets.toLocaleString('en-US')} packet${packets === 1 ? '' : 's'} will be replaced.`,
    { modal: true, detail: 'Save them first (Save as pcap or JSON) to keep them.' },
    REPLACE_AND_CAPTURE,
  );
  return choice === REPLACE_AND_CAPTURE;
}
