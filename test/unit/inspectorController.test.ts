/**
 * The inspector's message/state controller without a browser: the host's
 * messages (init, frames, hostnames, cleared, actions) and the user's filter
 * and Save change what the list would show and what goes back to the host.
 * The renderers are stand-ins that record what they were told; the packets
 * are real frames in the real batch encoding, stored by the real packet store.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FrameBatchWriter } from '../../src/core/frameBatch';
import type { FromWebviewMessage, ToWebviewMessage } from '../../src/protocol/webviewMessages';
import { InspectorController } from '../../webview/inspectorController';
import { InspectorState } from '../../webview/inspectorState';
import type { InspectorViews } from '../../webview/inspectorViews';
import type { PacketDetail } from '../../webview/packetDetail';
import { ipv4Frame } from './filterTestFrames';

const INSTANCE = 'inspector-under-test';

/** Packets alternate between web (172.17.0.2) talking to db (172.17.0.3) and to 172.17.0.9. */
function framesMessage(from: number, count: number, seq?: number): ToWebviewMessage {
  const w = new FrameBatchWriter();
  for (let i = from; i < from + count; i++) {
    w.add({ ...ipv4Frame({ src: '172.17.0.2', dst: i % 2 === 0 ? '172.17.0.3' : '172.17.0.9', transport: 'udp', srcPort: 40000 + i, dstPort: 53, tsSec: 1_700_000_000 + i }), interfaceName: 'eth0', direction: 'out' });
  }
  return { type: 'frames', batch: w.take(), ...(seq !== undefined ? { seq } : {}) };
}

function init(overrides: Partial<Extract<ToWebviewMessage, { type: 'init' }>> = {}): ToWebviewMessage {
  return { type: 'init', title: 'web', live: true, container: { id: 'c1', name: 'web' }, hostnames: {}, maxPackets: 1000, status: { state: 'capturing' }, ...overrides };
}

function inspector() {
  const posted: FromWebviewMessage[] = [];
  const notices: string[] = [];
  const filterErrors: { message: string | undefined; applied: string | undefined }[] = [];
  const remembered: string[] = [];
  const actions: Extract<ToWebviewMessage, { type: 'contextAction' }>[] = [];
  const selections: number[] = [];
  const detail: { shown: PacketDetail | undefined } = { shown: undefined };
  let saveChoice: ((onlyShown: boolean) => void) | undefined;
  let streamResets = 0;
  let streamKeepUps = 0;
  const list = {
    selectedNumber: 0,
    following: true,
    invalidate: () => undefined,
    select(n: number, _reveal: boolean) {
      list.selectedNumber = n;
      selections.push(n);
    },
    setFollow(follow: boolean) {
      list.following = follow;
    },
    scrollToNumber: () => undefined,
    focus: () => undefined,
    setSortIndicator: () => undefined,
    setHeaderContext: () => undefined,
  };
  const views: InspectorViews = {
    list,
    detail: {
      show: (p) => (detail.shown = p),
      showEmpty: () => (detail.shown = undefined),
    },
    toolbar: {
      showNotice: (m) => notices.push(m),
      showFilterError: (message, applied) => filterErrors.push({ message, applied }),
      askWhatToSave: (_format, _all, _shown, choose) => (saveChoice = choose),
      assist: { remember: (text) => remembered.push(text) },
    },
    streams: {
      fieldSource: { tcpStream: () => -1, udpStream: () => -1, isRetransmission: () => false },
      reset: () => void streamResets++,
      keepUp: () => void streamKeepUps++,
    },
    post: (m) => posted.push(m),
    runAction: (m) => actions.push(m),
    scheduleRender: () => undefined,
    saveState: () => undefined,
  };
  const state = new InspectorState();
  const controller = new InspectorController(state, views, INSTANCE);
  return { state, controller, list, posted, notices, filterErrors, remembered, actions, selections, detail, saveChoice: () => saveChoice, streamResets: () => streamResets, streamKeepUps: () => streamKeepUps };
}

test('frames after init: numbered after what the host dropped, each batch acknowledged once stored, the stream table told', () => {
  const { state, controller, posted, streamKeepUps } = inspector();
  controller.handle(init({ status: { state: 'capturing', droppedFromMemory: 100 } }));
  controller.handle(framesMessage(0, 5, 7));
  controller.handle(framesMessage(5, 3));
  assert.equal(state.store.size, 8);
  assert.equal(state.store.firstNumber, 101, '"No." continues the host\'s numbering');
  assert.equal(state.sorted.numberAt(7), 108);
  assert.deepEqual(posted.filter((m) => m.type === 'ack'), [{ type: 'ack', seq: 7 }], 'only the batch with a seq is acknowledged');
  assert.equal(streamKeepUps(), 2, 'each batch stored asks the stream table to read it in idle time');
});

test('a selection saved before a reload comes back when the host has re-sent that packet', () => {
  const { state, controller, list, detail } = inspector();
  state.pendingSelect = 6;
  controller.handle(init());
  controller.handle(framesMessage(0, 3));
  assert.equal(list.selectedNumber, 0, 'packet 6 not there yet');
  controller.handle(framesMessage(3, 5));
  assert.equal(list.selectedNumber, 6);
  assert.equal(state.pendingSelect, 0);
  controller.showDetail(6);
  assert.match(detail.shown?.layers[0]?.name ?? '', /^Frame 6: /);
  assert.ok(detail.shown?.layers.some((l) => /User Datagram Protocol|UDP/.test(l.name)), 'dissected layers follow the frame layer');
});

