/**
 * Makes sure the engine has the helper image: pulled when missing, with
 * progress, and one clear line when it cannot be had (an air-gapped engine).
 */
import type Docker from 'dockerode';
import { CaptureError } from '../../protocol/captureErrors';

/** Docker's rule for image references, loosely: no spaces, no control characters, not an option. */
const IMAGE_REFERENCE = /^[a-zA-Z0-9][a-zA-Z0-9._\-/:@]{0,254}$/;

export const IMAGE_SETTING_HINT = 'set dockerNetworkCapture.helperImage (CLI: --helper-image) to an image with tcpdump that this engine has or can pull';

export function validateHelperImage(image: string): string {
  if (!IMAGE_REFERENCE.test(image)) {
    throw new CaptureError('invalid-request', `not a valid helper image name: ${JSON.stringify(image.slice(0, 80))}; ${IMAGE_SETTING_HINT}`);
  }
  return image;
}

interface PullEvent {
  status?: string;
  id?: string;
  progressDetail?: { current?: number; total?: number };
  error?: string;
}

/** Present, or pulled now. `onProgress` gets short lines ("Downloading 3 of 5 layers, 12/40 MB"). */
export async function ensureHelperImage(api: Docker, streamingApi: Docker, image: string, onProgress: (line: string) => void): Promise<'present' | 'pulled'> {
  try {
    await api.getImage(image).inspect();
    return 'present';
  } catch (err) {
    if ((err as { statusCode?: number }).statusCode !== 404) {
      throw new CaptureError('docker-unreachable', `cannot look up the helper image ${image}: ${(err as Error).message}`);
    }
  }
  onProgress(`pulling the helper image ${image}`);
  try {
    const stream = (await streamingApi.pull(image)) as NodeJS.ReadableStream;
    const layers = new Map<string, { current: number; total: number; done: boolean }>();
    let lastReport = 0;
    await new Promise<void>((resolve, reject) => {
      streamingApi.modem.followProgress(
        stream,
        (err: Error | null, output: PullEvent[]) => {
          const failed = err?.message ?? output.find((e) => e.error)?.error;
          if (failed) reject(new Error(failed));
          else resolve();
        },
        (event: PullEvent) => {
          if (event.error) return;
          if (event.id && event.progressDetail?.total) {
            layers.set(event.id, { current: event.progressDetail.current ?? 0, total: event.progressDetail.total, done: false });
          }
          if (event.id && /complete|already exists/i.test(event.status ?? '')) {
            const layer = layers.get(event.id) ?? { current: 0, total: 0, done: true };
            layers.set(event.id, { ...layer, done: true, current: layer.total });
          }
          const now = Date.now();
          if (now - lastReport < 1000) return;
          lastReport = now;
          const all = [...layers.values()];
          const mb = (n: number): string => (n / 1e6).toFixed(0);
          const current = all.reduce((s, l) => s + l.current, 0);
          const total = all.reduce((s, l) => s + l.total, 0);
          onProgress(`pulling ${image}: ${all.filter((l) => l.done).length} of ${all.length} layers, ${mb(current)}/${mb(total)} MB`);
        },
      );
    });
  } catch (err) {
    // dockerode prefixes the engine's words with "(HTTP code 500) server error - ".
    const why = ((err as Error).message || String(err)).split('\n')[0]?.replace(/^\(HTTP code \d+\)[^-]*- /, '').trim();
    throw new CaptureError('tcpdump-missing', `the helper image ${image} is not on the Docker engine and could not be pulled (${why}); ${IMAGE_SETTING_HINT}`);
  }
  onProgress(`pulled the helper image ${image}`);
  return 'pulled';
}
