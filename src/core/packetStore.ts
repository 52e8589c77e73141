/**
 * The inspector's in-memory packets, stored by column: one typed array per
 * field, the frame bytes in a few large chunks, strings interned. A million
 * packets are then a few dozen typed arrays instead of a million objects, so
 * the heap stays small and the display filter scans integers.
 *
 * It is a ring: past `maxPackets` the oldest packet is overwritten, and past
 * `maxBytes` of frame bytes held the oldest packets are dropped until the new
 * one fits (64 KiB frames make a packet count no memory bound). Packet
 * numbers ("No.") keep counting globally, so a row's number never changes.
 * Rows are addressed 0..size-1 from the oldest held; `slot(row)` maps a row to
 * its index in the column arrays, which is what filter predicates receive.
 *
 * The Info text is not stored: it is rebuilt from the frame's bytes when asked
 * (`infoOf`, for the few dozen rows on screen, cached; `columns.info(slot)`, for an
 * `info contains` filter). Building and keeping a million Info strings was most of
 * the cost of listing packets (bench/decodeThroughput.ts: 60 % of append's CPU time,
 * mostly the garbage collector walking the retained strings).
 *
 * With `byteCache` (a file too large to hold, issue 12 goal 9) no packet is dropped:
 * every row's columns stay, but only the newest `byteCache` bytes of frame chunks
 * are kept. A row whose chunk is gone has no bytes until `putBytes` gives them (the
 * host reads them from the file): `frameBytes`/`infoOf` then note its number in
 * `takeWanted()`, and every read of missing bytes is counted (`missingByteReads`) so
 * a feature that scanned packets can say it saw only part of them.
 */
import type { CapturedFrame, PacketSummary } from './packet';
import type { RowColumns } from './decode/index';
import { emptyFrameFields, extractFrameFields, type FrameFields } from './filter/frameFields';
import { FrameBatchCursor } from './frameBatch';

export type Summarizer = (data: Uint8Array, linkType: number, originalLength?: number) => PacketSummary;
/** src, dst and protocol of a frame, as the Summarizer gives them (e.g. decode's `summarizeColumns`). */
export type ColumnSummarizer = (data: Uint8Array, linkType: number, originalLength?: number) => RowColumns;

/** Columns and filter fields of a frame from one decode (decode's `summarizeRow`); must agree with both. */
export type RowSummarizer = (data: Uint8Array, linkType: number, originalLength: number | undefined, fields: FrameFields) => RowColumns;

/** Info text by slot, built on call from the slot's bytes. */
export type InfoColumn = (slot: number) => string;

/** An unsigned integer column: as narrow as its values so far allow, widened (replaced) on the first value that does not fit. */
export type WideningColumn = Uint8Array | Uint16Array | Uint32Array | Float64Array;

/**
 * Column arrays indexed by slot. Each array is replaced (not resized) when the store grows, and a
 * `WideningColumn` also when a value does not fit it: read them from `store.columns` when used.
 */
export interface PacketColumns {
  tsSec: Uint32Array;
  tsUsec: Uint32Array;
  originalLength: WideningColumn;
  capturedLength: WideningColumn;
  linkType: WideningColumn;
  /** 0 in, 1 out. */
  direction: Uint8Array;
  interfaceId: WideningColumn;
  /** Interned `PacketSummary.protocol` (what the Protocol column shows). */
  protocolId: WideningColumn;
  /** `NetworkLayer` from frameFields. */
  network: Uint8Array;
  networkOffset: WideningColumn;
  ipProtocol: Int16Array;
  srcIpv4: Uint32Array;
  dstIpv4: Uint32Array;
  srcPort: Int32Array;
  dstPort: Int32Array;
  payloadOffset: WideningColumn;
  payloadLength: WideningColumn;
  /** Interned display addresses (`PacketSummary.src/dst`). */
  srcId: WideningColumn;
  dstId: WideningColumn;
  chunkIndex: WideningColumn;
  chunkOffset: Uint32Array;
  /** Computed on call, not stored (see the file comment): call it only for rows you need. */
  info: InfoColumn;
  /** Frame byte chunks; a chunk is released once no held packet points into it. */
  chunks: (Uint8Array | undefined)[];
  /** A reader of `chunks` found none for this slot: counted in byte-cache mode (`missingByteReads`). */
  missingBytes: (slot: number) => void;
  /** Intern tables. */
  interfaces: StringTable;
  protocols: StringTable;
  addresses: StringTable;
}

