import assert from 'node:assert/strict';
import { test } from 'node:test';
import { backendSettingFromVia, chooseCaptureBackend, parseBackendSetting, type BackendFacts } from '../../src/client/captureBackendChoice';

const localDesktop: BackendFacts = { engineLocal: true, podman: false, dockerDesktop: false, platform: 'linux', root: false, canElevate: true };

test('auto: a local Linux engine with a polkit agent uses the host helper', () => {
  assert.equal(chooseCaptureBackend('auto', localDesktop).backend, 'hostHelper');
});

test('auto: root uses the host helper even with no agent', () => {
  assert.equal(chooseCaptureBackend('auto', { ...localDesktop, root: true, canElevate: false }).backend, 'hostHelper');
});

test('auto: each reason to avoid the host helper picks the helper container, with its reason', () => {
  const cases: [Partial<BackendFacts>, RegExp][] = [
    [{ engineLocal: false }, /another machine/],
    [{ podman: true }, /Podman/],
    [{ dockerDesktop: true }, /Docker Desktop/],
    [{ platform: 'darwin' }, /darwin/],
    [{ platform: 'win32', root: true }, /win32/],
    [{ canElevate: false }, /polkit agent/],
    [{ engineLocal: false, root: true }, /another machine/],
  ];
  for (const [change, reason] of cases) {
    const choice = chooseCaptureBackend('auto', { ...localDesktop, ...change });
    assert.equal(choice.backend, 'helperContainer', JSON.stringify(change));
    assert.match(choice.reason, reason);
  }
});

test('an explicit setting wins over every fact', () => {
  assert.equal(chooseCaptureBackend('hostHelper', { ...localDesktop, engineLocal: false }).backend, 'hostHelper');
  assert.equal(chooseCaptureBackend('helperContainer', { ...localDesktop, root: true }).backend, 'helperContainer');
});

test('setting and --via values', () => {
  assert.equal(parseBackendSetting('helperContainer'), 'helperContainer');
  assert.equal(parseBackendSetting('hostHelper'), 'hostHelper');
  assert.equal(parseBackendSetting('nonsense'), 'auto');
  assert.equal(parseBackendSetting(undefined), 'auto');
  assert.equal(backendSettingFromVia('host'), 'hostHelper');
  assert.equal(backendSettingFromVia('container'), 'helperContainer');
  assert.equal(backendSettingFromVia('auto'), 'auto');
  assert.equal(backendSettingFromVia('docker'), undefined);
});

test('Docker Desktop is recognised from its endpoint or context, without a request', async () => {
  const { isDockerDesktopEndpoint } = await import('../../src/client/dockerDesktop');
  assert.equal(isDockerDesktopEndpoint('unix:///home/me/.docker/desktop/docker.sock', undefined), true);
  assert.equal(isDockerDesktopEndpoint('unix:///var/run/docker.sock', 'desktop-linux'), true);
  assert.equal(isDockerDesktopEndpoint('unix:///var/run/docker.sock', undefined), false);
  assert.equal(isDockerDesktopEndpoint('ssh://me@host:22', 'prod'), false);
});
