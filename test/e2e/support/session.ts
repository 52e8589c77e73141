/**
 * The life of one end-to-end test file: its containers and a code-server with
 * Chromium, started before the first test and torn down after the last one,
 * even when a test fails.
 */
import { after, afterEach, before } from 'node:test';
import { startHarness, type Harness } from '../harness';
import type { CodeServerOptions } from './codeServer';
import { failureReport } from './failureReport';
import { createScene, type Scene } from './scene';

export interface E2eSession {
  harness(): Harness;
  scene(): Scene;
}

export function e2eSession(testFile: string, options: CodeServerOptions = {}): E2eSession {
  let scene: Scene | undefined;
  let harness: Harness | undefined;
  before(async () => {
    scene = createScene();
    harness = await startHarness(testFile, options);
  });
  afterEach(async (t) => {
    // Before the teardown, while the window still shows what went wrong.
    if ('passed' in t && !t.passed && harness) console.log(await failureReport(harness, t.name));
  });
  after(async () => {
    await harness?.dispose();
    scene?.dispose();
  });
  return {
    harness: () => {
      if (!harness) throw new Error('the harness did not start');
      return harness;
    },
    scene: () => {
      if (!scene) throw new Error('the test scene was not created');
      return scene;
    },
  };
}
