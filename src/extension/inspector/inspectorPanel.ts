/**
 * An inspector tab: the webview (HTML shell + dist/webview.js) bound to one
 * model through an InspectorConnection. Closing the tab stops its capture.
 * A capture tab is a custom editor (captureTab/), whose document VS Code
 * knows is unsaved; a capture file is the read-only pcap viewer.
 */
import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';
import type { ToWebviewMessage } from '../../protocol/webviewMessages';
import type { ContainerGroup } from '../capture/containerGroup';
import type { InspectorModel } from '../capture/inspectorModel';
import type { HostnamesSource } from '../containers/hostnamesSource';
import { Disposable } from '../disposable';
import type { CaptureDocument } from '../captureTab/captureDocument';
import type { CaptureSaver } from '../save/captureSaver';
import { InspectorConnection } from './inspectorConnection';
import { registerInspector } from './inspectorRegistry';
import { saveStreamBytes } from './saveStreamBytes';
import type { KeyLogSpec } from '../../client/tls/keyLogSpec';
import { startTabTlsDecryption } from '../tls/startTabTlsDecryption';
import type { TabTlsDecryption } from '../tls/tabTlsDecryption';
import { tlsKeyLogSetting } from '../tls/tlsKeyLogSetting';
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
  /** Starts an ended capture again in its own tab (the inspector's Capture Again button). */
  captureAgain?: (panel: InspectorPanel) => Promise<void>;
  /** Opens capture tabs as custom editors (captureTab/); without it they are plain webview panels. */
  captureTabs?: CaptureTabOpener;
}

export interface CaptureTabOpener {
  open(model: InspectorModel, tab: { title: string; baseName: string; description: TabDescription | undefined }): Promise<InspectorPanel>;
}

/** A capture tab's document and the title its URI fixed. */
export interface CaptureTabBinding {
  title: string;
  document: CaptureDocument;
}

/** What a capture tab captured: what Capture Again starts again. */
export interface CaptureTarget {
  container: { id: string; name: string };
  direction: 'both' | 'egress' | 'ingress';
  filter?: string;
}

/** What a tab of several containers captured (a selection, a project): what Capture Again starts again. */
export interface GroupCaptureTarget {
  group: ContainerGroup;
  direction: 'both' | 'egress' | 'ingress';
  filter?: string;
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
  /** Every tab bound to a model now (Capture Again looks for the ended tab of a container here). */
  private static readonly bound = new Set<InspectorPanel>();
  /** Set once the tab was closed or handed to another model: nothing is posted to it from here after that. */
  private detached = false;

  /** The inspector in the active editor tab, when its capture runs. */
  static activeRunning(): InspectorPanel | undefined {
    return [...InspectorPanel.bound].find((p) => p.panel.active && p.running);
  }

  /** The inspector in the active editor tab (a capture or an opened file). */
  static active(): InspectorPanel | undefined {
    return [...InspectorPanel.bound].find((p) => p.panel.active);
  }

  private tls: TabTlsDecryption | undefined;

  /** Decrypts this tab's TLS with a key log (replacing any earlier one); rejects with a one-line reason. */
  async decryptTls(spec: KeyLogSpec, log: vscode.LogOutputChannel): Promise<void> {
    if (this.model.bytesOnDemand) throw new Error(`${this.model.title} is too large to hold in memory: TLS decryption needs every packet's bytes`);
    const post = (message: ToWebviewMessage): void => {
      if (!this.detached) void this.panel.webview.postMessage(message);
    };
    const decryption = await startTabTlsDecryption(this.model, spec, post, (m) => log.warn(`TLS key log: ${m}`));
    if (this.detached) {
      decryption.dispose();
      return;
    }
    this.tls?.dispose();
    this.tls = decryption;
  }

  /** What this tab shows (Open in Wireshark streams it). */
  get shownModel(): InspectorModel {
    return this.model;
  }

  /** Stops this tab's capture (the tab stays, with its packets). */
  stop(): Promise<void> {
    return this.model.stop();
  }

  /** The tab is open and bound (not closed, not handed to another model). */
  static isOpen(panel: InspectorPanel): boolean {
    return InspectorPanel.bound.has(panel);
  }

  /** An open tab whose capture of `target` has ended, to capture again in. */
  static endedTabOf(target: CaptureTarget): InspectorPanel | undefined {
    return [...InspectorPanel.bound].find((p) => {
      const t = p.captureTarget;
      return t !== undefined && !p.running && t.container.name === target.container.name && t.direction === target.direction && (t.filter ?? '') === (target.filter ?? '');
    });
  }

  /**
   * The same tab, bound to a new model (Capture Again): the old binding goes as
   * if its tab had closed (its capture and spool are let go), the webview is
   * loaded afresh for the new one. The tab itself stays where the user put it.
   */
  static rebind(old: InspectorPanel, model: InspectorModel, baseName: string, deps: InspectorDeps, hostState?: InspectorHostState, description?: TabDescription): InspectorPanel {
    const panel = old.panel;
    const tab = old.tab;
    old.release();
    panel.reveal(undefined, false);
    const bound = new InspectorPanel(panel, model, baseName, deps, hostState, description, tab);
    tab?.document.rebind({ model, baseName, description });
    if (model.live) bound.applyKeyLogSetting(deps.log);
    return bound;
  }