/** Recently interned strings, direct-mapped by length and last character (both O(1) to read). */
const RECENT_SIZE = 64;

/** Strings stored once and referred to by a small integer. */
export class StringTable {
  readonly values: string[] = [];
  private readonly ids = new Map<string, number>();
  /**
   * The store interns three strings per packet from a small set (protocol names, the
   * addresses a capture talks to); comparing with a recent string, often the very same
   * object, is several times cheaper than a Map lookup.
   */
  private readonly recentText = new Array<string>(RECENT_SIZE).fill('');
  private readonly recentId = new Int32Array(RECENT_SIZE).fill(-1);

  intern(value: string): number {
    const length = value.length;
    const k = length === 0 ? 0 : (length * 7 + value.charCodeAt(length - 1)) & (RECENT_SIZE - 1);
    const recent = this.recentId[k] ?? -1;
    if (recent >= 0 && this.recentText[k] === value) return recent;
    let id = this.ids.get(value);
    if (id === undefined) {
      id = this.values.length;
      this.values.push(value);
      this.ids.set(value, id);
    }
    this.recentText[k] = value;
    this.recentId[k] = id;
    return id;
  }

  idOf(value: string): number | undefined {
    return this.ids.get(value);
  }

  get(id: number): string {
    return this.values[id] ?? '';
  }
}

const INITIAL_CAPACITY = 4096;
const CHUNK_BYTES = 4 * 1024 * 1024;
/** Batches at least this big are kept whole by appendBatch instead of copied. */
const ADOPT_MIN_BYTES = 64 * 1024;

export interface PacketStoreOptions {
  maxPackets: number;
  /**
   * Bound on the captured bytes of the packets held (default: none). Memory
   * follows within one chunk: a chunk is freed once none of its packets is held.
   */
  maxBytes?: number;
  /** Gives the Info text (on demand) and, without `summarizeColumns`, the stored columns. */
  summarize: Summarizer;
  /** A cheaper source of src/dst/protocol for `append`; must agree with `summarize`. */
  summarizeColumns?: ColumnSummarizer;
  /**
   * Columns and filter fields in one pass (decode's `summarizeRow`): each packet is
   * then decoded once on its way in. Without it, `summarizeColumns` then
   * `extractFrameFields` read the headers twice.
   */
  summarizeRow?: RowSummarizer;
  /** Keep every row but at most this many bytes of frame chunks (the rest is asked for again). */
  byteCache?: number;
}

/** Bytes received through `putBytes`, kept for this many packets (the rows on screen and the selected one, many times over) and bytes. */
const FETCHED_PACKETS = 4096;
const FETCHED_BYTES = 16 * 1024 * 1024;
/** Missing rows noted for `takeWanted` at most: a screen's worth, with room. */
const WANTED_MAX = 512;

/** Info texts kept for rows recently shown: a direct-mapped cache keyed by packet number. */
const INFO_CACHE_SIZE = 1024;

