/**
 * Where the end-to-end pieces live on the machine. test/e2e/setup.sh creates
 * all of them; the defaults here must match it.
 */
import { join } from 'node:path';

export const REPO = join(__dirname, '..', '..', '..');
export const E2E_USER = process.env.DNC_E2E_USER ?? 'dnc-e2e';
export const CACHE_DIR = process.env.DNC_E2E_CACHE ?? '/var/cache/dnc-e2e';
export const CODE_SERVER = join(CACHE_DIR, 'code-server');
export const CHROMIUM = process.env.DNC_E2E_CHROMIUM ?? '/usr/bin/chromium';
export const DOCKER_DIR = process.env.DNC_DOCKER_DIR ?? '/tmp/dnc-docker';
export const DOCKER_HOST = `unix://${DOCKER_DIR}/docker.sock`;
export const VSIX = process.env.DNC_E2E_VSIX ?? join(REPO, 'dist', 'docker-network-capture.vsix');
/** What the extension calls its helper script; its command line names it. */
export const HELPER_SCRIPT_MARKER = 'dist/helper.js';
