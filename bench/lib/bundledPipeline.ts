/**
 * The engine pipeline as it ships: bundled by esbuild like dist/helper.js and
 * dist/webview.js, not run through tsx. tsx turns every cross-module import into
 * a getter call (`import_bytes.u16` is an accessor), which showed as ~14 % of the
 * decoder's profile: a cost of the bench's loader, not of the extension.
 */
import { buildSync } from 'esbuild';
import { join } from 'node:path';
import type * as Pipeline from './enginePipeline';

export function loadBundledPipeline(): typeof Pipeline {
  const outfile = join(__dirname, '..', 'out', 'enginePipeline.bundle.js');
  buildSync({
    entryPoints: [join(__dirname, 'enginePipeline.ts')],
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    outfile,
    logLevel: 'warning',
  });
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require(outfile) as typeof Pipeline;
}
