/**
 * Counts the bytes the code under test copies, by wrapping the copy primitives
 * it calls: TypedArray set and slice, Buffer.concat, Buffer#copy and
 * Buffer.from of bytes. Each count goes to the hop named by `during`. Bench only
 * (it patches globals of the process it runs in: run it in a process of its own).
 *
 * Not seen: `new Uint8Array(typedArray)` (a constructor cannot be wrapped; the
 * hops measured do not use it), single-byte and DataView writes (record headers,
 * not packet bytes), and copies inside Node's own code (a socket or file write
 * hands the bytes to the kernel without copying them in JavaScript).
 */

type Copier = (...args: never[]) => unknown;

export class CopyMeter {
  private hop: string | undefined;
  private readonly counts = new Map<string, number>();
  private readonly restores: (() => void)[] = [];

  /** Bytes copied per hop so far. */
  get bytes(): ReadonlyMap<string, number> {
    return this.counts;
  }

  install(): void {
    const typedArray = Object.getPrototypeOf(Uint8Array.prototype) as { set: Copier; slice: Copier };
    this.wrap(typedArray, 'set', (self, args) => byteLengthOf(args[0]) * ((self as Uint8Array).BYTES_PER_ELEMENT ?? 1));
    this.wrap(typedArray, 'slice', (_self, _args, result) => (result as Uint8Array).byteLength);
    this.wrap(Buffer as unknown as { concat: Copier }, 'concat', (_self, _args, result) => (result as Buffer).length);
    this.wrap(Buffer.prototype as unknown as { copy: Copier }, 'copy', (_self, _args, result) => result as number);
    this.wrap(Buffer as unknown as { from: Copier }, 'from', (_self, args) => (ArrayBuffer.isView(args[0]) || Array.isArray(args[0]) ? byteLengthOf(args[0]) : 0));
  }

  uninstall(): void {
    for (const restore of this.restores.splice(0).reverse()) restore();
  }

  /** Runs `fn` with its copies counted under `hop`. */
  during<T>(hop: string, fn: () => T): T {
    const outer = this.hop;
    this.hop = hop;
    try {
      return fn();
    } finally {
      this.hop = outer;
    }
  }

  /** Like `during`, across awaits (nothing else of the pipeline may run meanwhile). */
  async duringAsync<T>(hop: string, fn: () => Promise<T>): Promise<T> {
    const outer = this.hop;
    this.hop = hop;
    try {
      return await fn();
    } finally {
      this.hop = outer;
    }
  }

  /** Adds bytes to a hop by hand (copies made outside JavaScript, e.g. by VS Code's serializer). */
  add(hop: string, bytes: number): void {
    this.counts.set(hop, (this.counts.get(hop) ?? 0) + bytes);
  }

  private wrap<K extends string>(owner: Record<K, Copier>, name: K, bytesOf: (self: unknown, args: unknown[], result: unknown) => number): void {
    const original = owner[name];
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    const meter = this;
    const wrapped = function (this: unknown, ...args: unknown[]): unknown {
      const hop = meter.hop;
      // A copy made inside a counted copy is part of it, not a second one.
      meter.hop = undefined;
      let result: unknown;
      try {
        result = (original as (...a: unknown[]) => unknown).apply(this, args);
      } finally {
        meter.hop = hop;
      }
      if (hop !== undefined) meter.add(hop, bytesOf(this, args, result));
      return result;
    };
    owner[name] = wrapped as Copier;
    this.restores.push(() => (owner[name] = original));
  }
}

function byteLengthOf(value: unknown): number {
  if (ArrayBuffer.isView(value)) return value.byteLength;
  if (Array.isArray(value)) return value.length;
  return 0;
}
