/**
 * One line per way an engine can be out of reach, naming the endpoint and what to do:
 * a missing or forbidden socket, nothing listening, a certificate that does not check
 * out, an ssh login refused (dockerSshTransport.ts words those).
 */
import { CaptureError, isCaptureError } from '../protocol/captureErrors';
import type { DockerEndpoint } from './dockerEndpoint';
import { SshTransportError } from './dockerSshTransport';

const UNTRUSTED_CERT = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_SIGNATURE_FAILURE',
]);

export function explainConnectionError(e: unknown, endpoint: DockerEndpoint, endpointText: string): CaptureError {
  if (isCaptureError(e)) return e;
  const unreachable = (what: string): CaptureError => new CaptureError('docker-unreachable', `Docker is not reachable at ${endpointText}: ${what}`);
  if (e instanceof SshTransportError) return unreachable(`${e.message}.`);
  const err = e as { statusCode?: number; code?: string; message?: string; json?: { message?: string } };
  const code = err.code ?? '';
  if (endpoint.kind === 'unix') {
    if (code === 'ENOENT') return unreachable(`no socket at ${endpoint.socketPath}: is the engine running? (Or choose another one: the dockerHost/dockerContext settings, the CLI's -d/--context.)`);
    if (code === 'EACCES') return unreachable(`permission denied on ${endpoint.socketPath}: add your user to the socket's group (usually docker) and log in again.`);
    if (code === 'ECONNREFUSED') return unreachable(`the socket ${endpoint.socketPath} exists but no engine answers on it: start the engine.`);
  }
  if (endpoint.kind === 'tcp') {
    const ca = endpoint.tls?.caPath ?? 'your CA file';
    const cert = endpoint.tls?.certPath ?? 'a client certificate (cert.pem/key.pem)';
    if (code === 'ECONNREFUSED') return unreachable(`nothing listens on ${endpoint.host} port ${endpoint.port}: is the engine started with -H tcp://…?`);
    if (UNTRUSTED_CERT.has(code)) return unreachable(`the engine's certificate is not signed by the CA in ${ca} (${code}): use the CA that signed it.`);
    if (code === 'ERR_TLS_CERT_ALTNAME_INVALID') return unreachable(`the engine's certificate is not issued for ${endpoint.host}: connect by a name or address the certificate lists.`);
    if (code === 'CERT_HAS_EXPIRED') return unreachable(`the engine's certificate has expired.`);
    if (/alert (bad certificate|unknown ca|certificate required|handshake failure)|SSLV3_ALERT|TLSV1_ALERT|TLSV13_ALERT/i.test(`${code} ${err.message ?? ''}`)) {
      return unreachable(`the engine refused the TLS handshake: it needs a client certificate it trusts (${cert}).`);
    }
    if (err.statusCode === 400 && /HTTPS server/i.test(err.message ?? '')) return unreachable(`the engine speaks TLS: set DOCKER_TLS_VERIFY=1 and DOCKER_CERT_PATH, or use a context with TLS.`);
    if (code === 'ECONNRESET' && endpoint.protocol === 'https') return unreachable(`the engine closed the TLS connection: does it trust your client certificate (${cert})?`);
  }
  if (code === 'ETIMEDOUT' || code === 'ESOCKETTIMEDOUT') return unreachable('no answer in time.');
  const detail = err.json?.message ?? err.message ?? String(e);
  return unreachable(`${code ? `${code}: ` : ''}${detail}`.slice(0, 400));
}