test('a filter naming a container is an error until the host names it, then applies by itself', () => {
  const { state, controller, filterErrors, remembered } = inspector();
  controller.handle(init());
  controller.handle(framesMessage(0, 10));
  controller.applyFilter('ip.dst == db', true);
  assert.match(filterErrors.at(-1)?.message ?? '', /neither an IP address nor a known container name/);
  assert.equal(state.rows.length, 10, 'an invalid filter hides nothing');
  assert.deepEqual(remembered, [], 'an invalid filter is not remembered');
  controller.handle({ type: 'hostnames', hostnames: { '172.17.0.3': 'db' } });
  assert.equal(filterErrors.at(-1)?.message, undefined);
  assert.equal(state.rows.length, 5);
  assert.equal(state.sorted.numberAt(0), 1);
  assert.equal(state.sorted.numberAt(1), 3);
});

test('while the user types an invalid filter, the list keeps the last valid result and says which', () => {
  const { state, controller, filterErrors, remembered } = inspector();
  controller.handle(init());
  controller.handle(framesMessage(0, 10));
  controller.applyFilter('ip.dst == 172.17.0.9', true);
  assert.equal(state.rows.length, 5);
  assert.deepEqual(remembered, ['ip.dst == 172.17.0.9']);
  controller.applyFilter('ip.dst == 172.17.0.9 and');
  assert.equal(filterErrors.at(-1)?.applied, 'ip.dst == 172.17.0.9');
  assert.equal(state.rows.length, 5);
  // New packets go through the applied filter.
  controller.handle(framesMessage(10, 4));
  assert.equal(state.rows.length, 7);
});

test('Save with a filter hiding packets asks; "only shown" sends their numbers', () => {
  const { controller, posted, saveChoice } = inspector();
  controller.handle(init());
  controller.save('pcap');
  assert.deepEqual(posted.at(-1), { type: 'save', format: 'pcap' }, 'nothing hidden: no question');
  controller.handle(framesMessage(0, 6));
  controller.applyFilter('ip.dst == 172.17.0.3');
  controller.save('pcap');
  const choose = saveChoice();
  assert.ok(choose, 'the user is asked');
  choose(true);
  const last = posted.at(-1);
  assert.equal(last?.type, 'save');
  assert.deepEqual(last?.type === 'save' ? [...(last.packetNumbers ?? [])] : [], [1, 3, 5]);
});

test('cleared by the host: no packets, no selection, no marks, stream numbers and kernel drops start again', () => {
  const { state, controller, list, streamResets } = inspector();
  controller.handle(init());
  controller.handle(framesMessage(0, 4));
  controller.handle({ type: 'status', status: { state: 'capturing', kernelDrops: 12 } });
  list.select(2, true);
  controller.toggleMark(2);
  assert.ok(state.marked.has(2));
  controller.handle({ type: 'cleared' });
  assert.equal(state.store.size, 0);
  assert.equal(state.rows.length, 0);
  assert.equal(list.selectedNumber, 0);
  assert.equal(state.marked.size, 0);
  assert.equal(streamResets(), 1);
  assert.equal(state.kernelDrops, 0);
  controller.handle({ type: 'status', status: { state: 'capturing', kernelDrops: 15 } });
  assert.equal(state.kernelDrops, 3, 'tcpdump\'s cumulative count, since the clear');
  controller.handle(framesMessage(4, 2));
  assert.equal(state.store.firstNumber, 1, 'numbering starts again, as the host\'s after its clear');
});

test('the user\'s Clear tells the host too', () => {
  const { state, controller, posted } = inspector();
  controller.handle(init());
  controller.handle(framesMessage(0, 4));
  controller.clear();
  assert.deepEqual(posted.at(-1), { type: 'clear' });
  assert.equal(state.store.size, 0);
});

test('context actions run only in the tab the menu was opened on; palette actions act on the selected packet', () => {
  const { controller, list, actions, notices } = inspector();
  controller.handle(init());
  controller.handle(framesMessage(0, 4));
  controller.handle({ type: 'contextAction', target: 'another-tab', action: 'copySummary', packet: 1 });
  assert.equal(actions.length, 0);
  controller.handle({ type: 'contextAction', target: INSTANCE, action: 'copySummary', packet: 1 });
  assert.equal(actions.length, 1);
  controller.handle({ type: 'paletteAction', action: 'followUdpStream' });
  assert.equal(actions.length, 1, 'nothing selected: nothing to follow');
  assert.match(notices.at(-1) ?? '', /Select a packet/);
  list.select(3, true);
  controller.handle({ type: 'paletteAction', action: 'followUdpStream' });
  assert.deepEqual(actions.at(-1), { type: 'contextAction', target: INSTANCE, action: 'followUdpStream', packet: 3 });
});

test('a new init replaces the store with the host\'s limits and keeps the filter', () => {
  const { state, controller } = inspector();
  controller.handle(init());
  controller.handle(framesMessage(0, 10));
  controller.applyFilter('udp.dstport == 53');
  controller.handle(init({ maxPackets: 4, live: false, container: undefined, status: { state: 'file' } }));
  assert.equal(state.store.size, 0);
  assert.equal(state.canStop, false);
  assert.equal(state.canCaptureAgain, false);
  controller.handle(framesMessage(0, 10));
  assert.equal(state.store.size, 4, 'the host\'s maxPackets holds');
  assert.equal(state.rows.active, true);
  assert.equal(state.filterText, 'udp.dstport == 53');
});
