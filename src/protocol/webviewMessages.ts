/**
 * Messages between the extension host and the packet inspector webview.
 * Both sides switch on `type`; frames travel as binary batches (see
 * core/frameBatch.ts) so a million packets never become JSON.
 */

/** What the inspector shows about the capture as a whole. */
export type CaptureState = 'starting' | 'capturing' | 'stopping' | 'ended' | 'error' | 'file';

export interface CaptureStatus {
  state: CaptureState;
  /** Human-readable reason, e.g. "container stopped", shown in the status line. */
  message?: string;
  /** Packets the kernel dropped before tcpdump saw them (tcpdump's own count). */
  kernelDrops?: number;
  /** Oldest packets dropped from memory because of the in-memory limit. */
  droppedFromMemory?: number;
  /** Set once the capture's spool on disk reached its size cap: it keeps the first `packets` packets only. */
  spoolCapped?: { packets: number; bytes: number };
}

export type ToWebviewMessage =
  /** First message after `ready`: what this tab shows. */
  | {
      type: 'init';
      title: string;
      /** Container the capture belongs to; absent for an opened file. */
      container?: { id: string; name: string };
      /** A capture of several containers (a selection, a project): it too can start again once ended. */
      group?: true;
      /** True for a running capture (shows Stop), false for a file. */
      live: boolean;
      /** Known container addresses, shown as names in the list. */
      hostnames: Record<string, string>;
      /** In-memory packet limit; older packets are dropped past it. */
      maxPackets: number;
      /** In-memory byte budget for frame bytes; older packets are dropped past it. Absent: none. */
      maxBytes?: number;
      /**
       * Set for a file too large to hold (issue 12 goal 9): keep every packet's columns but
       * at most `cacheBytes` of frame bytes, and ask for the others with `frameBytesRequest`.
       */
      bytesOnDemand?: { cacheBytes: number };
      status: CaptureStatus;
    }
  /** The answer to `frameBytesRequest`: each asked packet's captured bytes (absent: the host does not have it). */
  | { type: 'frameBytes'; packets: { number: number; bytes?: Uint8Array }[] }
  /**
   * A batch of frames in the frameBatch encoding, or several in order (the host sends
   * the batches that waited as they are, without joining them); numbered after those
   * already sent. Read it with `frameBatchesOf`.
   * The webview answers each with `ack` and the same `seq` (when set) once it has stored it:
   * the host keeps only a bounded number of bytes unacknowledged (flow control).
   */
  | { type: 'frames'; batch: Uint8Array | readonly Uint8Array[]; seq?: number }
  /** The capture's state changed. */
  | { type: 'status'; status: CaptureStatus }
  /** Address-to-container-name map changed. */
  | { type: 'hostnames'; hostnames: Record<string, string> }
  /** Everything was cleared on the host side too. */
  | { type: 'cleared' }
  /**
   * The user picked an entry of the inspector's context menu (VS Code's
   * `webview/context` menu runs a host command; the host relays it here).
   * `target` is the inspector instance the menu was opened on: every
   * inspector receives it, only that one acts.
   */
  | { type: 'contextAction'; target: string; action: InspectorAction; packet?: number; column?: string; field?: string }
  /** The same actions run from the Command Palette: only the active inspector gets it; it acts on its selected packet. */
  | { type: 'paletteAction'; action: InspectorAction }
  /**
   * TLS decryption with a key log (Decrypt TLS with Key Log…, `tlsKeyLog`): what changed for
   * these packets. Sent again as keys arrive later (earlier packets decrypted too). `reset`:
   * forget every earlier entry first (decryption restarted, or the page reloaded).
   */
  | { type: 'tlsDecryption'; frames: TlsFrameDecryption[]; reset?: boolean; keyLog?: string };

/** One packet's TLS decryption, by its "No." (1-based). Never carries key material. */
export interface TlsFrameDecryption {
  number: number;
  /** Set when records of the packet were decrypted: what its Info column says now. */
  info?: string;
  /** `HTTP` when the decrypted data starts an HTTP/1.x message, `HTTP2` when it completes HTTP/2 frames. */
  protocol?: string;
  /** The decrypted application data of the packet (its records joined). */
  plaintext?: Uint8Array;
  /** The HTTP/2 frames the packet completed, header blocks decoded. */
  http2?: TlsHttp2Frame[];
  /** Why a record of the packet stayed encrypted (shown on hover). */
  notDecrypted?: string;
}

