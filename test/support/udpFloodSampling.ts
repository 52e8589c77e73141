/**
 * A bounded UDP flood from a scene's server to its client (port 9999, 1,200-byte
 * datagrams, at most 20,000/s and 30 s, between the scene's own containers only),
 * while the resident memory of one process is sampled: what the slow-reader tests
 * measure. Not execFileSync: the sampler must keep running meanwhile.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { sleep } from './cliRunner';
import { REPO } from './dockerFixture';
import { rssMb } from './processTree';
import type { TestScene } from './testNetwork';

const FLOOD = join(REPO, 'bench', 'lib', 'udpFlood.mjs');

/** Floods `packets` datagrams, waits a second more, and resolves with `pid`'s peak RSS in MB. */
export async function peakRssDuringFlood(pid: number, scene: TestScene, packets: number): Promise<number> {
  let peakMb = 0;
  const sampler = setInterval(() => (peakMb = Math.max(peakMb, rssMb(pid))), 100);
  try {
    const flood = spawn('nsenter', ['-t', String(scene.server.pid()), '-n', process.execPath, FLOOD, scene.clientIpv4, '9999', '20000', '30', '1200', String(packets)], { stdio: ['ignore', 'ignore', 'inherit'] });
    const code = await new Promise((resolve) => flood.on('close', resolve));
    if (code !== 0) throw new Error(`the flood exited with ${String(code)}`);
    await sleep(1000);
    return peakMb;
  } finally {
    clearInterval(sampler);
  }
}
