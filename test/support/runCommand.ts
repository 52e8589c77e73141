/** Runs a command to completion with a deadline; what the CLI and security tests share. */
import { spawn } from 'node:child_process';

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a command to completion with a deadline, collecting its output. */
export function run(command: string[], env: NodeJS.ProcessEnv, timeoutMs = 30_000): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const [file, ...args] = command;
    const child = spawn(file as string, args, { stdio: ['ignore', 'pipe', 'pipe'], env });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (t: string) => (stdout += t));
    child.stderr.setEncoding('utf8').on('data', (t: string) => (stderr += t));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${command.slice(0, 12).join(' ')} did not finish in ${timeoutMs} ms: ${stderr}`));
    }, timeoutMs);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}
