/**
 * "Switch Docker Context…": a quick pick of the docker contexts (name and endpoint),
 * stored in the `dockerContext` setting of this extension. The user's
 * ~/.docker/config.json is never rewritten: the docker CLI in their terminals keeps
 * its own current context.
 */
import * as vscode from 'vscode';
import { DEFAULT_CONTEXT, currentContextName, dockerConfigDir, listContexts } from '../../client/dockerContexts';
import { readSettings, SETTINGS_SECTION } from '../settings';

interface ContextItem extends vscode.QuickPickItem {
  /** What the setting becomes; '' = follow DOCKER_CONTEXT / the current context. */
  value: string;
}

export async function switchDockerContext(): Promise<void> {
  const configDir = dockerConfigDir();
  const settings = readSettings();
  let fromConfig: string | undefined;
  let contexts;
  try {
    fromConfig = currentContextName(configDir);
    contexts = listContexts(configDir);
  } catch (e) {
    void vscode.window.showErrorMessage(e instanceof Error ? e.message : String(e));
    return;
  }
  const inUse = settings.dockerContext || process.env.DOCKER_CONTEXT?.trim() || fromConfig || DEFAULT_CONTEXT;
  const mark = (name: string): string => (name === inUse && !settings.dockerHost ? '$(check) ' : '');
  const items: ContextItem[] = [
    {
      label: `${mark(DEFAULT_CONTEXT)}${DEFAULT_CONTEXT}`,
      description: process.env.DOCKER_HOST?.trim() || 'the default socket (Docker, else Podman)',
      value: DEFAULT_CONTEXT,
    },
    ...contexts.map((c) => ({ label: `${mark(c.name)}${c.name}`, description: c.host, ...(c.description ? { detail: c.description } : {}), value: c.name })),
    { label: '', kind: vscode.QuickPickItemKind.Separator, value: '' },
    { label: 'Follow the docker CLI', description: `DOCKER_CONTEXT, else the current context (${fromConfig ?? DEFAULT_CONTEXT})`, value: '' },
  ];
  const picked = await vscode.window.showQuickPick(items, { title: 'Switch Docker Context', placeHolder: `Contexts in ${configDir}` });
  if (!picked) return;
  const config = vscode.workspace.getConfiguration(SETTINGS_SECTION);
  // An endpoint setting and a context cannot both apply: choosing a context here is choosing it over the endpoint.
  const endpoint = config.inspect<string>('dockerHost');
  if (endpoint?.globalValue) await config.update('dockerHost', undefined, vscode.ConfigurationTarget.Global);
  if (endpoint?.workspaceValue) await config.update('dockerHost', undefined, vscode.ConfigurationTarget.Workspace);
  await config.update('dockerContext', picked.value || undefined, vscode.ConfigurationTarget.Global);
}