export class PacketStore {
  readonly maxPackets: number;
  readonly maxBytes: number;
  private readonly summarize: Summarizer;
  private readonly summarizeColumns: ColumnSummarizer;
  private readonly summarizeRow: RowSummarizer;
  private readonly infoColumn: InfoColumn;
  private readonly missingColumn: (slot: number) => void;
  private readonly infoCacheNumber = new Float64Array(INFO_CACHE_SIZE).fill(-1);
  private readonly infoCacheText = new Array<string>(INFO_CACHE_SIZE).fill('');
  private capacity = 0;
  private head = 0;
  private count = 0;
  private dropped = 0;
  private bytes = 0;
  private held = 0;
  private firstTsSec = -1;
  private firstTsUsec = 0;
  private chunkLive: number[] = [];
  private writeChunk = -1;
  private writeOffset = 0;
  private lastInterfaceName = '';
  private lastInterfaceId = -1;
  private readonly fields = emptyFrameFields();
  private readonly byteCache: number;
  /** Chunks holding bytes, oldest first, and their total size (byte-cache mode). */
  private cachedChunks: number[] = [];
  private cachedBytes = 0;
  private readonly fetched = new Map<number, Uint8Array>();
  private fetchedTotal = 0;
  private readonly wanted = new Set<number>();
  private missingReads = 0;
  columns: PacketColumns;
  /**
   * Byte-cache mode: called just before frame bytes leave the cache, so that a reader that
   * must see every packet's bytes once (the stream table's TCP analysis) reads the packets
   * it has not read yet while their bytes are still here.
   */
  beforeBytesLeave: (() => void) | undefined = undefined;

  constructor(options: PacketStoreOptions) {
    if (!Number.isInteger(options.maxPackets) || options.maxPackets < 1) throw new Error(`maxPackets must be a positive integer, got ${options.maxPackets}`);
    this.maxPackets = options.maxPackets;
    this.maxBytes = options.maxBytes ?? Number.POSITIVE_INFINITY;
    if (!(this.maxBytes > 0)) throw new Error(`maxBytes must be positive, got ${options.maxBytes}`);
    this.summarize = options.summarize;
    this.summarizeColumns = options.summarizeColumns ?? options.summarize;
    this.summarizeRow = options.summarizeRow ?? ((data, linkType, originalLength, fields) => {
      extractFrameFields(data, linkType, fields);
      return this.summarizeColumns(data, linkType, originalLength);
    });
    this.infoColumn = (slot) => this.infoOfSlot(slot);
    this.missingColumn = () => {
      if (this.bytesOnDemand) this.missingReads++;
    };
    this.byteCache = options.byteCache ?? Number.POSITIVE_INFINITY;
    if (!(this.byteCache > 0)) throw new Error(`byteCache must be positive, got ${options.byteCache}`);
    this.columns = allocateColumns(0, this.infoColumn, this.missingColumn);
    this.grow(Math.min(INITIAL_CAPACITY, this.maxPackets));
  }

  /** True when frame bytes beyond `byteCache` are dropped and asked for again. */
  get bytesOnDemand(): boolean {
    return Number.isFinite(this.byteCache);
  }

  /** Reads of a packet's bytes that found none (byte-cache mode), since the store was made or cleared. */
  get missingByteReads(): number {
    return this.missingReads;
  }

  /** Whether a row's frame bytes are in memory now. */
  hasBytes(row: number): boolean {
    if (row < 0 || row >= this.count) return false;
    const s = this.slot(row);
    return this.columns.chunks[this.columns.chunkIndex[s] ?? 0] !== undefined || this.fetched.has(this.numberOf(row));
  }

  /** Packet numbers whose bytes were asked for (shown) and missing, oldest first; forgets them. */
  takeWanted(): number[] {
    const out = [...this.wanted];
    this.wanted.clear();
    return out;
  }

  /** Bytes of a packet read again from the file (byte-cache mode); the oldest such are forgotten past FETCHED_PACKETS. */
  putBytes(packetNumber: number, bytes: Uint8Array): void {
    const row = this.rowOf(packetNumber);
    if (row < 0 || bytes.length !== (this.columns.capturedLength[this.slot(row)] ?? -1)) return;
    this.fetchedTotal -= this.fetched.get(packetNumber)?.length ?? 0;
    this.fetched.delete(packetNumber);
    this.fetched.set(packetNumber, bytes);
    this.fetchedTotal += bytes.length;
    while (this.fetched.size > 1 && (this.fetched.size > FETCHED_PACKETS || this.fetchedTotal > FETCHED_BYTES)) {
      const oldest = this.fetched.entries().next();
      if (oldest.done) break;
      this.fetched.delete(oldest.value[0]);
      this.fetchedTotal -= oldest.value[1].length;
    }
  }

  /** Packets held now. */
  get size(): number {
    return this.count;
  }

