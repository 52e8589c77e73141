/**
 * "Container X is running again. Capture again?" after a capture ended
 * because its container stopped: ReattachOffers decides when, this shows the
 * notification and starts the new capture (same direction and filter) in the
 * ended capture's tab when it is still open, else in a new tab.
 */
import * as vscode from 'vscode';
import type { CaptureManager } from '../capture/captureManager';
import { ReattachOffers, type EndedCapture } from '../capture/reattachOffers';
import type { ContainerWatcher } from '../containers/containerWatcher';
import { Disposable } from '../disposable';
import { InspectorPanel } from '../inspector/inspectorPanel';
import { captureAgainInTab } from './captureAgainInTab';
import { startCaptureOf, type StartCaptureContext } from './startCaptureCommand';

export const CAPTURE_AGAIN = 'Capture Again';

export class ReattachNotifier extends Disposable {
  private readonly offers = new ReattachOffers();

  constructor(
    watcher: ContainerWatcher,
    private readonly manager: CaptureManager,
    private readonly startContext: () => StartCaptureContext,
  ) {
    super();
    this._register(watcher.onDidChange((state) => {
      if (state.unreachable !== undefined) return;
      const capturing = this.manager.capturedContainerNames;
      for (const offer of this.offers.containersListed(state.containers, state.listedAt, capturing)) void this.show(offer.capture, offer.containerId);
    }));
  }

  captureEnded(capture: EndedCapture, reason: string): void {
    this.offers.captureEnded(capture, reason);
  }

  private async show(capture: EndedCapture, containerId: string): Promise<void> {
    const what = [capture.direction === 'both' ? '' : capture.direction, capture.filter ? `filter "${capture.filter}"` : ''].filter(Boolean).join(', ');
    const choice = await vscode.window.showInformationMessage(`Container ${capture.containerName} is running again. Capture again?${what ? ` (${what})` : ''}`, CAPTURE_AGAIN);
    if (choice !== CAPTURE_AGAIN || this.isDisposed) return;
    const endedTab = InspectorPanel.endedTabOf({ container: { id: containerId, name: capture.containerName }, direction: capture.direction, ...(capture.filter ? { filter: capture.filter } : {}) });
    if (endedTab) return captureAgainInTab(endedTab, this.startContext(), containerId);
    await startCaptureOf({ id: containerId, name: capture.containerName }, { direction: capture.direction, ...(capture.filter ? { filter: capture.filter } : {}) }, this.startContext());
  }
}
