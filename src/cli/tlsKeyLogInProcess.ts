/**
 * --tls-keylog where the CLI runs as the user (-r FILE, --via container): the key log is
 * read in this very process, with the user's rights and the user's Docker connection, and
 * followed every second during a live capture. (As root, the reading happens in a separate
 * process of the user's instead: keyLogReaderLaunch.ts.)
 */
import { createDockerClient } from '../client/dockerClient';
import { KeyLogFollower } from '../client/tls/keyLogFollower';
import { openKeyLogSource } from '../client/tls/keyLogSource';
import { nodeTlsCrypto } from '../client/tls/nodeTlsCrypto';
import type { CliOptions } from './cliArguments';
import { TlsPrinting } from './tlsPrinting';

export interface InProcessKeyLog {
  printing: TlsPrinting;
  /** Stops following; a last line without its newline counts. */
  stop(): void;
}

/** Reads the key log once (rejects with a one-line reason if that fails); follows it when `live`. */
export async function openInProcessKeyLog(o: CliOptions, live: boolean, warn: (message: string) => void): Promise<InProcessKeyLog | undefined> {
  if (!o.tlsKeyLog) return undefined;
  const printing = new TlsPrinting(nodeTlsCrypto);
  const source = openKeyLogSource(o.tlsKeyLog, () => createDockerClient({ endpoint: o.docker, context: o.context }));
  const follower = new KeyLogFollower(source, printing.decryptor, warn);
  try {
    await follower.readNow();
  } catch (err) {
    source.close();
    throw err;
  }
  if (live) follower.follow();
  else follower.endOfInput();
  return { printing, stop: () => (live ? follower.stop() : source.close()) };
}
