/**
 * Default file names for saved captures: `<container>-<yyyymmdd-hhmmss>.<ext>`
 * in the workspace's `captures/` folder (local time, as the user reads clocks).
 */

/** Keeps names portable: container names are already [a-zA-Z0-9_.-], but files may come from anywhere. */
export function safeFileStem(name: string): string {
  const cleaned = name.replace(/^\/+/, '').replace(/[^A-Za-z0-9_.-]+/g, '_').replace(/^\.+/, '');
  return cleaned.slice(0, 100) || 'capture';
}

export function timestampForFileName(date: Date): string {
  const p = (n: number): string => String(n).padStart(2, '0');
  return `${date.getFullYear()}${p(date.getMonth() + 1)}${p(date.getDate())}-${p(date.getHours())}${p(date.getMinutes())}${p(date.getSeconds())}`;
}

export function defaultCaptureFileName(name: string, extension: 'json' | 'pcap', date: Date): string {
  return `${safeFileStem(name)}-${timestampForFileName(date)}.${extension}`;
}

/** Path segments under the workspace folder: ['captures', '<file>']. */
export function defaultCaptureRelativePath(name: string, extension: 'json' | 'pcap', date: Date): string[] {
  return ['captures', defaultCaptureFileName(name, extension, date)];
}
