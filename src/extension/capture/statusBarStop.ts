/**
 * What a click on the capture status-bar item does: it stops the capture of
 * the active tab (what the user is looking at), the only capture when just one
 * runs, and otherwise asks before stopping them all: a stray click must not end
 * captures the user cannot see. The decision is statusBarStopChoice (pure, unit-tested).
 */
import * as vscode from 'vscode';
import { statusBarStopChoice } from './statusBarStopChoice';

export const STOP_FROM_STATUS_BAR_COMMAND = 'dockerNetworkCapture.capture.stopFromStatusBar';


export interface StoppableCaptures {
  /** The running capture of the active inspector tab, if the active tab is one. */
  activeRunning(): { stop(): Promise<void> } | undefined;
  running(): { stop(): Promise<void> }[];
  stopAll(): Promise<void>;
}

export async function stopFromStatusBar(captures: StoppableCaptures): Promise<void> {
  const active = captures.activeRunning();
  const running = captures.running();
  switch (statusBarStopChoice(running.length, active !== undefined)) {
    case 'active':
      return active?.stop();
    case 'only':
      return running[0]?.stop();
    case 'ask': {
      const STOP_ALL = `Stop All ${running.length}`;
      const choice = await vscode.window.showWarningMessage(`Stop all ${running.length} captures?`, { modal: true, detail: 'To stop one, click the status bar while its tab is active, or use Stop in its tab.' }, STOP_ALL);
      if (choice === STOP_ALL) await captures.stopAll();
      return;
    }
  }
}
