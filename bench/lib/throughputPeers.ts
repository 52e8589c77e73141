/** Names of bench 1's like-with-like lines, shared by the bench and its report. */
export const PEERS = {
  tcpdump: 'tcpdump -nn -r FILE > /dev/null',
  tcpdumpAbsolute: 'tcpdump -nn -S -r FILE > /dev/null',
  tshark: 'tshark -r FILE > /dev/null',
} as const;
export const DECODE_SUMMARY = 'engine: read + decode + summary line (src, dst, protocol, Info)';

