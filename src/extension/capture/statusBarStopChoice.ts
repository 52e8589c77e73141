/** Which captures a click on the status-bar item stops (see statusBarStop.ts). No `vscode` here. */
export type StatusBarStop = 'active' | 'only' | 'ask';

export function statusBarStopChoice(running: number, activeTabRunning: boolean): StatusBarStop {
  if (activeTabRunning) return 'active';
  return running === 1 ? 'only' : 'ask';
}
