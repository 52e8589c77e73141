// One esbuild entry per runtime. The helper and the CLI are built without the
// `vscode` module on purpose: importing it there fails the build. The helper
// runs as root: its bundle may hold only src/helper, src/core and
// src/protocol, and the build fails when anything else creeps in.
import * as esbuild from 'esbuild';
import { chmodSync, cpSync, mkdirSync } from 'node:fs';
import { checkHelperInputs } from './helperAllowList.mjs';

const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');

const common = {
  bundle: true,
  sourcemap: production ? false : 'linked',
  minify: production,
  logLevel: 'warning',
  legalComments: 'none',
};

// ssh2 (pulled in by dockerode for ssh:// endpoints) probes optional native
// modules inside try/catch; leaving them out keeps the bundle pure JavaScript.
const nodeExternals = ['cpu-features', './crypto/build/Release/sshcrypto.node'];

const builds = [
  { ...common, entryPoints: { extension: 'src/extension/extension.ts' }, platform: 'node', format: 'cjs', target: 'node20', outdir: 'dist', external: ['vscode', ...nodeExternals] },
  // No externals for the helper: a require() of anything outside the allow-list must fail the build.
  { ...common, entryPoints: { helper: 'src/helper/main.ts' }, platform: 'node', format: 'cjs', target: 'node20', outdir: 'dist', metafile: true },
  { ...common, entryPoints: { cli: 'src/cli/main.ts' }, platform: 'node', format: 'cjs', target: 'node20', outdir: 'dist', external: nodeExternals, banner: { js: '#!/usr/bin/env node' } },
  { ...common, entryPoints: { webview: 'webview/main.ts' }, platform: 'browser', format: 'iife', target: 'chrome120', outdir: 'dist' },
];

mkdirSync('dist', { recursive: true });
cpSync('node_modules/@vscode/codicons/dist/codicon.css', 'dist/codicon.css');
cpSync('node_modules/@vscode/codicons/dist/codicon.ttf', 'dist/codicon.ttf');

if (watch) {
  for (const b of builds) (await esbuild.context(b)).watch();
} else {
  const results = await Promise.all(builds.map((b) => esbuild.build(b)));
  const helperResult = results[builds.findIndex((b) => b.entryPoints.helper)];
  const outside = checkHelperInputs(helperResult.metafile);
  if (outside.length > 0) {
    console.error(`build: the root helper bundle takes in files outside its allow-list (src/helper, src/core, src/protocol):\n  ${outside.join('\n  ')}`);
    process.exit(1);
  }
  // package.json's "bin" (npx, npm link) executes the file itself. As root, run it by absolute path (README: The CLI).
  chmodSync('dist/cli.js', 0o755);
}
