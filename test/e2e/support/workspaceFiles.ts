/**
 * Files of an e2e run as a user has them: a capture file copied into the
 * workspace and opened from the Explorer into the packet inspector, and the
 * capture spools the extension keeps in its storage under the run's profile.
 */
import { chmodSync, copyFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Harness } from '../harness';
import { Inspector } from './inspector';
import { EXTENSION_FOLDER, filesInFolders } from './profileFiles';
import { waitFor } from './processes';

/** Copies `fixture` into the workspace as `name` and opens it from the Explorer; resolves with its inspector. */
export async function openWorkspaceCapture(h: Harness, fixture: string, name: string): Promise<Inspector> {
  const copy = join(h.server.workspace, name);
  copyFileSync(fixture, copy);
  chmodSync(copy, 0o644);
  // Opened before the workbench knows the extension, a pcap gets the text editor: wait for its view first.
  await h.workbench.openActivity('Network Capture');
  const opened = async (): Promise<boolean> => (await h.workbench.tabTitles()).some((t) => t.includes(name));
  // The Explorer icon's hover tooltip can cover the file row and swallow the double-click: move away, retry once.
  const openTab = async (): Promise<void> => {
    await h.workbench.openFromExplorer(name).catch(() => undefined);
    if (!(await waitFor(`a tab for ${name}`, opened, 5000).then(() => true, () => false))) {
      await h.page.mouse.move(800, 500);
      await h.workbench.openFromExplorer(name);
    }
    await waitFor(`a tab for ${name}`, opened, 20_000);
  };
  await openTab();
  const inspector = await Inspector.active(h.workbench, 10_000).catch(() => undefined);
  if (inspector) return inspector;
  // Even with the view shown, the workbench can apply the extension's custom editor a moment
  // later (one CI run in many): the pcap then gets the text editor's "binary" notice. A user
  // closes it and opens the file again, and so does this; any other failure still fails here.
  if (await h.page.getByText(/not displayed in the text editor/).first().isVisible().catch(() => false)) {
    await h.workbench.runCommand('View: Close Editor');
    await waitFor(`the text editor of ${name} to close`, async () => !(await opened()), 10_000);
    await openTab();
  }
  return Inspector.active(h.workbench);
}

/** The capture spools in the extension's storage under `userDataDir` (the run's profile). */
export function spoolFiles(userDataDir: string): string[] {
  return filesInFolders(userDataDir, join(EXTENSION_FOLDER, 'captures'), (name) => name.endsWith('.pcap'));
}
