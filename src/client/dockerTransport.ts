/**
 * The dockerode options for one endpoint, complete: docker-modem fills any option left
 * out from DOCKER_HOST/DOCKER_CERT_PATH by itself, so every field is set here (undefined
 * where unused) and an endpoint chosen by a setting or a context never mixes with the
 * environment's. TLS goes through an https.Agent of ours (skip-verify needs it); ssh
 * through SshDialAgent (the system's ssh, known_hosts verified).
 */
import * as http from 'node:http';
import * as https from 'node:https';
import type Docker from 'dockerode';
import { CaptureError } from '../protocol/captureErrors';
import type { DockerEndpoint } from './dockerEndpoint';
import { SshDialAgent } from './dockerSshTransport';
import { loadTlsMaterial } from './dockerTls';

/** What docker-modem reads beyond its typed options. */
type ModemOptions = Docker.DockerOptions & { agent?: http.Agent; pathPrefix?: string };

export interface Transport {
  options: ModemOptions;
  /** The agent holding connections, to close them when the client goes away. */
  agent: http.Agent | undefined;
}

const NEUTRAL: ModemOptions = {
  socketPath: undefined,
  host: undefined,
  port: undefined,
  protocol: undefined,
  username: undefined,
  ca: undefined,
  cert: undefined,
  key: undefined,
  timeout: undefined,
  version: undefined,
  sshOptions: undefined,
  agent: undefined,
  pathPrefix: undefined,
};

export function transportFor(endpoint: DockerEndpoint, endpointText: string): Transport {
  switch (endpoint.kind) {
    case 'unix':
      return { options: { ...NEUTRAL, socketPath: endpoint.socketPath }, agent: undefined };
    case 'tcp': {
      if (endpoint.protocol === 'http') {
        return { options: { ...NEUTRAL, host: endpoint.host, port: endpoint.port, protocol: 'http', pathPrefix: '/' }, agent: undefined };
      }
      const material = endpoint.tls ? loadTlsMaterial(endpoint.tls, endpointText) : { verify: true };
      const agent = new https.Agent({
        keepAlive: true,
        ...('ca' in material && material.ca ? { ca: material.ca } : {}),
        ...('cert' in material && material.cert ? { cert: material.cert } : {}),
        ...('key' in material && material.key ? { key: material.key } : {}),
        rejectUnauthorized: material.verify,
      });
      return { options: { ...NEUTRAL, host: endpoint.host, port: endpoint.port, protocol: 'https', pathPrefix: '/', agent }, agent };
    }
    case 'ssh': {
      let agent: SshDialAgent;
      try {
        agent = new SshDialAgent({ host: endpoint.host, ...(endpoint.port ? { port: endpoint.port } : {}), ...(endpoint.username ? { username: endpoint.username } : {}) });
      } catch (e) {
        // No ssh client on this machine, or a host/user ssh would read as an option.
        throw new CaptureError('docker-unreachable', `Docker is not reachable at ${endpointText}: ${e instanceof Error ? e.message : String(e)}.`);
      }
      // Plain HTTP over the ssh child's stdio; "docker" is only the Host header, as with the docker CLI.
      return { options: { ...NEUTRAL, host: 'docker', port: 80, protocol: 'http', pathPrefix: '/', agent }, agent };
    }
  }
}
