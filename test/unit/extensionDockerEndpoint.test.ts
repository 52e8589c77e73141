import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chooseEndpoint, describeEndpoint, parseDockerEndpoint } from '../../src/client/dockerEndpoint';
import { isCaptureError } from '../../src/protocol/captureErrors';

test('the setting wins over DOCKER_HOST, which wins over the default socket', () => {
  assert.equal(chooseEndpoint('tcp://a:1', { DOCKER_HOST: 'unix:///b.sock' }), 'tcp://a:1');
  assert.equal(chooseEndpoint('  ', { DOCKER_HOST: 'unix:///b.sock' }), 'unix:///b.sock');
  assert.equal(chooseEndpoint(undefined, {}), 'unix:///var/run/docker.sock');
});

test('unix, tcp, tls and ssh endpoints parse to what dockerode needs', () => {
  assert.deepEqual(parseDockerEndpoint('unix:///tmp/d.sock', {}), { kind: 'unix', socketPath: '/tmp/d.sock' });
  assert.deepEqual(parseDockerEndpoint('/run/docker.sock', {}), { kind: 'unix', socketPath: '/run/docker.sock' });
  assert.deepEqual(parseDockerEndpoint('tcp://10.0.0.5:2375', {}), { kind: 'tcp', host: '10.0.0.5', port: 2375, protocol: 'http' });
  assert.deepEqual(parseDockerEndpoint('localhost:2376', {}), { kind: 'tcp', host: 'localhost', port: 2376, protocol: 'https' });
  assert.deepEqual(parseDockerEndpoint('tcp://h:2375', { DOCKER_TLS_VERIFY: '1' }), { kind: 'tcp', host: 'h', port: 2375, protocol: 'https' });
  assert.deepEqual(parseDockerEndpoint('ssh://me@box', {}), { kind: 'ssh', host: 'box', port: 22, username: 'me' });
  assert.equal(describeEndpoint(parseDockerEndpoint('tcp://h:2375', {})), 'tcp://h:2375');
});

test('malformed endpoints fail with docker-unreachable and say why', () => {
  for (const bad of ['unix://relative.sock', 'ftp://h:21', 'tcp://']) {
    assert.throws(() => parseDockerEndpoint(bad, {}), (e: unknown) => isCaptureError(e) && e.code === 'docker-unreachable' && e.message.includes(bad));
  }
});
