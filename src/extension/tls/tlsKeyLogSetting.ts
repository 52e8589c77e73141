/** `dockerNetworkCapture.tlsKeyLog`: the key log new capture tabs decrypt with (empty: none). */
import * as vscode from 'vscode';
import { parseKeyLogSpec, type KeyLogSpec } from '../../client/tls/keyLogSpec';
import { SETTINGS_SECTION } from '../settings';

export const TLS_KEY_LOG_SETTING = 'tlsKeyLog';

/** The setting's key log; undefined when empty; throws KeyLogSpecError (one line) when malformed. */
export function tlsKeyLogSetting(): KeyLogSpec | undefined {
  const text = vscode.workspace.getConfiguration(SETTINGS_SECTION).get<string>(TLS_KEY_LOG_SETTING, '').trim();
  return text === '' ? undefined : parseKeyLogSpec(text);
}
