/** The inspector's hexdump rows: offset, 16 upper-case hex bytes, ASCII, aligned. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fromHex, toHex } from '../../src/core/hex';
import { hexdumpLines, hexdumpRow } from '../../src/core/hexdump';

describe('hexdumpLines', () => {
  it('offset, hex and ASCII; a short last row keeps the ASCII column aligned', () => {
    const bytes = new TextEncoder().encode('GET / HTTP/1.1\r\nHost: x\r\n');
    assert.deepEqual(hexdumpLines(bytes), [
      '0000  47 45 54 20 2F 20 48 54 54 50 2F 31 2E 31 0D 0A  GET / HTTP/1.1..',
      '0010  48 6F 73 74 3A 20 78 0D 0A                       Host: x..',
    ]);
  });

  it('without the offset column; offsets widen past 0xffff', () => {
    assert.deepEqual(hexdumpLines(fromHex('00ff7f20'), { offsetColumn: false }), ['00 FF 7F 20                                      ... ']);
    const big = hexdumpLines(new Uint8Array(0x10010));
    assert.equal(big.at(-1)!.slice(0, 7), '10000  ');
    assert.deepEqual(hexdumpLines(new Uint8Array(0)), []);
  });

  it('hexdumpRow gives the padded hex and the unpadded ASCII of one row', () => {
    assert.deepEqual(hexdumpRow(fromHex('41 42'), 0), { hex: '41 42' + ' '.repeat(42), ascii: 'AB' });
  });

  it('toHex/fromHex round trip', () => {
    assert.equal(toHex(fromHex('00 01 ab FF')), '0001abff');
    assert.equal(toHex(fromHex('0001abff'), 1, 3), '01ab');
  });
});
