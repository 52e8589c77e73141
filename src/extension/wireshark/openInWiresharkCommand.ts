/**
 * Open in Wireshark on the active capture tab: the capture so far, then live, into
 * `wireshark -k -i -`. Wireshark is looked for on PATH once at activation; without it the
 * command stays hidden (context key WIRESHARK_AVAILABLE_KEY in its `when` clauses).
 */
import * as vscode from 'vscode';
import { InspectorPanel } from '../inspector/inspectorPanel';
import { findExecutable } from './findExecutable';
import { streamToViewer, WIRESHARK_ARGS } from './wiresharkStream';

export const OPEN_IN_WIRESHARK_COMMAND = 'dockerNetworkCapture.openInWireshark';
export const WIRESHARK_AVAILABLE_KEY = 'dockerNetworkCapture.wiresharkAvailable';

export function registerOpenInWireshark(push: (d: vscode.Disposable) => void, log: vscode.LogOutputChannel): void {
  const wireshark = findExecutable('wireshark').then((path) => {
    void vscode.commands.executeCommand('setContext', WIRESHARK_AVAILABLE_KEY, path !== undefined);
    if (path) log.info(`Wireshark found at ${path}: Open in Wireshark is available`);
    return path;
  });
  push(vscode.commands.registerCommand(OPEN_IN_WIRESHARK_COMMAND, async () => {
    const panel = InspectorPanel.active();
    if (!panel) {
      void vscode.window.showInformationMessage('Open a capture in the packet inspector first.');
      return;
    }
    const program = await wireshark;
    if (!program) {
      void vscode.window.showErrorMessage('Wireshark is not installed (no wireshark on PATH).');
      return;
    }
    const model = panel.shownModel;
    if (model.bytesOnDemand) {
      void vscode.window.showInformationMessage(`${model.title} is too large to stream from memory: open the file itself in Wireshark.`);
      return;
    }
    log.info(`Streaming ${model.title} to ${program} ${WIRESHARK_ARGS.join(' ')}`);
    const run = streamToViewer(program, WIRESHARK_ARGS, model, (m) => log.warn(m));
    const result = await run.done;
    const sent = `${result.packets.toLocaleString('en-US')} packets`;
    const leftOut = result.leftOut > 0 ? ` Wireshark fell behind: ${result.leftOut.toLocaleString('en-US')} packets were left out for it (the capture kept them).` : '';
    const otherLink = result.otherLinkType > 0 ? ` ${result.otherLinkType.toLocaleString('en-US')} packets of another link type are not in the stream.` : '';
    log.info(`Wireshark stream of ${model.title} ended (${result.ended}): ${sent} sent, ${result.leftOut} left out, ${result.otherLinkType} of another link type`);
    const text = result.ended === 'pipeClosed'
      ? `Wireshark closed: streaming of ${model.title} stopped after ${sent}.${leftOut}${otherLink}`
      : `The capture ended: Wireshark got ${sent}.${leftOut}${otherLink}`;
    void (leftOut || otherLink ? vscode.window.showWarningMessage(text) : vscode.window.showInformationMessage(text));
  }));
}
