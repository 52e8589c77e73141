/**
 * Building blocks of `dissect()` output. Decoders take `layers: PacketLayer[] | undefined`
 * and create fields only when it is defined, so `summarize()` (layers undefined) pays
 * for no field objects or value strings.
 */
import type { PacketLayer } from '../packet';

export type Layers = PacketLayer[] | undefined;

export function pushLayer(layers: PacketLayer[], name: string, offset: number, length: number): PacketLayer {
  const layer: PacketLayer = { name, offset, length: Math.max(0, length), fields: [] };
  layers.push(layer);
  return layer;
}

export function field(layer: PacketLayer, name: string, value: string, offset: number, length: number): void {
  layer.fields.push({ name, value, offset, length: Math.max(0, length) });
}