  /** Captured bytes of the packets held now; at most `maxBytes` unless one packet alone is bigger. */
  get heldBytes(): number {
    return this.held;
  }

  /** Packets dropped from memory because of `maxPackets` or `maxBytes`. */
  get droppedCount(): number {
    return this.dropped;
  }

  /** Every packet ever appended since the last clear, held or dropped. */
  get totalReceived(): number {
    return this.dropped + this.count;
  }

  /** Sum of on-the-wire lengths of every packet appended since the last clear. */
  get totalBytes(): number {
    return this.bytes;
  }

  /** "No." of the oldest packet held (1-based); `firstNumber + size` is the next one. */
  get firstNumber(): number {
    return this.dropped + 1;
  }

  slot(row: number): number {
    const s = this.head + row;
    return s >= this.capacity ? s - this.capacity : s;
  }

  numberOf(row: number): number {
    return this.dropped + 1 + row;
  }

  /** Row of a packet number, or -1 when it was dropped or not received yet. */
  rowOf(packetNumber: number): number {
    const row = packetNumber - this.dropped - 1;
    return row >= 0 && row < this.count ? row : -1;
  }

  /**
   * Counts `count` packets as dropped before any is held, so numbering goes on
   * where another holder (the extension host, which also drops past the limit)
   * left off. Only while the store is empty.
   */
  skipNumbers(count: number): void {
    if (this.count !== 0) throw new Error('skipNumbers needs an empty store');
    this.dropped += Math.max(0, Math.floor(count));
  }

  append(frame: CapturedFrame): void {
    // Frames come in runs from one interface: skip the intern table's lookup within a run.
    let interfaceId = this.lastInterfaceId;
    if (interfaceId < 0 || frame.interfaceName !== this.lastInterfaceName) {
      interfaceId = this.columns.interfaces.intern(frame.interfaceName);
      this.lastInterfaceName = frame.interfaceName;
      this.lastInterfaceId = interfaceId;
    }
    this.appendRow(frame.tsSec, frame.tsUsec, frame.originalLength, frame.linkType, frame.direction === 'out' ? 1 : 0, interfaceId, frame.data, -1, 0);
  }

  /**
   * Appends every frame of a batch (frameBatch encoding), as `append` would one by one.
   * A large batch is kept as it is and its frames' bytes are read in place, not copied:
   * the store then owns `batch`, which the caller must not modify afterwards. Throws
   * like forEachFrame on a batch cut short (the frames before it stay appended).
   */
  appendBatch(batch: Uint8Array): void {
    // Adopt only batches that are big and most of their buffer: a small batch per chunk
    // would bring back an object per packet, a view would keep a larger buffer alive.
    const adopt = batch.length >= ADOPT_MIN_BYTES && batch.byteLength * 2 >= batch.buffer.byteLength;
    let chunk = -1;
    if (adopt) {
      chunk = this.columns.chunks.length;
      this.columns.chunks.push(batch);
      // Pinned while frames are added, so wrapping within this batch cannot release it.
      this.chunkLive.push(1);
    }
    const cursor = new FrameBatchCursor(batch);
    let nameVersion = -1;
    let interfaceId = 0;
    try {
      while (cursor.next()) {
        if (cursor.nameVersion !== nameVersion) {
          nameVersion = cursor.nameVersion;
          interfaceId = this.columns.interfaces.intern(cursor.interfaceName);
        }
        this.appendRow(cursor.tsSec, cursor.tsUsec, cursor.originalLength, cursor.linkType, cursor.out, interfaceId, cursor.data(), chunk, cursor.dataOffset);
      }
    } finally {
      if (chunk >= 0) {
        this.cacheChunk(chunk);
        this.releaseChunk(chunk);
      }
    }
    this.trimByteCache();
  }

  /** Counts a chunk into the byte cache (byte-cache mode). */
  private cacheChunk(index: number): void {
    if (!this.bytesOnDemand) return;
    this.cachedChunks.push(index);
    this.cachedBytes += this.columns.chunks[index]?.length ?? 0;
  }

