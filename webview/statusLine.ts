/** The line under the inspector: the tab's title and what the capture is doing. */
import type { CaptureStatus } from '../src/protocol/webviewMessages';
import { el } from './dom';
import { formatCount } from './format';

export class StatusLine {
  readonly element = el('div', { class: 'status-line', role: 'status', id: 'status-line' });

  show(title: string, status: CaptureStatus, packets: number): void {
    this.element.textContent = statusText(title, status, packets);
    this.element.classList.toggle('error', status.state === 'error');
  }
}

function statusText(title: string, status: CaptureStatus, packets: number): string {
  // The host's message may already say "Capture ended: ..." (never twice).
  const message = status.state === 'ended' ? status.message?.replace(/^Capture ended:\s*/i, '') : status.message;
  const reason = message ? `: ${message}` : '';
  const prefix = title ? `${title} — ` : '';
  switch (status.state) {
    case 'starting': return `${prefix}Starting capture…${reason}`;
    case 'capturing': return `${prefix}Capturing${reason}`;
    case 'stopping': return `${prefix}Stopping…${reason}`;
    case 'ended': return `${prefix}Capture ended${reason} (${formatCount(packets)} packets)`;
    case 'error': return `${prefix}Capture failed${reason}`;
    case 'file': return `${prefix}${status.message ?? `${formatCount(packets)} packets`}`;
  }
}
