/**
 * The selected packet: its layers as a collapsible tree of fields (from the
 * decoder's `dissect`) beside its hexdump. Clicking a layer or a field marks
 * the bytes it came from.
 */
import { fieldFilter } from '../src/core/filter/filterFromSelection';
import type { PacketField, PacketLayer } from '../src/core/packet';
import { el } from './dom';
import { HexdumpView } from './hexdump';
import { makeSplitter } from './splitter';
import { setSectionContext, setVsCodeContext } from './vscodeContext';

/** A field of the tree with its layer, and the filter that selects its value (if the language has one). */
export interface TreeField {
  layer: PacketLayer;
  field: PacketField;
  filter: string | undefined;
}

/** The frame layer built by the inspector is named "Frame N: ..."; fieldFilter knows it as "Frame". */
function layerKey(layer: PacketLayer): string {
  return layer.name.startsWith('Frame ') ? 'Frame' : layer.name;
}

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
  private packet: SelectedPacket | undefined;

  constructor() {
    this.tree = el('div', { class: 'layer-tree', role: 'tree', 'aria-label': 'Packet layers' });
    setSectionContext(this.tree, 'packetTree');
    const splitter = el('div', { class: 'detail-splitter', id: 'detail-splitter', 'aria-label': 'Resize the layer tree' });
    makeSplitter(splitter, this.tree, () => undefined);
    this.element = el('div', { class: 'detail-pane' }, this.tree, splitter, this.hexdump.element);
    this.tree.addEventListener('keydown', (e) => this.onTreeKey(e));
    this.hexdump.onByteClick = (offset) => this.selectFieldAt(offset);
    this.showEmpty();
  }

  showEmpty(): void {
    this.tree.replaceChildren(el('div', { class: 'detail-empty' }, 'Select a packet to see its layers and bytes.'));
    this.hexdump.show(new Uint8Array(0));
    this.activeItem = undefined;
    this.packet = undefined;
  }

  /** A field by the id its tree item carries in its context ("layer.field" indexes). */
  fieldById(id: string): TreeField | undefined {
    const [l, f] = id.split('.').map(Number);
    const layer = this.packet?.layers[l ?? -1];
    const field = layer?.fields[f ?? -1];
    return layer && field ? { layer, field, filter: fieldFilter(layerKey(layer), field.name, field.value) } : undefined;
  }

  /** The field last clicked in the tree, if any. */
  activeField(): TreeField | undefined {
    const id = this.activeItem?.dataset.field;
    return id ? this.fieldById(id) : undefined;
  }

  /** True when the keyboard focus is in the layer tree. */
  hasFocus(): boolean {
    return this.tree.contains(document.activeElement);
  }

  show(packet: SelectedPacket): void {
    this.tree.replaceChildren();
    this.activeItem = undefined;
    this.packet = packet;
    packet.layers.forEach((layer, index) => this.tree.append(this.layerNode(layer, index, packet.number)));
    this.hexdump.show(packet.bytes);
  }

  private layerNode(layer: PacketLayer, layerIndex: number, packetNumber: number): HTMLElement {
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
    layer.fields.forEach((field, fieldIndex) => {
      // Metadata (time, interface...) comes from no byte of the frame: no byte range to show.
      const attributes: Record<string, string> = { class: 'field', role: 'treeitem', tabindex: '-1' };
      if (field.length > 0) attributes.title = field.length === 1 ? `byte ${field.offset}` : `bytes ${field.offset}-${field.offset + field.length - 1}`;
      const item = el('div', attributes,
        el('span', { class: 'field-name' }, `${field.name}: `),
        el('span', { class: 'field-value' }, field.value));
      const id = `${layerIndex}.${fieldIndex}`;
      item.dataset.field = id;
      setVsCodeContext(item, { webviewSection: 'packetField', packet: packetNumber, field: id, filterable: fieldFilter(layerKey(layer), field.name, field.value) !== undefined });
      // Any button: a right-click selects the field its menu is about, as in Wireshark.
      item.addEventListener('mousedown', () => this.mark(item, field.offset, field.length));
      item.addEventListener('click', () => this.mark(item, field.offset, field.length));
      item.addEventListener('keydown', (e) => {
        if (e.key === 'Enter' || e.key === ' ') this.mark(item, field.offset, field.length);
      });
      group.append(item);
    });
    details.append(summary, group);
    return details;
  }

  /**
   * A click on a byte of the hexdump selects the narrowest field made of that
   * byte (as Wireshark does), unfolding its layer.
   */
  private selectFieldAt(offset: number): void {
    let best: HTMLElement | undefined;
    let bestLength = Infinity;
    this.tree.querySelectorAll<HTMLElement>('.field').forEach((item) => {
      const field = this.fieldById(item.dataset.field ?? '')?.field;
      if (field && field.length > 0 && offset >= field.offset && offset < field.offset + field.length && field.length < bestLength) {
        best = item;
        bestLength = field.length;
      }
    });
    const found = best && this.fieldById(best.dataset.field ?? '')?.field;
    if (!best || !found) return;
    const layer = best.closest('details');
    if (layer) layer.open = true;
    this.mark(best, found.offset, found.length);
    best.scrollIntoView({ block: 'nearest' });
  }

  /** Up/Down through the visible items, Left/Right fold and unfold a layer, Home/End. */
  private onTreeKey(e: KeyboardEvent): void {
    const items = [...this.tree.querySelectorAll<HTMLElement>('.layer > summary, .layer[open] .field')];
    const current = items.findIndex((i) => i === document.activeElement);
    const layer = (document.activeElement as HTMLElement | null)?.closest('details');
    const go = (index: number): void => {
      const item = items[Math.max(0, Math.min(items.length - 1, index))];
      if (!item) return;
      const field = this.fieldById(item.dataset.field ?? '')?.field;
      const ownLayer = item.closest('details');
      const layerIndex = ownLayer ? [...this.tree.children].indexOf(ownLayer) : -1;
      const range = field ?? this.packet?.layers[layerIndex];
      this.mark(item, range?.offset ?? 0, range?.length ?? 0);
      item.scrollIntoView({ block: 'nearest' });
    };
    switch (e.key) {
      case 'ArrowDown': go(current + 1); break;
      case 'ArrowUp': go(current - 1); break;
      case 'Home': go(0); break;
      case 'End': go(items.length - 1); break;
      case 'ArrowRight':
        if (layer && !layer.open) layer.open = true;
        else go(current + 1);
        break;
      case 'ArrowLeft':
        if (layer && document.activeElement?.tagName === 'SUMMARY') layer.open = false;
        else if (layer) go(items.indexOf(layer.querySelector('summary') as HTMLElement));
        break;
      default:
        return;
    }
    e.preventDefault();
  }

  private mark(item: HTMLElement, offset: number, length: number): void {
    this.activeItem?.classList.remove('active');
    this.activeItem = item;
    item.classList.add('active');
    item.focus({ preventScroll: true });
    this.hexdump.highlight(offset, length);
  }
}
