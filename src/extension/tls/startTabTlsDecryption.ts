/**
 * Binds a TabTlsDecryption to a tab: the key log opened with the user's rights in the
 * extension host (a file, or a file inside a container read through the Docker API with
 * the engine the settings name), Node's crypto, and the tab's webview.
 */
import { createHpackDecoder } from '../../client/tls/hpackDecoder';
import { nodeTlsCrypto } from '../../client/tls/nodeTlsCrypto';
import { keyLogLabel, type KeyLogSpec } from '../../client/tls/keyLogSpec';
import { openKeyLogSource } from '../../client/tls/keyLogSource';
import type { ToWebviewMessage } from '../../protocol/webviewMessages';
import type { InspectorModel } from '../capture/inspectorModel';
import { dockerClientFromSettings } from '../containers/dockerClientFromSettings';
import { TabTlsDecryption } from './tabTlsDecryption';

/** Starts decrypting; rejects with a one-line reason when the key log cannot be read. */
export async function startTabTlsDecryption(model: InspectorModel, spec: KeyLogSpec, post: (message: ToWebviewMessage) => void, warn: (message: string) => void): Promise<TabTlsDecryption> {
  const decryption = new TabTlsDecryption(model, nodeTlsCrypto, {
    post,
    warn,
    openSource: () => openKeyLogSource(spec, () => dockerClientFromSettings()),
  }, keyLogLabel(spec), createHpackDecoder);
  try {
    await decryption.start();
  } catch (error) {
    decryption.dispose();
    throw error;
  }
  return decryption;
}
