/**
 * Debian's Chromium, driven by playwright-core. The flags keep it from calling
 * out to the network on its own (there is none here, and a test must not try)
 * and let it run as root in a container.
 */
import { chromium, type Browser, type LaunchOptions } from 'playwright-core';

export const CHROMIUM_PATH = '/usr/bin/chromium';
export const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

export function launchChromium(options: LaunchOptions = {}): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM_PATH, ...options, args: [...CHROMIUM_ARGS, ...(options.args ?? [])] });
}