  /** Drops the oldest chunks' bytes past the byte cache: their rows stay, their bytes are asked for again. */
  private trimByteCache(): void {
    if (!this.overByteCache()) return;
    this.beforeBytesLeave?.();
    // Oldest first, the newest always kept (the rows just listed are the ones on screen while a file loads).
    while (this.overByteCache()) {
      const index = this.cachedChunks.shift() ?? -1;
      this.cachedBytes -= this.columns.chunks[index]?.length ?? 0;
      this.columns.chunks[index] = undefined;
      // A chunk small batches were being copied into goes too: the next one starts a new chunk.
      if (index === this.writeChunk) {
        this.writeChunk = -1;
        this.writeOffset = 0;
      }
    }
  }

  /** More bytes cached than the cache holds, and a chunk to let go (never the newest). */
  private overByteCache(): boolean {
    return this.cachedBytes > this.byteCache && this.cachedChunks.length > 1;
  }

  /** Stores one packet; `chunk` >= 0: its bytes already lie in that chunk at `chunkOffset`. */
  private appendRow(tsSec: number, tsUsec: number, originalLength: number, linkType: number, out: number, interfaceId: number, data: Uint8Array, chunk: number, chunkOffset: number): void {
    while (this.count > 0 && this.held + data.length > this.maxBytes) this.dropOldest();
    let slot: number;
    if (this.count < this.capacity) {
      slot = this.slot(this.count);
      this.count++;
    } else if (this.capacity < this.maxPackets) {
      this.grow(Math.min(nextCapacity(this.capacity), this.maxPackets));
      slot = this.count;
      this.count++;
    } else {
      // Full: overwrite the oldest packet.
      slot = this.head;
      this.held -= this.columns.capturedLength[slot] ?? 0;
      this.releaseSlotBytes(slot);
      this.head = this.head + 1 === this.capacity ? 0 : this.head + 1;
      this.dropped++;
    }
    if (this.firstTsSec < 0) {
      this.firstTsSec = tsSec;
      this.firstTsUsec = tsUsec;
    }
    const cols = this.columns;
    const f = this.fields;
    const summary = this.summarizeRow(data, linkType, originalLength, f);
    // Narrow columns are written, read back, and widened when the value did not fit (see WIDENING).
    const protocolId = cols.protocols.intern(summary.protocol);
    const srcId = cols.addresses.intern(summary.src);
    const dstId = cols.addresses.intern(summary.dst);
    const capturedLength = data.length;
    cols.protocolId[slot] = protocolId;
    if (cols.protocolId[slot] !== protocolId) this.widen('protocolId', slot, protocolId);
    cols.srcId[slot] = srcId;
    if (cols.srcId[slot] !== srcId) this.widen('srcId', slot, srcId);
    cols.dstId[slot] = dstId;
    if (cols.dstId[slot] !== dstId) this.widen('dstId', slot, dstId);
    cols.tsSec[slot] = tsSec;
    cols.tsUsec[slot] = tsUsec;
    cols.originalLength[slot] = originalLength;
    if (cols.originalLength[slot] !== originalLength) this.widen('originalLength', slot, originalLength);
    cols.capturedLength[slot] = capturedLength;
    if (cols.capturedLength[slot] !== capturedLength) this.widen('capturedLength', slot, capturedLength);
    cols.linkType[slot] = linkType;
    if (cols.linkType[slot] !== linkType) this.widen('linkType', slot, linkType);
    cols.direction[slot] = out;
    cols.interfaceId[slot] = interfaceId;
    if (cols.interfaceId[slot] !== interfaceId) this.widen('interfaceId', slot, interfaceId);
    cols.network[slot] = f.network;
    const networkOffset = f.networkOffset;
    cols.networkOffset[slot] = networkOffset;
    if (cols.networkOffset[slot] !== networkOffset) this.widen('networkOffset', slot, networkOffset);
    cols.ipProtocol[slot] = f.ipProtocol;
    cols.srcIpv4[slot] = f.srcIpv4;
    cols.dstIpv4[slot] = f.dstIpv4;
    cols.srcPort[slot] = f.srcPort;
    cols.dstPort[slot] = f.dstPort;
    const payloadOffset = f.payloadOffset;
    const payloadLength = f.payloadLength;
    cols.payloadOffset[slot] = payloadOffset;
    if (cols.payloadOffset[slot] !== payloadOffset) this.widen('payloadOffset', slot, payloadOffset);
    cols.payloadLength[slot] = payloadLength;
    if (cols.payloadLength[slot] !== payloadLength) this.widen('payloadLength', slot, payloadLength);
    if (chunk >= 0) {
      cols.chunkIndex[slot] = chunk;
      if (cols.chunkIndex[slot] !== chunk) this.widen('chunkIndex', slot, chunk);
      cols.chunkOffset[slot] = chunkOffset;
      this.chunkLive[chunk] = (this.chunkLive[chunk] ?? 0) + 1;
    } else {
      this.storeBytes(slot, data);
    }
    this.bytes += originalLength;
    this.held += capturedLength;
  }