/** One HTTP/2 frame of a decrypted packet (core/http2/http2Frame.ts); type -1 is the connection preface. */
export interface TlsHttp2Frame {
  type: number;
  streamId: number;
  flags: number;
  length: number;
  headers?: [string, string][];
  headerError?: string;
}

/** What the inspector's context-menu entries ask it to do. */
export type InspectorAction =
  | 'applySelected' | 'applyNotSelected' | 'applyAndSelected' | 'applyOrSelected' | 'applyAndNotSelected' | 'applyOrNotSelected'
  | 'prepareSelected' | 'prepareNotSelected' | 'prepareAndSelected' | 'prepareOrSelected' | 'prepareAndNotSelected' | 'prepareOrNotSelected'
  | 'copySummary' | 'copyHexDump' | 'copyHexStream' | 'copyLegacyText'
  | 'copyFieldValue' | 'copyFieldFilter'
  | 'toggleMark' | 'goToPacket' | 'find'
  | 'hideColumn' | 'showAllColumns'
  | 'timeSinceStart' | 'timeSincePrevious' | 'timeAbsolute' | 'showNames' | 'showAddresses'
  | 'followTcpStream' | 'followUdpStream' | 'followTlsStream' | 'showConversations' | 'showExchanges'
  | 'showServiceMap';

export const INSPECTOR_ACTIONS: readonly InspectorAction[] = [
  'applySelected', 'applyNotSelected', 'applyAndSelected', 'applyOrSelected', 'applyAndNotSelected', 'applyOrNotSelected',
  'prepareSelected', 'prepareNotSelected', 'prepareAndSelected', 'prepareOrSelected', 'prepareAndNotSelected', 'prepareOrNotSelected',
  'copySummary', 'copyHexDump', 'copyHexStream', 'copyLegacyText',
  'copyFieldValue', 'copyFieldFilter',
  'toggleMark', 'goToPacket', 'find',
  'hideColumn', 'showAllColumns',
  'timeSinceStart', 'timeSincePrevious', 'timeAbsolute', 'showNames', 'showAddresses',
  'followTcpStream', 'followUdpStream', 'followTlsStream', 'showConversations', 'showExchanges',
  'showServiceMap',
];

/** Packets one `frameBytesRequest` may name: a screen of rows and the selected one, with room to spare. */
export const MAX_FRAME_BYTES_REQUEST = 512;

export type SaveFormat = 'json' | 'pcap';

export type FromWebviewMessage =
  /** The webview loaded and wants `init` plus everything captured so far. */
  | { type: 'ready' }
  /** Stop the running capture (the tab stays open with its packets). */
  | { type: 'stop' }
  /** Forget the packets shown so far. */
  | { type: 'clear' }
  /** Start the same capture again (same container, direction, filter) in this tab: it has ended. */
  | { type: 'captureAgain' }
  /**
   * Save packets. `packetNumbers` (1-based "No." values) limits the save to the
   * filtered rows; absent means every packet still in memory.
   */
  | { type: 'save'; format: SaveFormat; packetNumbers?: Uint32Array }
  /** Something in the webview failed; the host logs it. */
  | { type: 'error'; message: string }
  /** The `frames` message with this `seq` (and every one before it) is stored. */
  | { type: 'ack'; seq: number }
  /** Put this text on the clipboard (a context-menu Copy entry). */
  | { type: 'copy'; text: string }
  /** The captured bytes of these packets ("No.", at most MAX_FRAME_BYTES_REQUEST), for a `bytesOnDemand` tab. */
  | { type: 'frameBytesRequest'; numbers: Uint32Array }
  /** Save these bytes (Follow Stream's Save Raw); the host asks where. `name` is a suggested file name. */
  | { type: 'saveBytes'; name: string; bytes: Uint8Array };

/** The frame batches of a `frames` message, in order. */
export function frameBatchesOf(message: { batch: Uint8Array | readonly Uint8Array[] }): readonly Uint8Array[] {
  return ArrayBuffer.isView(message.batch) ? [message.batch] : message.batch;
}
