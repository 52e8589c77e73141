/**
 * The first regular file of a tar archive: what Docker's archive endpoint
 * (GET /containers/{id}/archive?path=FILE) returns for one file. ustar and GNU headers;
 * pax extended headers are skipped.
 */

const BLOCK = 512;

function octal(header: Uint8Array, offset: number, length: number): number {
  const text = Buffer.from(header.subarray(offset, offset + length)).toString('latin1').replace(/\0.*$/s, '').trim();
  return /^[0-7]+$/.test(text) ? parseInt(text, 8) : NaN;
}

/** The contents of the first regular file, or undefined when there is none (or the archive is cut). */
export function firstFileInTar(archive: Uint8Array): Uint8Array | undefined {
  let o = 0;
  while (o + BLOCK <= archive.length) {
    const header = archive.subarray(o, o + BLOCK);
    if (header.every((b) => b === 0)) return undefined; // end of archive
    const size = octal(header, 124, 12);
    if (Number.isNaN(size)) return undefined;
    const type = String.fromCharCode(header[156] ?? 0);
    const dataStart = o + BLOCK;
    if (type === '0' || type === '\0') {
      return dataStart + size <= archive.length ? archive.subarray(dataStart, dataStart + size) : undefined;
    }
    o = dataStart + Math.ceil(size / BLOCK) * BLOCK;
  }
  return undefined;
}
