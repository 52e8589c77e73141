/**
 * The selected packet: its layers as a collapsible tree of fields (from the
 * decoder's `dissect`) beside its hexdump. Clicking a layer or a field marks
 * the bytes it came from.
 */
import type { PacketLayer } from '../src/core/packet';
import { el } from './dom';
import { HexdumpView } from './hexdump';

export interface SelectedPacket {
  number: number;
  bytes: Uint8Array;
  layers: PacketLayer[];
}

export class DetailPane {
  readonly element: HTMLElement;
  private readonly tree: HTMLElement;
  private readonly hexdump = new HexdumpView();
  /** Layers the user folded stay folded when the selection moves. */
  private readonly collapsed = new Set<string>();
  private activeItem: HTMLElement | undefined;

  constructor() {
    this.tree = el('div', { class: 'layer-tree', role: 'tree', 'aria-label': 'Packet layers' });
    this.element = el('div', { class: 'detail-pane' }, this.tree, this.hexdump.element);
    this.showEmpty();
  }

  showEmpty(): void {
    this.tree.replaceChildren(el('div', { class: 'detail-empty' }, 'Select a packet to see its layers and bytes.'));
    this.hexdump.show(new Uint8Array(0));
    this.activeItem = undefined;
  }

  show(packet: SelectedPacket): void {
    this.tree.replaceChildren();
    this.activeItem = undefined;
    for (const layer of packet.layers) this.tree.append(this.layerNode(layer));
    this.hexdump.show(packet.bytes);
  }

  private layerNode(layer: PacketLayer): HTMLElement {
    const details = el('details', { class: 'layer', role: 'treeitem' });
    details.open = !this.collapsed.has(layer.name);
    const summary = el('summary', { class: 'layer-name' }, layer.name);
    summary.addEventListener('click', () => this.mark(summary, layer.offset, layer.length));
    details.addEventListener('toggle', () => {
      if (details.open) this.collapsed.delete(layer.name);
      else this.collapsed.add(layer.name);
      details.setAttribute('aria-expanded', String(details.open));
    });
    details.setAttribute('aria-expanded', String(details.open));
    const group = el('div', { class: 'layer-fields', role: 'group' });
    for (const field of layer.fields) {
      const item = el('div', { class: 'field', role: 'treeitem', tabindex: '-1', title: `bytes ${field.offset}-${field.offset + field.length - 1}` },
        el('span', { class: 'field-name' }, `${field.name}: `),
        el('span', { class: 'field-value' }, field.value));
      item.addEventListener('click', () => this.mark(item, field.offset, field.length));
      item.addEventListener('keydown', (e) => {
        if (e.key === 'Enter' || e.key === ' ') this.mark(item, field.offset, field.length);
      });
      group.append(item);
    }
    details.append(summary, group);
    return details;
  }

  private mark(item: HTMLElement, offset: number, length: number): void {
    this.activeItem?.classList.remove('active');
    this.activeItem = item;
    item.classList.add('active');
    this.hexdump.highlight(offset, length);
  }
}
