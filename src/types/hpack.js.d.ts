/** The part of hpack.js (no bundled types) that client/tls/hpackDecoder.ts uses. */
declare module 'hpack.js' {
  namespace hpack {
    interface Header {
      name: string;
      value: string;
      neverIndex: boolean;
    }
    interface Decompressor {
      write(chunk: Uint8Array): boolean;
      execute(): void;
      read(): Header | null;
      on(event: 'error', listener: (error: Error) => void): this;
    }
  }
  const hpack: {
    decompressor: { create(options: { table: { maxSize: number } }): hpack.Decompressor };
  };
  export default hpack;
}
