/** What a capture tab's title says (issue 14: titles that say what they capture). */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { describeTab, numberedTitle, stateSuffix } from '../../src/extension/inspector/tabTitle';

test('direction and filter appear when not the defaults; duplicates are numbered; ended tabs say so', () => {
  assert.equal(describeTab('web', { direction: 'both' }), 'web');
  assert.equal(describeTab('web', undefined), 'web');
  assert.equal(describeTab('web', { direction: 'egress', filter: 'tcp port 80' }), 'web (egress, tcp port 80)');
  assert.equal(describeTab('web', { direction: 'both', filter: 'x'.repeat(60) }), `web (${'x'.repeat(39)}…)`);
  assert.equal(numberedTitle('web', new Set()), 'web');
  assert.equal(numberedTitle('web', new Set(['web'])), 'web (2)');
  assert.equal(numberedTitle('web', new Set(['web', 'web (2)'])), 'web (3)');
  assert.equal(stateSuffix('capturing'), '');
  assert.equal(stateSuffix('file'), '');
  assert.equal(stateSuffix('ended'), ' (ended)');
  assert.equal(stateSuffix('error'), ' (ended)');
});