  /**
   * Replaces a narrow column by the next wider type until `value` fits, keeping every row, then
   * stores it. Rare (a column widens at most three times per store), so a copy is fine.
   */
  private widen(key: WideningKey, slot: number, value: number): void {
    const c = this.columns;
    let column = c[key];
    // Float64 holds every number (NaN never compares equal: stop there).
    while (column[slot] !== value && !(column instanceof Float64Array)) {
      const Wider = widerThan(column);
      const next = new Wider(this.capacity);
      next.set(column);
      releaseNow(column.buffer);
      column = next;
      column[slot] = value;
    }
    c[key] = column;
  }

  /** Forgets the oldest packet held (the byte budget needs room). */
  private dropOldest(): void {
    const slot = this.head;
    this.held -= this.columns.capturedLength[slot] ?? 0;
    this.releaseSlotBytes(slot);
    this.head = this.head + 1 === this.capacity ? 0 : this.head + 1;
    this.count--;
    this.dropped++;
  }

  /** The Info column of a row, built from its bytes (cached for rows asked for recently); empty while its bytes are missing. */
  infoOf(row: number): string {
    if (row < 0 || row >= this.count) return '';
    const number = this.numberOf(row);
    const k = number & (INFO_CACHE_SIZE - 1);
    if (this.infoCacheNumber[k] === number) return this.infoCacheText[k] ?? '';
    if (this.bytesOnDemand && !this.hasBytes(row)) {
      this.want(number);
      return '';
    }
    const text = this.infoOfSlot(this.slot(row));
    this.infoCacheNumber[k] = number;
    this.infoCacheText[k] = text;
    return text;
  }

  private infoOfSlot(slot: number): string {
    const c = this.columns;
    if (!(slot >= 0 && slot < this.capacity)) return '';
    return this.summarize(this.slotBytes(slot), c.linkType[slot] ?? 0, c.originalLength[slot]).info;
  }

  /** The captured bytes of a row (a view into the store: copy to keep); empty, and wanted, while missing. */
  frameBytes(row: number): Uint8Array {
    if (this.bytesOnDemand && row >= 0 && row < this.count && !this.hasBytes(row)) {
      // Shown, not scanned: asked for, not counted as a miss.
      this.want(this.numberOf(row));
      return new Uint8Array(0);
    }
    return this.slotBytes(this.slot(row));
  }

  slotBytes(slot: number): Uint8Array {
    const c = this.columns;
    const chunk = c.chunks[c.chunkIndex[slot] ?? 0];
    if (!chunk) return this.fetchedBytes(slot);
    const start = c.chunkOffset[slot] ?? 0;
    return chunk.subarray(start, start + (c.capturedLength[slot] ?? 0));
  }

  /** A slot whose chunk is gone: the bytes the host sent again, else none (counted). */
  private fetchedBytes(slot: number): Uint8Array {
    if (this.bytesOnDemand) {
      const row = slot >= this.head ? slot - this.head : slot + this.capacity - this.head;
      const bytes = this.fetched.get(this.numberOf(row));
      if (bytes) return bytes;
      this.missingReads++;
    }
    return new Uint8Array(0);
  }

