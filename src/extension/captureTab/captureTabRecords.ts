/**
 * What is kept of each capture tab across a window reload, by tab id (the
 * tab's URI names it, captureTabUri.ts): the spool holding its packets, what
 * it captured (one container, or a group of them: for Capture Again) and how it ended. VS Code reopens the tab
 * from its URI alone, so this is where the rest comes from. Kept in the
 * workspace state; entries whose spool is gone are dropped at activation.
 *
 * A capture that is still running when the window closes is stopped by the
 * closing itself: that end is not recorded, so the tab comes back saying the
 * window was reloaded rather than "stopped".
 */
import type { CaptureStatus } from '../../protocol/webviewMessages';
import type { ContainerGroup } from '../capture/containerGroup';
import type { InspectorModel } from '../capture/inspectorModel';
import type { TabDescription } from '../inspector/tabTitle';

export interface CaptureTabRecord {
  /** The spool's path (validated against the spool folder before use). */
  spool?: string;
  container?: { id: string; name: string };
  /** A tab of several containers: the selection or the project (checked by storedContainerGroup when read back). */
  group?: ContainerGroup;
  direction?: 'both' | 'egress' | 'ingress';
  filter?: string;
  /** How the capture ended, when it ended before the window closed. */
  end?: { state: 'ended' | 'error'; message: string };
}

/** The slice of vscode.Memento used here (tests pass a Map-backed one). */
export interface RecordStorage {
  get<T>(key: string): T | undefined;
  update(key: string, value: unknown): Thenable<void>;
}

const KEY = 'dockerNetworkCapture.captureTabs';
const MAX_MESSAGE_CHARS = 500;

let windowClosing = false;

/** Called as the extension deactivates: captures ended from now on ended because the window closed. */
export function noteWindowClosing(): void {
  windowClosing = true;
}

export class CaptureTabRecords {
  constructor(private readonly storage: RecordStorage) {}

  get(tabId: string): CaptureTabRecord | undefined {
    return this.all()[tabId];
  }

  set(tabId: string, record: CaptureTabRecord): Promise<void> {
    return this.write({ ...this.all(), [tabId]: record });
  }

  /** Records how the tab's capture ended, unless it ended because the window is closing. */
  ended(tabId: string, status: CaptureStatus): Promise<void> {
    if (windowClosing || (status.state !== 'ended' && status.state !== 'error')) return Promise.resolve();
    const record = this.get(tabId);
    if (!record) return Promise.resolve();
    return this.set(tabId, { ...record, end: { state: status.state, message: (status.message ?? '').slice(0, MAX_MESSAGE_CHARS) } });
  }

  delete(tabId: string): Promise<void> {
    const all = this.all();
    if (!(tabId in all)) return Promise.resolve();
    delete all[tabId];
    return this.write(all);
  }

  /** Drops the records whose spool no longer exists (`exists` checks a path). */
  async prune(exists: (path: string) => Promise<boolean>): Promise<void> {
    const dead: string[] = [];
    for (const [id, record] of Object.entries(this.all())) {
      if (!record.spool || !(await exists(record.spool))) dead.push(id);
    }
    if (dead.length === 0) return;
    // Read again after the checks: a tab may have been recorded meanwhile.
    const all = this.all();
    for (const id of dead) delete all[id];
    await this.write(all);
  }

  private all(): Record<string, CaptureTabRecord> {
    const stored = this.storage.get<unknown>(KEY);
    return stored && typeof stored === 'object' ? { ...(stored as Record<string, CaptureTabRecord>) } : {};
  }

  private async write(all: Record<string, CaptureTabRecord>): Promise<void> {
    await this.storage.update(KEY, all);
  }
}

/** What the tab keeps across a reload for `content`. */
export function recordOf(content: { model: InspectorModel; description: TabDescription | undefined }): Omit<CaptureTabRecord, 'end'> {
  const { model, description } = content;
  return {
    ...(model.spool ? { spool: model.spool.path } : {}),
    ...(model.container ? { container: { id: model.container.id, name: model.container.name } } : {}),
    ...(model.group ? { group: groupRecord(model.group) } : {}),
    ...(description?.direction ? { direction: description.direction } : {}),
    ...(description?.filter ? { filter: description.filter } : {}),
  };
}

/** A plain copy of the group (the model's may be readonly arrays of richer objects). */
function groupRecord(group: ContainerGroup): ContainerGroup {
  return group.kind === 'project' ? { kind: 'project', project: group.project } : { kind: 'containers', containers: group.containers.map((c) => ({ id: c.id, name: c.name })) };
}
