/**
 * Settings that choose which engine, endpoint, interface or image a capture
 * runs against have "scope": "machine": a workspace (a cloned repository's
 * .vscode/settings.json) cannot point a root-privileged capture at another
 * daemon or bridge. VS Code ignores machine settings found in a workspace.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';

/** Add every new engine/endpoint/image-choosing setting here (captureBackend, helperImage, dockerContext...). */
const MACHINE_SCOPED = ['dockerNetworkCapture.dockerHost', 'dockerNetworkCapture.dockerContext', 'dockerNetworkCapture.bridge', 'dockerNetworkCapture.captureMode', 'dockerNetworkCapture.captureBackend', 'dockerNetworkCapture.helperImage'];

interface SettingSchema {
  scope?: string;
}
const manifest = JSON.parse(readFileSync(join(import.meta.dirname, '..', '..', 'package.json'), 'utf8')) as {
  contributes: { configuration: { properties: Record<string, SettingSchema> } };
};
const settings = manifest.contributes.configuration.properties;

test('engine, endpoint and image choosing settings are machine-scoped', () => {
  for (const name of MACHINE_SCOPED) {
    assert.ok(settings[name], `${name} is contributed`);
    assert.equal(settings[name].scope, 'machine', `${name} must have "scope": "machine"`);
  }
});

test('a setting whose name says it picks an engine, host, context, backend, image or bridge is in the list', () => {
  const picks = /(host|context|backend|image|bridge|engine|endpoint|socket|mode)$/i;
  for (const name of Object.keys(settings)) {
    if (picks.test(name)) assert.ok(MACHINE_SCOPED.includes(name), `${name} looks engine-choosing: add it to MACHINE_SCOPED and give it "scope": "machine"`);
  }
});
