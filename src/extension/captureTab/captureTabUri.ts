/**
 * The address of a live capture's tab. A capture tab is a custom editor (so
 * VS Code can ask Save / Don't Save / Cancel before it closes), and a custom
 * editor needs a URI: `docker-capture:/Live Captures/<title>?tab=<id>`.
 * VS Code names the tab after the path's last segment, so that is the tab's
 * title (with any slash of a capture filter replaced, or the title would be
 * cut there); the tab id keys what is kept of the tab across a window reload
 * (captureTabRecords.ts).
 *
 * The folder is what package.json's `docker-capture-tab` language matches
 * (`filenamePatterns`), so that `files.autoSave` can be off for capture tabs
 * (configurationDefaults): in a browser (code-server) VS Code auto-saves
 * after a second by default, which would ask where to save every capture as
 * soon as its first packet arrived. VS Code decides auto-save on two URIs:
 * the tab's (closing with onFocusChange) and its working copy's, which is
 * `vscode-custom-editor://<view type>/<base64 of the tab URI's UTF-16 code
 * units>` (MainThreadCustomEditorModel.toWorkingCopyResource, VS Code 1.100).
 * The base64 of the constant `docker-capture:/Live Captures/` (60 bytes, so
 * 80 characters that do not depend on what follows) is the language's other
 * pattern: WORKING_COPY_PREFIX, checked by a unit test against package.json.
 * Should VS Code change that encoding, capture tabs auto-save again (the e2e
 * test unsavedClose sees the save box appear) but nothing else breaks.
 * No `vscode` here.
 */

export const CAPTURE_TAB_SCHEME = 'docker-capture';
const TAB_ID = /^[0-9a-f]{16,64}$/;
/** Matched (case-insensitively) by the language's pattern `/live captures/*`. */
const FOLDER = '/Live Captures/';

/** The path prefix of a capture tab's working copy: base64 of `docker-capture:/Live Captures/` as UTF-16LE. */
export function workingCopyPathPrefix(): string {
  const text = `${CAPTURE_TAB_SCHEME}:${FOLDER}`;
  const bytes = new Uint8Array(text.length * 2);
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    bytes[2 * i] = unit & 0xff;
    bytes[2 * i + 1] = unit >> 8;
  }
  // Whole 3-byte groups only: those base64 characters do not depend on what follows.
  return `/${btoa(String.fromCharCode(...bytes.subarray(0, bytes.length - (bytes.length % 3))))}`;
}

export interface CaptureTabAddress {
  /** The tab's title: what VS Code shows in the tab strip. */
  title: string;
  tabId: string;
}

/** `title` as a single path segment: slashes become a look-alike that does not split it. */
export function titleAsPathSegment(title: string): string {
  return title.replace(/[/\\]/g, '\u2215');
}

/** The path and query of a tab's URI (scheme CAPTURE_TAB_SCHEME). */
export function captureTabUriParts(address: CaptureTabAddress): { path: string; query: string } {
  return { path: `${FOLDER}${titleAsPathSegment(address.title)}`, query: `tab=${address.tabId}` };
}

/** Reads a tab's URI back; undefined for anything this extension did not make. */
export function parseCaptureTabUri(scheme: string, path: string, query: string): CaptureTabAddress | undefined {
  if (scheme !== CAPTURE_TAB_SCHEME) return undefined;
  const tabId = /^tab=([^&]*)$/.exec(query)?.[1];
  const title = path.startsWith(FOLDER) ? path.slice(FOLDER.length) : '';
  if (!tabId || !TAB_ID.test(tabId) || title.length === 0 || title.includes('/')) return undefined;
  return { title, tabId };
}
