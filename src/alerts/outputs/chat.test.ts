import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sampleAlert } from '../../testing/sample-alert.js';
import { createSlackDestination } from './slack.js';
import { createTeamsDestination } from './teams.js';
import { neverAbort, startCaptureServer, testContext } from '../../testing/loopback.js';

const long = 'x'.repeat(5000);

/** Slack incoming webhooks with Block Kit: text fallback, block types and their limits. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a parsed JSON payload checked field by field
function checkSlack(body: Record<string, any>): void {
  assert.equal(typeof body.text, 'string');
  assert.ok(Array.isArray(body.blocks) && body.blocks.length <= 50);
  for (const block of body.blocks) {
    assert.ok(['header', 'section', 'context'].includes(block.type), block.type);
    if (block.type === 'header') {
      assert.equal(block.text.type, 'plain_text');
      assert.ok(block.text.text.length <= 150);
    }
    if (block.type === 'section' && block.text) assert.ok(block.text.text.length <= 3000);
    if (block.type === 'section' && block.fields) {
      assert.ok(block.fields.length <= 10);
      for (const field of block.fields) {
        assert.equal(field.type, 'mrkdwn');
        assert.ok(field.text.length <= 2000);
      }
    }
    if (block.type === 'context') assert.ok(block.elements.length <= 10);
  }
}

test('Slack: Block Kit message within documented limits, mrkdwn escaped', async (t) => {
  const server = await startCaptureServer();
  t.after(() => server.close());
  const destination = createSlackDestination(
    { url: `${server.url}/services/T/B/X` },
    testContext(`{{rule}} <{{proc.name}}> ${long}`),
  );
  await destination.send(
    [{ id: '1', attempts: 0, alert: sampleAlert({ priority: 'Critical' }) }],
    neverAbort,
  );
  const request = server.accepted[0]!;
  assert.equal(request.headers['content-type'], 'application/json');
  const body = JSON.parse(request.body);
  checkSlack(body);
  assert.equal(body.blocks[0].text.text, 'Critical: Terminal shell in container');
  assert.match(body.blocks[1].text.text, /^Terminal shell in container &lt;bash&gt; x+/);
  assert.equal(body.blocks[2].fields[0].text, '*rule*\nTerminal shell in container');
});

test('Teams: an Adaptive Card 1.4 in a message attachment', async (t) => {
  const server = await startCaptureServer();
  t.after(() => server.close());
  const destination = createTeamsDestination({ url: `${server.url}/workflows/1` }, testContext());
  const alert = sampleAlert({ priority: 'Error' });
  await destination.send([{ id: '1', attempts: 0, alert }], neverAbort);
  const body = JSON.parse(server.accepted[0]!.body);
  assert.equal(body.type, 'message');
  assert.equal(body.attachments.length, 1);
  const attachment = body.attachments[0];
  assert.equal(attachment.contentType, 'application/vnd.microsoft.card.adaptive');
  const card = attachment.content;
  assert.equal(card.type, 'AdaptiveCard');
  assert.equal(card.version, '1.4');
  assert.equal(card.$schema, 'http://adaptivecards.io/schemas/adaptive-card.json');
  assert.deepEqual(
    card.body.map((element: { type: string }) => element.type),
    ['TextBlock', 'TextBlock', 'FactSet'],
  );
  assert.equal(card.body[0].color, 'Attention');
  assert.equal(card.body[1].text, alert.output);
  for (const fact of card.body[2].facts) {
    assert.equal(typeof fact.title, 'string');
    assert.equal(typeof fact.value, 'string');
  }
  assert.deepEqual(card.body[2].facts[0], { title: 'rule', value: 'Terminal shell in container' });
});
