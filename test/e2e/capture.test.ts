/**
 * Scenarios 2-7, one capture followed through: right-click -> Capture Traffic
 * with real elevation (sudo-prompt -> pkexec -> polkit), the packets of an HTTP
 * request the test makes, the helper's identity, the detail and hexdump, the
 * display filter, saving as JSON and pcap, stopping, and opening the saved
 * pcap from the explorer. Each step builds on the one before.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { before, describe, it } from 'node:test';
import { countFrom, saveFromInspector, startCaptureFromTree } from './support/captureFlow';
import { boundUnixSocketPaths, helperChannelSocketPaths, helperProcesses, helperRelatedProcesses, NOBODY_UID, NOGROUP_GID, supplementaryGroupsOf, tcpdumpsBelow } from './support/captureProcesses';
import { asciiHex, Inspector, showsAddress, type PacketRow } from './support/inspector';
import { identityOf, isAlive, processesNamed, waitFor } from './support/processes';
import { SERVED_TEXT, SERVER_NAME } from './support/scene';
import { e2eSession } from './support/session';

const REQUEST_LINE = 'GET / HTTP/1.1';

describe('capturing a container from VS Code', { timeout: 420_000 }, () => {
  const session = e2eSession(__filename);
  let inspector: Inspector | undefined;
  /** What the capture started, remembered to check that Stop ends it all. */
  const started = { helpers: [] as number[], tcpdumps: [] as number[], sockets: [] as string[] };
  let jsonPath = '';
  let pcapPath = '';

  before(() => {
    jsonPath = join(session.harness().server.workspace, 'e2e-capture.json');
    pcapPath = join(session.harness().server.workspace, 'e2e-capture.pcap');
  });

  it('2. right-click -> Capture Traffic opens an inspector with the HTTP exchange the test made', async () => {
    inspector = await startCaptureFromTree(session.harness(), SERVER_NAME, 'Capture Traffic');
    started.helpers = helperProcesses();
    started.sockets = started.helpers.flatMap(helperChannelSocketPaths);
    await session.harness().screenshot('capture-started');
    assert.ok((await session.harness().workbench.tabTitles()).some((t) => t.includes(SERVER_NAME)), `a tab for ${SERVER_NAME}`);
    // The tree marks the container being captured.
    const { workbench } = session.harness();
    assert.match(await workbench.treeRowDescription(SERVER_NAME), /^capturing · /);
    assert.equal(await workbench.treeRowIcon(SERVER_NAME), 'record');

    assert.equal(session.scene().fetchFromServer().trim(), SERVED_TEXT);
    const { serverIp, clientIp } = session.scene();
    const request = await inspector.waitForRow(`${REQUEST_LINE} from ${clientIp} to ${serverIp}`, (r) => r.text.Info?.includes(REQUEST_LINE) === true);
    await session.harness().screenshot('http-exchange-captured');
    assert.ok(showsAddress(request, 'Source', clientIp), `source: ${JSON.stringify(request)}`);
    assert.ok(showsAddress(request, 'Destination', serverIp), `destination: ${JSON.stringify(request)}`);
    assert.equal(request.text.Dir, 'IN', 'the server receives the request');
    assert.match(request.text.Protocol ?? '', /HTTP|TCP/);

    const rows = await inspector.rows();
    const handshake = rows.find((r) => /SYN/.test(r.text.Info ?? '') && !/ACK/.test(r.text.Info ?? ''));
    assert.ok(handshake, `a SYN row: ${describeRows(rows)}`);
    assert.match(handshake.text.Info ?? '', /\b80\b/, 'the SYN goes to port 80');
    assert.equal(handshake.text.Dir, 'IN');
    const response = rows.find((r) => /HTTP\/1\.[01] 200/.test(r.text.Info ?? ''));
    assert.ok(response, `a response row: ${describeRows(rows)}`);
    assert.equal(response.text.Dir, 'OUT', 'the server sends the response');
    assert.ok(showsAddress(response, 'Source', serverIp) && showsAddress(response, 'Destination', clientIp), JSON.stringify(response));
  });

  it('2. the helper runs as nobody, and so do its tcpdumps', () => {
    assert.equal(started.helpers.length, 1, `exactly one helper process: ${started.helpers.join(', ')}`);
    const helper = identityOf(started.helpers[0]!);
    assert.deepEqual(helper.uids, [NOBODY_UID, NOBODY_UID, NOBODY_UID, NOBODY_UID], `helper uids ${helper.uids.join(' ')}`);
    assert.deepEqual(helper.gids, [NOGROUP_GID, NOGROUP_GID, NOGROUP_GID, NOGROUP_GID], `helper gids ${helper.gids.join(' ')}`);
    const groups = supplementaryGroupsOf(helper.pid);
    assert.ok(groups.every((g) => g === NOGROUP_GID), `no supplementary groups: ${groups.join(' ')}`);
    const tcpdumps = tcpdumpsBelow(helper.pid);
    assert.ok(tcpdumps.length >= 1, 'tcpdump runs below the helper');
    for (const t of tcpdumps) assert.equal(t.uids[1], NOBODY_UID, `tcpdump ${t.pid} (${t.commandLine}) runs as nobody`);
    started.tcpdumps = tcpdumps.map((t) => t.pid);
  });

  it('3. selecting the request shows its layers and, in the hexdump, the bytes the client sent', async () => {
    const number = await inspector!.selectRow(REQUEST_LINE);
    assert.match(number, /^\d+$/);
    const hex = await waitFor('the hexdump to show the packet', async () => {
      const bytes = await inspector!.hexdumpBytes();
      return bytes.length > 0 ? bytes : undefined;
    });
    await session.harness().screenshot('packet-selected');
    assert.ok(hex.includes(asciiHex(`${REQUEST_LINE}\r\n`)), 'the request line, byte for byte');
    assert.ok(hex.includes(asciiHex(`Host: ${session.scene().serverIp}`)), 'the Host header wget sent');
    assert.match(await inspector!.hexdumpAscii(), /GET \/ HTTP\/1\.1/);
    const detail = await inspector!.detailText();
    assert.ok(detail.includes(session.scene().serverIp) && detail.includes(session.scene().clientIp), `detail names both addresses: ${detail}`);
    assert.match(detail, /TCP/);
    assert.match(detail, /\b80\b/);
  });

  it('4. a display filter keeps only matching rows; an invalid one shows an error', async () => {
    const all = countFrom(await inspector!.counter('packets'));
    await inspector!.typeFilter(`ip.src == ${session.scene().serverIp} and tcp.srcport == 80`);
    const rows = await waitFor('the filter to apply', async () => {
      const r = await inspector!.rows();
      return r.length > 0 && r.every((row) => showsAddress(row, 'Source', session.scene().serverIp)) ? r : undefined;
    });
    await session.harness().screenshot('filtered');
    assert.ok(rows.length < all, `${rows.length} rows shown of ${all}`);
    assert.ok(rows.every((r) => r.text.Dir === 'OUT'), describeRows(rows));
    assert.ok(rows.some((r) => /HTTP\/1\.[01] 200/.test(r.text.Info ?? '')), describeRows(rows));
    assert.ok(!rows.some((r) => r.text.Info?.includes(REQUEST_LINE)), 'the request is filtered out');
    assert.equal(await inspector!.filterError(), '');

    await inspector!.typeFilter('tcp.port ==');
    const error = await waitFor('the filter error', async () => (await inspector!.filterError()) || undefined);
    await session.harness().screenshot('filter-error');
    assert.ok(error.length > 0);

    await inspector!.typeFilter('');
    await waitFor('every row back', async () => (await inspector!.rows()).some((r) => r.text.Info?.includes(REQUEST_LINE)));
    assert.equal(await inspector!.filterError(), '');
  });

  it('5. Save as JSON writes the packets in the seed format; Save as pcap is read back by tcpdump', async () => {
    await saveFromInspector(session.harness(), inspector!, 'json', jsonPath);
    const records = JSON.parse(readFileSync(jsonPath, 'utf8')) as Record<string, unknown>[];
    assert.ok(Array.isArray(records) && records.length > 0);
    const request = records.find((r) => typeof r.payload === 'string' && r.payload.includes(asciiHex(REQUEST_LINE)));
    assert.ok(request, 'the request is in the JSON');
    assert.equal(request.src, session.scene().clientIp);
    assert.equal(request.dst, session.scene().serverIp);
    assert.equal(request.dst_port, '80');
    assert.match(String(request.src_port), /^\d+$/);
    assert.equal(typeof request.interface, 'string');

    const before = countFrom(await inspector!.counter('packets'));
    await saveFromInspector(session.harness(), inspector!, 'pcap', pcapPath);
    const afterCount = countFrom(await inspector!.counter('packets'));
    await session.harness().screenshot('saved');
    const lines = execFileSync('tcpdump', ['-nn', '-r', pcapPath], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] })
      .split('\n')
      .filter(Boolean);
    assert.ok(lines.length >= before && lines.length <= afterCount, `tcpdump reads ${lines.length} packets; the inspector had ${before}..${afterCount}`);
    assert.ok(lines.some((l) => l.includes(`${session.scene().clientIp}.`) && l.includes(`${session.scene().serverIp}.80:`)), 'tcpdump sees the request to port 80');
  });

  it('6. Stop ends the helper and its tcpdumps and removes the socket and its folder', async () => {
    assert.ok(started.helpers.length > 0, 'a capture was running');
    await inspector!.click('stop-button');
    await waitFor('the helper and tcpdump to exit', () => [...started.helpers, ...started.tcpdumps].every((p) => !isAlive(p)), 15_000);
    await waitFor('the stop button to disappear', async () => !(await inspector!.stopVisible()), 10_000);
    await session.harness().screenshot('stopped');
    assert.deepEqual(helperRelatedProcesses(), [], 'no helper, pkexec or wrapper shell left');
    const leftTcpdumps = processesNamed('tcpdump').filter((p) => started.tcpdumps.includes(p));
    assert.deepEqual(leftTcpdumps, []);
    assert.ok(started.sockets.length > 0, 'the helper was connected through a Unix socket');
    const stillBound = boundUnixSocketPaths();
    for (const socket of started.sockets) {
      assert.ok(!stillBound.has(socket) && !existsSync(socket), `${socket} is gone`);
      // The channel lives in a private folder made for this capture.
      assert.ok(!existsSync(dirname(socket)), `${dirname(socket)} is gone`);
    }
    // The packets stay.
    assert.ok((await inspector!.rows()).some((r) => r.text.Info?.includes(REQUEST_LINE)));
    // The tree no longer marks it.
    await waitFor('the tree to drop the capture mark', async () => (await session.harness().workbench.treeRowIcon(SERVER_NAME)) === 'vm-running', 10_000);
    assert.doesNotMatch(await session.harness().workbench.treeRowDescription(SERVER_NAME), /capturing/);
  });

  it('7. opening the saved pcap from the explorer shows its packets without elevation', async () => {
    const pkexecBefore = processesNamed('pkexec');
    await session.harness().workbench.openFromExplorer('e2e-capture.pcap');
    const fileTab = await waitFor('a tab for the pcap', async () => (await session.harness().workbench.tabTitles()).find((t) => t.includes('e2e-capture.pcap')));
    assert.ok(fileTab);
    const fileView = await Inspector.active(session.harness().workbench);
    const request = await fileView.waitForRow(REQUEST_LINE, (r) => r.text.Info?.includes(REQUEST_LINE) === true);
    await session.harness().screenshot('pcap-opened');
    assert.ok(showsAddress(request, 'Source', session.scene().clientIp) && showsAddress(request, 'Destination', session.scene().serverIp), JSON.stringify(request));
    assert.equal(await fileView.stopVisible(), false, 'a file has nothing to stop');
    assert.deepEqual(helperRelatedProcesses(), [], 'no helper was started for a file');
    assert.deepEqual(processesNamed('pkexec').filter((p) => !pkexecBefore.includes(p)), [], 'no elevation for a file');
  });

  it('the saved JSON opens as text in the seed format, as a user reading it would see it', async () => {
    await session.harness().workbench.openFromExplorer('e2e-capture.json');
    await waitFor('a tab for the JSON', async () => (await session.harness().workbench.tabTitles()).find((t) => t.includes('e2e-capture.json')));
    const editorText = session.harness().page.locator('.editor-instance .view-lines');
    await editorText.waitFor({ state: 'visible', timeout: 10_000 });
    await waitFor('the seed fields to show', async () => /"payload"/.test((await editorText.textContent()) ?? ''), 10_000);
    await session.harness().screenshot('json-opened');
    const shown = (await editorText.textContent()) ?? '';
    assert.match(shown, /"src_port"/);
    assert.match(shown, /"dst_port"/);
  });
});

function describeRows(rows: PacketRow[]): string {
  return rows.map((r) => `${r.text['No.']} ${r.text.Dir} ${r.text.Source} > ${r.text.Destination} ${r.text.Protocol} ${r.text.Info}`).join('\n');
}
