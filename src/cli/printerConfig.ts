/**
 * What the root CLI hands its printing process (capturePrinter.ts) besides
 * descriptors: the output options and the channel bytes it had already
 * received. Sent over the printer's stdin once the root CLI has dropped its
 * own privileges; nothing in it is secret.
 *
 * The printer's descriptors, by number (spawn's stdio array):
 */
import { isPrinterTimelineConfig, type PrinterTimelineConfig } from './hostTimelineOutput';
import type { OutputFormat } from './packetPrinter';

export const PrinterFd = {
  /** The config below, as JSON, then EOF. */
  config: 0,
  /** The user's stdout and stderr, as the CLI got them. */
  stdout: 1,
  stderr: 2,
  /** The connected, authenticated channel to the helper's packet reader. */
  channel: 3,
  /** The runtime and the CLI script, opened by root: nobody may not reach them by path (a 0700 home). */
  runtime: 4,
  script: 5,
  /** -w FILE, opened (and its pcap header written) by root; closed without -w. */
  captureFile: 6,
  /** One byte, then EOF, once the printer handles stop signals itself: the root CLI relays them only then. */
  ready: 7,
  /** --tls-keylog: the key log reader's output (keyLogReader.ts); closed without. */
  tlsKeyLog: 8,
} as const;

/** The hidden argument that makes dist/cli.js the printing process. */
export const PRINTER_ARGUMENT = '--print-capture';

export interface PrinterConfig {
  version: 1;
  format: OutputFormat;
  verbose: boolean;
  snapLength: number;
  /** Whether descriptor 6 is the -w file. */
  captureFile: boolean;
  /** The -w file's format (absent: pcap); its header is written already. */
  captureFormat?: 'pcap' | 'pcapng';
  /** The container's name, for pcapng's interface names (`web-1/eth0`). */
  container?: string;
  /** Several containers through one helper: frames labelled `container/interface`, printed as one timeline. */
  timeline?: PrinterTimelineConfig;
  /** Base64 of the channel bytes received before the hand-over, to be read first. */
  unread: string;
  /** --tls-keylog: what the key log is, for messages; descriptor 8 carries its text. */
  tlsKeyLog?: string;
}

export function parsePrinterConfig(text: string): PrinterConfig {
  const raw = JSON.parse(text) as PrinterConfig;
  if (
    raw?.version !== 1 ||
    !['text', 'json', 'ndjson'].includes(raw.format) ||
    typeof raw.verbose !== 'boolean' ||
    !Number.isInteger(raw.snapLength) ||
    typeof raw.captureFile !== 'boolean' ||
    typeof raw.unread !== 'string' ||
    (raw.tlsKeyLog !== undefined && typeof raw.tlsKeyLog !== 'string') ||
    (raw.captureFormat !== undefined && raw.captureFormat !== 'pcap' && raw.captureFormat !== 'pcapng') ||
    (raw.container !== undefined && typeof raw.container !== 'string') ||
    (raw.timeline !== undefined && !isPrinterTimelineConfig(raw.timeline))
  ) {
    throw new Error('the printing process got no valid configuration');
  }
  return raw;
}