  private want(packetNumber: number): void {
    if (this.wanted.size < WANTED_MAX) this.wanted.add(packetNumber);
  }

  /** Seconds since the first packet appended (since the last clear), microsecond precision. */
  relativeTime(row: number): number {
    const s = this.slot(row);
    const c = this.columns;
    return ((c.tsSec[s] ?? 0) - this.firstTsSec) + ((c.tsUsec[s] ?? 0) - this.firstTsUsec) / 1e6;
  }

  clear(): void {
    this.count = 0;
    this.head = 0;
    this.dropped = 0;
    this.bytes = 0;
    this.held = 0;
    this.firstTsSec = -1;
    this.firstTsUsec = 0;
    this.chunkLive = [];
    this.writeChunk = -1;
    this.writeOffset = 0;
    this.infoCacheNumber.fill(-1);
    this.lastInterfaceId = -1;
    this.cachedChunks = [];
    this.cachedBytes = 0;
    this.fetched.clear();
    this.fetchedTotal = 0;
    this.wanted.clear();
    this.missingReads = 0;
    this.columns = allocateColumns(0, this.infoColumn, this.missingColumn);
    this.capacity = 0;
    this.grow(Math.min(INITIAL_CAPACITY, this.maxPackets));
  }

  /**
   * One column at a time, each old array let go as soon as it is copied: at 10 M packets
   * the columns are ~500 MB, and a second full set during the copy would pass 1 GB.
   */
  private grow(newCapacity: number): void {
    const c = this.columns as unknown as Record<TypedKey, Uint32Array>;
    // Copy in row order so the ring starts at slot 0 again.
    const firstPart = Math.min(this.count, this.capacity - this.head);
    for (const key of TYPED_KEYS) {
      const from = c[key];
      const to = new (from.constructor as Uint32ArrayConstructor)(newCapacity);
      to.set(from.subarray(this.head, this.head + firstPart), 0);
      if (firstPart < this.count) to.set(from.subarray(0, this.count - firstPart), firstPart);
      c[key] = to;
      releaseNow(from.buffer);
    }
    this.head = 0;
    this.capacity = newCapacity;
  }

  private storeBytes(slot: number, data: Uint8Array): void {
    const c = this.columns;
    const current = this.writeChunk >= 0 ? c.chunks[this.writeChunk] : undefined;
    let startedAnother = false;
    if (!current || this.writeOffset + data.length > current.length) {
      startedAnother = this.writeChunk >= 0;
      this.writeChunk = c.chunks.length;
      c.chunks.push(new Uint8Array(Math.max(CHUNK_BYTES, data.length)));
      this.chunkLive.push(0);
      this.writeOffset = 0;
      this.cacheChunk(this.writeChunk);
    }
    const chunk = c.chunks[this.writeChunk] as Uint8Array;
    chunk.set(data, this.writeOffset);
    c.chunkIndex[slot] = this.writeChunk;
    if (c.chunkIndex[slot] !== this.writeChunk) this.widen('chunkIndex', slot, this.writeChunk);
    c.chunkOffset[slot] = this.writeOffset;
    this.chunkLive[this.writeChunk] = (this.chunkLive[this.writeChunk] ?? 0) + 1;
    this.writeOffset += data.length;
    // After this packet is stored (its bytes are in the newest chunk, which stays): whoever
    // beforeBytesLeave calls may read every packet held, this one included.
    if (startedAnother) this.trimByteCache();
  }

  private releaseSlotBytes(slot: number): void {
    this.releaseChunk(this.columns.chunkIndex[slot] ?? 0);
  }

  private releaseChunk(index: number): void {
    const live = (this.chunkLive[index] ?? 1) - 1;
    this.chunkLive[index] = live;
    // The chunk being written stays: new frames are about to go into it.
    if (live === 0 && index !== this.writeChunk) this.columns.chunks[index] = undefined;
  }
}

/** Old columns of at least this size are given back at once when the runtime can (below it, GC's pace is fine). */
const RELEASE_NOW_BYTES = 1024 * 1024;

