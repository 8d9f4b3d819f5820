import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Alert } from './alert.js';
import { AlertGrouper, groupFields } from './grouping.js';
import { sampleAlert } from '../testing/sample-alert.js';

test('sends the first alert of a group, then one summary with the count and first/last seen', async () => {
  const summaries: Alert[] = [];
  const grouper = new AlertGrouper(
    [{ rules: ['Terminal*'], windowMs: 40, keyFields: ['container.id'] }],
    (a) => summaries.push(a),
  );
  const sent = [1, 2, 3].map((sequence) => grouper.add(sampleAlert({ sequence })));
  assert.deepEqual(sent, [true, false, false]);
  assert.equal(
    grouper.add(sampleAlert({ sequence: 4, containerId: 'other' })),
    true,
    'other key, own group',
  );
  assert.equal(
    grouper.add(sampleAlert({ sequence: 5, rule: 'Write below etc' })),
    true,
    'rule not grouped',
  );
  await new Promise((resolve) => setTimeout(resolve, 80));

  assert.equal(summaries.length, 1, 'the other group had one alert: nothing to summarise');
  const summary = summaries[0]!;
  assert.equal(summary.outputFields.get(groupFields.count), 3n);
  assert.equal(summary.outputFields.get(groupFields.firstSeen), '2024-05-01T12:00:00.000001000Z');
  assert.equal(summary.outputFields.get(groupFields.lastSeen), '2024-05-01T12:00:00.000003000Z');
  assert.equal(summary.outputFields.get('proc.pid'), 3n, 'the summary carries the last alert');
  assert.match(summary.output, /\(grouped: 3 alerts, first seen/);
  assert.equal(grouper.openGroups, 0);
  assert.equal(
    grouper.add(sampleAlert({ sequence: 6 })),
    true,
    'a new window starts after the summary',
  );
  grouper.flush();
});

test('flush closes open groups at once; a window of 0 turns grouping off', () => {
  const summaries: Alert[] = [];
  const grouper = new AlertGrouper(
    [
      { rules: ['Write*'], windowMs: 0, keyFields: [] },
      { rules: ['*'], windowMs: 60_000, keyFields: [] },
    ],
    (a) => summaries.push(a),
  );
  assert.equal(grouper.add(sampleAlert({ rule: 'Write below etc' })), true);
  assert.equal(
    grouper.add(sampleAlert({ rule: 'Write below etc' })),
    false,
    'the next rule pattern (*) applies',
  );
  grouper.add(sampleAlert({ rule: 'Write below etc' }));
  grouper.flush();
  assert.equal(summaries.length, 1);
  assert.equal(summaries[0]!.outputFields.get(groupFields.count), 3n);
});

test('first and last seen are the earliest and latest event times, whatever the arrival order', () => {
  const summaries: Alert[] = [];
  const grouper = new AlertGrouper([{ rules: ['*'], windowMs: 60_000, keyFields: [] }], (a) =>
    summaries.push(a),
  );
  // An audit EventList whose items are not in time order: 17:53:07, 14:09:12, 17:53:07.
  const at = (iso: string) => BigInt(Date.parse(iso)) * 1_000_000n;
  const times = ['2018-10-25T17:53:07Z', '2018-10-25T14:09:12Z', '2018-10-25T17:53:07.5Z'];
  for (const [sequence, time] of times.entries())
    grouper.add(sampleAlert({ sequence, time: at(time) }));
  grouper.flush();

  assert.equal(summaries.length, 1);
  const fields = summaries[0]!.outputFields;
  assert.equal(fields.get(groupFields.firstSeen), '2018-10-25T14:09:12.000000000Z');
  assert.equal(fields.get(groupFields.lastSeen), '2018-10-25T17:53:07.500000000Z');
  assert.match(
    summaries[0]!.output,
    /first seen 2018-10-25T14:09:12\.000000000Z, last seen 2018-10-25T17:53:07\.500000000Z\)$/,
  );
});
