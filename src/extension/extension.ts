/**
 * Entry point of the extension host side: the container tree, the capture
 * commands, the inspector tabs, the status bar and the capture file viewer.
 * One log channel is created here and passed to whatever needs it.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { CaptureManager, STOP_ALL_COMMAND } from './capture/captureManager';
import { STOP_FROM_STATUS_BAR_COMMAND, stopFromStatusBar } from './capture/statusBarStop';
import { CAPTURE_TAB_VIEW_TYPE, CaptureEditorProvider } from './captureTab/captureEditorProvider';
import { CaptureTabDecorations } from './captureTab/captureTabDecorations';
import { CaptureTabRecords, noteWindowClosing } from './captureTab/captureTabRecords';
import { captureAgainInTab } from './commands/captureAgainInTab';
import { CAPTURE_PROJECT_COMMAND, captureProject } from './commands/captureContainerGroup';
import { ReattachNotifier } from './commands/offerReattach';
import { runStartCapture, type StartCaptureContext } from './commands/startCaptureCommand';
import { switchDockerContext } from './commands/switchDockerContext';
import { CONTAINERS_VIEW_ID, ContainerTreeProvider } from './containers/containerTreeProvider';
import { ContainerWatcher } from './containers/containerWatcher';
import { dockerClientFromSettings } from './containers/dockerClientFromSettings';
import { watchDockerConfig } from './containers/dockerConfigWatcher';
import { EngineDescription } from './containers/engineDescription';
import { HostnamesSource } from './containers/hostnamesSource';
import { StatusAgeRefresher } from './containers/statusAgeRefresher';
import { PCAP_VIEWER_VIEW_TYPE, PcapViewerProvider } from './file/pcapViewerProvider';
import { registerInspectorCommands } from './inspector/inspectorCommands';
import { DECRYPT_TLS_COMMAND, runDecryptTls } from './tls/decryptTlsCommand';
import { registerOpenInWireshark } from './wireshark/openInWiresharkCommand';
import { INSPECTOR_VIEW_TYPE, InspectorPanel, type InspectorDeps } from './inspector/inspectorPanel';
import { InspectorSerializer } from './inspector/inspectorSerializer';
import { CaptureSaver } from './save/captureSaver';
import { affectsSetting, readSettings, SETTINGS_SECTION } from './settings';
import { cleanSpoolFolder, ensureSpoolFolder } from './spool/spoolFolder';

let manager: CaptureManager | undefined;

export function activate(context: vscode.ExtensionContext): void {
  const log = vscode.window.createOutputChannel('Docker Network Capture', { log: true });
  const push = <T extends vscode.Disposable>(d: T): T => {
    context.subscriptions.push(d);
    return d;
  };
  push(log);

  const watcher = new ContainerWatcher(() => dockerClientFromSettings(readSettings()), {
    log: (level, message) => log[level](message),
  });
  push(watcher);
  manager = push(new CaptureManager());
  const tree = push(new ContainerTreeProvider(watcher, manager));
  // canSelectMany: several containers selected are captured together, in one tab.
  const treeView = push(vscode.window.createTreeView(CONTAINERS_VIEW_ID, { treeDataProvider: tree, showCollapseAll: true, canSelectMany: true }));
  push(new EngineDescription(treeView, watcher));
  const ages = push(new StatusAgeRefresher(watcher));
  ages.setVisible(treeView.visible);
  push(treeView.onDidChangeVisibility((e) => ages.setVisible(e.visible)));
  const hostnames = push(new HostnamesSource(watcher));
  const spoolFolder = prepareSpoolFolder(context, log);
  const deps: InspectorDeps = { extensionUri: context.extensionUri, log, hostnames, saver: new CaptureSaver(log), spoolFolder };
  const startContext: StartCaptureContext = { extensionPath: context.extensionPath, watcher, manager, deps };
  deps.captureAgain = (panel) => captureAgainInTab(panel, startContext);
  const reattach = push(new ReattachNotifier(watcher, manager, () => startContext));
  startContext.onCaptureEnded = (capture, reason) => reattach.captureEnded(capture, reason);

  const command = (id: string, run: (...args: unknown[]) => unknown): void => {
    push(vscode.commands.registerCommand(id, run));
  };
  command('dockerNetworkCapture.capture.start', (arg, selected) => runStartCapture(arg, {}, startContext, selected));
  command('dockerNetworkCapture.capture.startEgress', (arg, selected) => runStartCapture(arg, { direction: 'egress' }, startContext, selected));
  command('dockerNetworkCapture.capture.startIngress', (arg, selected) => runStartCapture(arg, { direction: 'ingress' }, startContext, selected));
  command('dockerNetworkCapture.capture.startWithFilter', (arg, selected) => runStartCapture(arg, { askFilter: true }, startContext, selected));
  command(CAPTURE_PROJECT_COMMAND, (arg) => (manager ? captureProject(arg, watcher, manager, deps) : undefined));
  command(STOP_ALL_COMMAND, () => manager?.stopAll());
  command(STOP_FROM_STATUS_BAR_COMMAND, () => stopFromStatusBar({
    activeRunning: () => InspectorPanel.activeRunning(),
    running: () => manager?.running ?? [],
    stopAll: () => manager?.stopAll() ?? Promise.resolve(),
  }));
  command('dockerNetworkCapture.containers.refresh', () => watcher.refresh());
  command('dockerNetworkCapture.openDockerSetting', () => vscode.commands.executeCommand('workbench.action.openSettings', `${SETTINGS_SECTION}.dockerHost`));
  command('dockerNetworkCapture.showLog', () => log.show());
  command('dockerNetworkCapture.switchDockerContext', () => switchDockerContext());
  registerInspectorCommands(push);
  command(DECRYPT_TLS_COMMAND, (keyLog) => runDecryptTls(log, keyLog));
  registerOpenInWireshark(push, log);

  push(vscode.window.registerWebviewPanelSerializer(INSPECTOR_VIEW_TYPE, new InspectorSerializer(deps)));
  const decorations = push(new CaptureTabDecorations());
  push(vscode.window.registerFileDecorationProvider(decorations));
  const captureTabs = new CaptureEditorProvider(deps, new CaptureTabRecords(context.workspaceState), decorations);
  deps.captureTabs = captureTabs;
  push(vscode.window.registerCustomEditorProvider(CAPTURE_TAB_VIEW_TYPE, captureTabs, { webviewOptions: { retainContextWhenHidden: true }, supportsMultipleEditorsPerDocument: false }));
  void spoolFolder.then(() => captureTabs.pruneRecords()).catch((e: unknown) => log.warn(`Capture tab records: ${e instanceof Error ? e.message : String(e)}`));
  push(
    vscode.window.registerCustomEditorProvider(PCAP_VIEWER_VIEW_TYPE, new PcapViewerProvider(deps), {
      webviewOptions: { retainContextWhenHidden: true },
      supportsMultipleEditorsPerDocument: false,
    }),
  );
  push(
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (affectsSetting(e, 'dockerHost') || affectsSetting(e, 'dockerContext')) {
        log.info('Docker endpoint setting changed; reconnecting');
        void watcher.reconnect();
      }
    }),
  );

  push(
    watchDockerConfig(() => {
      const s = readSettings();
      if (s.dockerHost || s.dockerContext || process.env.DOCKER_HOST || process.env.DOCKER_CONTEXT) return;
      log.info('The docker CLI changed its current context; reconnecting');
      void watcher.reconnect();
    }),
  );

  void watcher.refresh().then(() => log.info(`Docker endpoint: ${watcher.endpoint}`));
}

/**
 * `captures/` in the workspace's storage (the global one without a workspace),
 * cleaned of old spools before any tab is restored or capture started.
 */
async function prepareSpoolFolder(context: vscode.ExtensionContext, log: vscode.LogOutputChannel): Promise<string | undefined> {
  const storage = (context.storageUri ?? context.globalStorageUri).fsPath;
  try {
    const folder = await ensureSpoolFolder(storage);
    const removed = await cleanSpoolFolder(folder);
    if (removed.length > 0) log.info(`Removed ${removed.length} old capture spools: ${removed.map((p) => path.basename(p)).join(', ')}`);
    return folder;
  } catch (e) {
    log.warn(`Capture spools are off (packets stay in memory only): ${e instanceof Error ? e.message : String(e)}`);
    return undefined;
  }
}

export async function deactivate(): Promise<void> {
  // Captures ended from here on ended because the window closed: their tabs must not remember "stopped".
  noteWindowClosing();
  // Captures run as root in a helper: make sure none outlives the window.
  // stopAll also waits for their spools to be flushed, for the tabs VS Code restores.
  await manager?.stopAll();
  manager = undefined;
}