/**
 * Frees a replaced column's memory now, not at the next garbage collection: a
 * growth at 8 M rows replaces ~550 MB of columns, and while the old arrays waited
 * for the collector the page held old and new together (the renderer passed 1.2 GB
 * on a 10 M-packet file). `transfer(0)` detaches the buffer, which releases its
 * memory; where it does not exist (Node 20, older browsers) the collector does it.
 * Safe because every reader goes through `store.columns`, never a kept array.
 */
function releaseNow(buffer: ArrayBufferLike): void {
  const transfer = (buffer as { transfer?: (length: number) => ArrayBuffer }).transfer;
  if (typeof transfer === 'function' && buffer.byteLength >= RELEASE_NOW_BYTES) transfer.call(buffer, 0);
}

/**
 * Double up to a million rows, then by half, then past four million by a quarter: the columns
 * took ~70 bytes a row (~50 since narrow columns), and 10 M packets would otherwise sit in 16.7 M rows (1.17 GB at 70) where
 * 10.4 M rows (0.73 GB) do. Each growth copies the rows once; by a quarter that is ~4 copies in all.
 */
function nextCapacity(capacity: number): number {
  if (capacity < 1 << 20) return capacity * 2;
  return Math.ceil(capacity * (capacity < 1 << 22 ? 1.5 : 1.25));
}

type TypedKey = Exclude<keyof PacketColumns, 'info' | 'chunks' | 'interfaces' | 'protocols' | 'addresses'>;
const TYPED_KEYS: TypedKey[] = [
  'tsSec', 'tsUsec', 'originalLength', 'capturedLength', 'linkType', 'direction', 'interfaceId', 'protocolId', 'network', 'networkOffset',
  'ipProtocol', 'srcIpv4', 'dstIpv4', 'srcPort', 'dstPort', 'payloadOffset', 'payloadLength', 'srcId', 'dstId', 'chunkIndex',
  'chunkOffset',
];

/**
 * Columns that start narrow (8 or 16 bits: link types, interned ids, offsets and lengths of ordinary
 * frames) and widen on the first value that does not fit: 50 bytes a row instead of 67, ~175 MB less
 * at 10 M packets, while a 256 KiB frame, the 65,537th address or a 32-bit length still store exactly.
 */
type WideningKey = 'originalLength' | 'capturedLength' | 'linkType' | 'interfaceId' | 'protocolId' | 'networkOffset' | 'payloadOffset' | 'payloadLength' | 'srcId' | 'dstId' | 'chunkIndex';

/** Float64 last: it holds any value the store is given (a negative or fractional one included), so widening ends. */
function widerThan(column: WideningColumn): Uint16ArrayConstructor | Uint32ArrayConstructor | Float64ArrayConstructor {
  if (column instanceof Uint8Array) return Uint16Array;
  if (column instanceof Uint16Array) return Uint32Array;
  return Float64Array;
}

function allocateColumns(capacity: number, info: InfoColumn, missingBytes: (slot: number) => void): PacketColumns {
  return {
    tsSec: new Uint32Array(capacity),
    tsUsec: new Uint32Array(capacity),
    originalLength: new Uint16Array(capacity),
    capturedLength: new Uint16Array(capacity),
    linkType: new Uint8Array(capacity),
    direction: new Uint8Array(capacity),
    interfaceId: new Uint8Array(capacity),
    protocolId: new Uint8Array(capacity),
    network: new Uint8Array(capacity),
    networkOffset: new Uint8Array(capacity),
    ipProtocol: new Int16Array(capacity),
    srcIpv4: new Uint32Array(capacity),
    dstIpv4: new Uint32Array(capacity),
    srcPort: new Int32Array(capacity),
    dstPort: new Int32Array(capacity),
    payloadOffset: new Uint16Array(capacity),
    payloadLength: new Uint16Array(capacity),
    srcId: new Uint16Array(capacity),
    dstId: new Uint16Array(capacity),
    chunkIndex: new Uint16Array(capacity),
    chunkOffset: new Uint32Array(capacity),
    info,
    chunks: [],
    missingBytes,
    interfaces: new StringTable(),
    protocols: new StringTable(),
    addresses: new StringTable(),
  };
}
