/** A click on the capture status-bar item: the active tab's capture, the only one, or ask before stopping all. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { statusBarStopChoice } from '../../src/extension/capture/statusBarStopChoice';

test('the active tab\'s capture is stopped, however many run', () => {
  assert.equal(statusBarStopChoice(1, true), 'active');
  assert.equal(statusBarStopChoice(3, true), 'active');
});

test('with no capture tab active: the only capture is stopped, several are stopped only after asking', () => {
  assert.equal(statusBarStopChoice(1, false), 'only');
  assert.equal(statusBarStopChoice(2, false), 'ask');
});
