/**
 * An inspector tab: the webview (HTML shell + dist/webview.js) bound to one
 * model through an InspectorConnection. Closing the tab stops its capture.
 */
import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';
import type { InspectorModel } from '../capture/inspectorModel';
import type { HostnamesSource } from '../containers/hostnamesSource';
import { Disposable } from '../disposable';
import type { CaptureSaver } from '../save/captureSaver';
import { InspectorConnection } from './inspectorConnection';
import { registerInspector } from './inspectorRegistry';
import { saveStreamBytes } from './saveStreamBytes';
import { describeTab, numberedTitle, stateSuffix, type TabDescription } from './tabTitle';
import { buildInspectorHtml, createNonce, type InspectorHostState } from './inspectorHtml';

export const INSPECTOR_VIEW_TYPE = 'dockerNetworkCapture.inspector';

export interface InspectorDeps {
  extensionUri: vscode.Uri;
  log: vscode.LogOutputChannel;
  hostnames: HostnamesSource;
  saver: CaptureSaver;
  /** The spool folder (storage `captures/`), or undefined when it could not be made: captures then live in memory only. */
  spoolFolder: Promise<string | undefined>;
}

export function inspectorWebviewOptions(extensionUri: vscode.Uri): vscode.WebviewOptions {
  return {
    enableScripts: true,
    localResourceRoots: [vscode.Uri.joinPath(extensionUri, 'dist'), vscode.Uri.joinPath(extensionUri, 'media')],
  };
}

export function inspectorHtml(webview: vscode.Webview, extensionUri: vscode.Uri, hostState?: InspectorHostState): string {
  const uri = (...path: string[]): string => webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, ...path)).toString();
  return buildInspectorHtml({
    cspSource: webview.cspSource,
    nonce: createNonce((n) => randomBytes(n)),
    scriptUri: uri('dist', 'webview.js'),
    styleUris: [uri('dist', 'codicon.css'), uri('media', 'inspector.css')],
    ...(hostState ? { hostState } : {}),
  });
}

export class InspectorPanel extends Disposable {
  private readonly connection: InspectorConnection;
  private readonly closeEmitter = this._register(new vscode.EventEmitter<void>());
  readonly onDidClose = this.closeEmitter.event;

  /** Titles of the open inspector tabs (without their state suffix), to number duplicates. */
  private static readonly openTitles = new Set<string>();

  /** Opens a new tab for a model (a capture); `hostState` comes back to the serializer after a reload. */
  static open(model: InspectorModel, baseName: string, deps: InspectorDeps, hostState?: InspectorHostState, description?: TabDescription): InspectorPanel {
    const panel = vscode.window.createWebviewPanel(INSPECTOR_VIEW_TYPE, model.title, { viewColumn: vscode.ViewColumn.Active, preserveFocus: false }, {
      ...inspectorWebviewOptions(deps.extensionUri),
      // A million rows are expensive to rebuild on every tab switch.
      retainContextWhenHidden: true,
    });
    return new InspectorPanel(panel, model, baseName, deps, hostState, description);
  }

  private readonly titleBase: string;

  constructor(
    readonly panel: vscode.WebviewPanel,
    private readonly model: InspectorModel,
    private readonly baseName: string,
    deps: InspectorDeps,
    hostState?: InspectorHostState,
    description?: TabDescription,
  ) {
    super();
    let disposed = false;
    this.titleBase = numberedTitle(describeTab(model.title, description), InspectorPanel.openTitles);
    InspectorPanel.openTitles.add(this.titleBase);
    this._register({ dispose: () => InspectorPanel.openTitles.delete(this.titleBase) });
    const retitle = (): void => {
      if (!disposed) panel.title = this.titleBase + stateSuffix(model.status.state);
    };
    retitle();
    this._register(model.onDidChangeStatus(() => retitle()));
    panel.webview.options = inspectorWebviewOptions(deps.extensionUri);
    this.connection = new InspectorConnection(model, {
      post: (message) => {
        // Once the tab is closed its webview throws on any access; whatever
        // still reports (a capture winding down) must not fail because of it.
        if (disposed) return;
        void panel.webview.postMessage(message);
      },
      hostnames: () => deps.hostnames.current,
      save: (format, numbers) => deps.saver.save(model, format, numbers, this.baseName),
      log: (level, message) => deps.log[level](message),
      copy: (text) => Promise.resolve(vscode.env.clipboard.writeText(text)),
      saveBytes: (name, bytes) => saveStreamBytes(name, bytes),
    });
    this._register({ dispose: () => this.connection.dispose() });
    this._register(registerInspector((message) => {
      if (!disposed) void panel.webview.postMessage(message);
    }, () => !disposed && panel.active));
    this._register(deps.hostnames.onDidChange((h) => this.connection.hostnamesChanged(h)));
    this._register(
      panel.webview.onDidReceiveMessage((message: unknown) => {
        this.connection.handle(message).catch((e: unknown) => deps.log.error(`Inspector request failed: ${e instanceof Error ? e.message : String(e)}`));
      }),
    );
    this._register(
      panel.onDidDispose(() => {
        disposed = true;
        void model.stop();
        this.closeEmitter.fire();
        this.dispose();
      }),
    );
    panel.webview.html = inspectorHtml(panel.webview, deps.extensionUri, hostState);
  }

  reveal(): void {
    this.panel.reveal();
  }

  get title(): string {
    return this.model.title;
  }
}
