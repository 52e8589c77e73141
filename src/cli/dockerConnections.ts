/**
 * Closing every connection to Docker before the CLI reads a packet. A
 * connection to the daemon's socket is as good as root: a process that keeps
 * one while it parses hostile traffic as `nobody` hands that power to whoever
 * exploits the parser. dockerode sends its requests through Node's global
 * HTTP(S) agents, which keep connections alive for reuse, so they are torn
 * down here, and the result is checked from /proc: every socket this process
 * did not have before it talked to Docker must be gone.
 */
import { globalAgent as httpAgent } from 'node:http';
import { globalAgent as httpsAgent } from 'node:https';
import { readdirSync, readlinkSync } from 'node:fs';

/** The socket inodes this process holds now (`socket:[N]` entries of /proc/self/fd). */
export function openSockets(): Set<string> {
  const sockets = new Set<string>();
  let fds: string[];
  try {
    fds = readdirSync('/proc/self/fd');
  } catch {
    return sockets;
  }
  for (const fd of fds) {
    try {
      const target = readlinkSync(`/proc/self/fd/${fd}`);
      if (target.startsWith('socket:')) sockets.add(target);
    } catch {
      // the descriptor readdir itself used, closed meanwhile
    }
  }
  return sockets;
}

function newSockets(before: Set<string>): string[] {
  return [...openSockets()].filter((s) => !before.has(s));
}

/**
 * Destroys the agents' connections, then waits (briefly: an ssh transport ends
 * its session with a round trip) until no socket opened since `before` is left.
 * Throws when one is: the caller must not go on to read packets.
 */
export async function closeDockerConnections(before: Set<string>): Promise<void> {
  httpAgent.destroy();
  httpsAgent.destroy();
  for (let attempt = 0; attempt < 100; attempt++) {
    if (newSockets(before).length === 0) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`a connection to Docker is still open (${newSockets(before).join(', ')}); refusing to capture with it`);
}
