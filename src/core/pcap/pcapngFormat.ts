/**
 * pcapng's numbers, shared by the writer and the reader (the format's
 * specification, draft-ietf-opsawg-pcapng): block types, option codes, and
 * the direction bits of an Enhanced Packet Block's flags.
 */
export const PCAPNG_BYTE_ORDER_MAGIC = 0x1a2b3c4d;

export const PcapngBlock = {
  SECTION_HEADER: 0x0a0d0d0a,
  INTERFACE_DESCRIPTION: 0x00000001,
  SIMPLE_PACKET: 0x00000003,
  ENHANCED_PACKET: 0x00000006,
} as const;

export const PcapngOption = {
  END: 0,
  COMMENT: 1,
  /** SHB: the application that wrote the file. */
  SHB_USER_APPLICATION: 4,
  /** IDB: the interface's name (`web-1/eth0`). */
  IF_NAME: 2,
  IF_DESCRIPTION: 3,
  /** IDB: timestamp resolution; absent = microseconds. */
  IF_TSRESOL: 9,
  /** EPB: 32-bit flags, bits 0-1 the direction. */
  EPB_FLAGS: 2,
} as const;

/** EPB flags bits 0-1: 0 unknown, 1 inbound, 2 outbound. */
export const EPB_DIRECTION_INBOUND = 1;
export const EPB_DIRECTION_OUTBOUND = 2;