  /** Opens a new tab for a model (a capture); `hostState` comes back to the serializer after a reload. */
  static async open(model: InspectorModel, baseName: string, deps: InspectorDeps, hostState?: InspectorHostState, description?: TabDescription): Promise<InspectorPanel> {
    if (deps.captureTabs) {
      // The title is part of the tab's URI: numbered now, held until the binding takes it over.
      const title = numberedTitle(describeTab(model.title, description), InspectorPanel.openTitles);
      InspectorPanel.openTitles.add(title);
      try {
        const bound = await deps.captureTabs.open(model, { title, baseName, description });
        if (model.live) bound.applyKeyLogSetting(deps.log);
        return bound;
      } catch (e) {
        InspectorPanel.openTitles.delete(title);
        throw e;
      }
    }
    const panel = vscode.window.createWebviewPanel(INSPECTOR_VIEW_TYPE, model.title, { viewColumn: vscode.ViewColumn.Active, preserveFocus: false }, {
      ...inspectorWebviewOptions(deps.extensionUri),
      // A million rows are expensive to rebuild on every tab switch.
      retainContextWhenHidden: true,
    });
    const bound = new InspectorPanel(panel, model, baseName, deps, hostState, description);
    if (model.live) bound.applyKeyLogSetting(deps.log);
    return bound;
  }

  /** A new capture tab decrypts with the `tlsKeyLog` setting's key log, when one is set. */
  private applyKeyLogSetting(log: vscode.LogOutputChannel): void {
    const failed = (e: unknown): void => {
      const message = `TLS key log not used: ${e instanceof Error ? e.message : String(e)}`;
      log.warn(message);
      void vscode.window.showWarningMessage(message);
    };
    try {
      const spec = tlsKeyLogSetting();
      if (spec) this.decryptTls(spec, log).catch(failed);
    } catch (e) {
      failed(e);
    }
  }

  private readonly titleBase: string;

  constructor(
    readonly panel: vscode.WebviewPanel,
    private readonly model: InspectorModel,
    private readonly baseName: string,
    deps: InspectorDeps,
    hostState?: InspectorHostState,
    description?: TabDescription,
    /** Set for a capture tab (a custom editor): its document, and the title its URI fixed. */
    readonly tab?: CaptureTabBinding,
  ) {
    super();
    InspectorPanel.bound.add(this);
    this._register({ dispose: () => InspectorPanel.bound.delete(this) });
    this.titleBase = tab?.title ?? numberedTitle(describeTab(model.title, description), InspectorPanel.openTitles);
    InspectorPanel.openTitles.add(this.titleBase);
    this._register({ dispose: () => InspectorPanel.openTitles.delete(this.titleBase) });
    const retitle = (): void => {
      if (!this.detached) panel.title = this.titleBase + stateSuffix(model.status.state);
    };
    retitle();
    this._register(model.onDidChangeStatus(() => retitle()));
    panel.webview.options = inspectorWebviewOptions(deps.extensionUri);
    this.connection = new InspectorConnection(model, {
      post: (message) => {
        // Once the tab is closed its webview throws on any access; whatever
        // still reports (a capture winding down) must not fail because of it.
        if (this.detached) return;
        void panel.webview.postMessage(message);
      },
      hostnames: () => deps.hostnames.current,
      save: (format, numbers) => deps.saver.save(model, format, numbers, this.baseName),
      log: (level, message) => deps.log[level](message),
      copy: (text) => Promise.resolve(vscode.env.clipboard.writeText(text)),
      captureAgain: () => deps.captureAgain?.(this) ?? Promise.resolve(),
      saveBytes: (name, bytes) => saveStreamBytes(name, bytes),
    });
    this._register({ dispose: () => this.connection.dispose() });
    this._register({ dispose: () => this.tls?.dispose() });
    this._register(registerInspector((message) => {
      if (!this.detached) void panel.webview.postMessage(message);
    }, () => !this.detached && panel.active));
    this._register(deps.hostnames.onDidChange((h) => this.connection.hostnamesChanged(h)));
    this._register(
      panel.webview.onDidReceiveMessage((message: unknown) => {
        const handled = this.connection.handle(message);
        // `ready` was answered with `init` (synchronously): the decryption state follows it.
        if ((message as { type?: unknown } | null)?.type === 'ready') this.tls?.resend();
        handled.catch((e: unknown) => deps.log.error(`Inspector request failed: ${e instanceof Error ? e.message : String(e)}`));
      }),
    );
    this._register(
      // A capture tab with unsaved packets gets here only once the user
      // answered VS Code's "save first?" (its document is dirty, see captureTab/).
      panel.onDidDispose(() => this.release()),
    );
    this.target = description && model.container ? { container: { id: model.container.id, name: model.container.name }, direction: description.direction ?? 'both', ...(description.filter ? { filter: description.filter } : {}) } : undefined;
    this.groupTarget = description && model.group ? { group: model.group, direction: description.direction ?? 'both', ...(description.filter ? { filter: description.filter } : {}) } : undefined;
    panel.webview.html = inspectorHtml(panel.webview, deps.extensionUri, hostState);
  }

  private readonly target: CaptureTarget | undefined;
  private readonly groupTarget: GroupCaptureTarget | undefined;

  /** What this tab of several containers captured; undefined for any other tab. */
  get captureGroup(): GroupCaptureTarget | undefined {
    return this.groupTarget;
  }

  /** What this tab captured; undefined for a file, or a restored tab that does not know. */
  get captureTarget(): CaptureTarget | undefined {
    return this.target;
  }

  /** The capture is starting or running. */
  get running(): boolean {
    const state = this.model.status.state;
    return state === 'starting' || state === 'capturing' || state === 'stopping';
  }

  /** Packets the tab holds (what Capture Again would replace). */
  get packetCount(): number {
    return this.model.store.size;
  }

  /** The tab closed, or was handed to another model: stop the capture, tell the owner, let go. */
  private release(): void {
    if (this.detached) return;
    this.detached = true;
    void this.model.stop();
    this.closeEmitter.fire();
    this.dispose();
  }

  reveal(): void {
    this.panel.reveal();
  }

  get title(): string {
    return this.model.title;
  }
}
