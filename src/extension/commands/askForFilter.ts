/**
 * Asks for a BPF capture filter and validates it with tcpdump as the user
 * types, so a wrong filter never reaches the password prompt.
 */
import * as vscode from 'vscode';
import { checkBpfFilter, findTcpdump } from '../filter/bpfFilterCheck';

export async function askForBpfFilter(containerName: string): Promise<string | undefined> {
  const tcpdump = await findTcpdump();
  const filter = await vscode.window.showInputBox({
    title: `Capture ${containerName} with Filter`,
    prompt: 'BPF capture filter (tcpdump syntax), e.g. "tcp port 80" or "udp and not port 53"',
    placeHolder: 'tcp port 80',
    ignoreFocusOut: true,
    validateInput: async (value) => {
      const result = await checkBpfFilter(value, tcpdump);
      return result.ok ? undefined : { message: result.message, severity: vscode.InputBoxValidationSeverity.Error };
    },
  });
  if (filter === undefined) return undefined;
  // validateInput may not have finished for the last keystroke: check again before going on.
  const final = await checkBpfFilter(filter, tcpdump);
  if (!final.ok) {
    void vscode.window.showErrorMessage(`Invalid capture filter: ${final.message}`);
    return undefined;
  }
  return filter.trim();
}
