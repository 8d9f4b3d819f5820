import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { corpusPath } from '../../testing/corpus.js';
import type { CloudTrailEvent } from '../../decode/json-events.js';
import { createCloudTrailFieldTable } from './cloudtrail.js';
import { resolveField } from './resolve.js';

const table = createCloudTrailFieldTable();

function sample(file: string): CloudTrailEvent {
  const text = readFileSync(corpusPath('falco/tests-0.34.1/trace_files/plugins', file), 'utf8');
  const record: unknown = JSON.parse(text).Records[0];
  return { source: 'aws_cloudtrail', ts: 1_394_140_974_000_000_000n, raw: record };
}

function record(raw: unknown): CloudTrailEvent {
  return { source: 'aws_cloudtrail', ts: 0n, raw };
}

function value(event: CloudTrailEvent, name: string, argument?: string) {
  const resolved = resolveField(table, name, argument);
  assert.ok(resolved.ok, `${name}: ${!resolved.ok && resolved.message}`);
  return resolved.definition.extract?.(event, resolved.argument);
}

test('has the 73 cloudtrail plugin fields and the 6 json plugin fields', () => {
  const byPlugin = (plugin: string) =>
    [...table.fields.values()].filter((field) => field.plugin === plugin);
  assert.equal(byPlugin('cloudtrail').length, 73);
  assert.equal(byPlugin('json').length, 6);
  const hidden = [...table.fields.values()]
    .filter((field) => field.tableOnly)
    .map((field) => field.name);
  assert.deepEqual(hidden, [
    'ct.time',
    's3.bytes.in',
    's3.bytes.out',
    's3.cnt.get',
    's3.cnt.put',
    's3.cnt.other',
  ]);
  const unsigned = [...table.fields.values()].filter((field) => field.type === 'UINT64').length;
  assert.equal(unsigned, 6);
  const imageIds = table.fields.get('ec2.imageids');
  assert.deepEqual(
    [imageIds?.isList, imageIds?.argument, imageIds?.argumentKind],
    [true, 'allowed', 'index'],
  );
});

test("reads Falco's CloudTrail test record field by field", () => {
  const event = sample('alice_start_instances.json');
  const expected: Record<string, unknown> = {
    'ct.id': undefined,
    'ct.user': 'Alice',
    'ct.originaluser': 'Alice',
    'ct.user.accountid': '123456789012',
    'ct.user.identitytype': 'IAMUser',
    'ct.user.principalid': 'EX_PRINCIPAL_ID',
    'ct.user.arn': 'arn:aws:iam::123456789012:user/Alice',
    'ct.time': '2014-03-06T21:22:54Z',
    'ct.src': 'ec2.amazonaws.com',
    'ct.shortsrc': 'ec2',
    'ct.name': 'StartInstances',
    'ct.region': 'us-east-2',
    'ct.srcip': '205.251.233.176',
    'ct.useragent': 'ec2-api-tools 1.6.12.2',
    'ct.eventtype': 'AwsApiCall',
    'ct.error': undefined,
    'ct.readonly': undefined,
    'ct.managementevent': undefined,
    'ct.info': 'Alice via 205.251.233.176 ← StartInstances',
    'ct.request': '{"instancesSet":{"items":[{"instanceId":"i-ebeaf9e2"}]}}',
    'ct.response.subnetid': undefined,
    'ec2.imageid': undefined,
    'ec2.imageids': undefined,
    's3.cnt.other': 1n,
    's3.cnt.get': undefined,
    's3.bytes': undefined,
    's3.uri': undefined,
  };
  for (const [name, want] of Object.entries(expected))
    assert.deepEqual(value(event, name), want, name);
});

test('reads a record with a 64 KB field like a small one', () => {
  const event = sample('alice_start_instances_bigevent.json');
  assert.equal(value(event, 'ct.name'), 'StartInstances');
  assert.equal((value(event, 'json.value', '/someDummyField') as string).length, 64737);
  assert.equal(value(event, 'json.rawtime'), '1394140974000000000');
});

test('names assumed-role users by role and by session', () => {
  const event = record({
    userIdentity: {
      type: 'AssumedRole',
      principalId: 'AROAEXAMPLE:session-42',
      arn: 'arn:aws:sts::111122223333:assumed-role/deployer/session-42',
      sessionContext: { sessionIssuer: { userName: 'deployer' } },
    },
    recipientAccountId: '111122223333',
    sourceIPAddress: 'cloudformation.amazonaws.com',
    eventName: 'PutObject',
    readOnly: false,
    errorCode: 'AccessDenied',
    requestParameters: { bucketName: 'logs', key: 'a/b.txt' },
    additionalEventData: { bytesTransferredIn: 33.0, bytesTransferredOut: 0 },
  });
  assert.equal(value(event, 'ct.user'), 'deployer');
  assert.equal(value(event, 'ct.originaluser'), 'session-42');
  assert.equal(value(event, 'ct.user.accountid'), '111122223333');
  assert.equal(value(event, 'ct.readonly'), 'false');
  assert.equal(value(event, 's3.uri'), 's3://logs/a/b.txt');
  assert.equal(value(event, 's3.bytes'), 33n);
  assert.equal(value(event, 's3.bytes.out'), 0n);
  assert.equal(value(event, 's3.cnt.put'), 1n);
  assert.equal(value(event, 's3.cnt.other'), undefined);
  assert.equal(
    value(event, 'ct.info'),
    'deployer via cloudformation.amazonaws.com !→ PutObject Size=33 URI=s3://logs/a/b.txt',
  );
});

test('falls back as the plugin does for other identity types', () => {
  const service = record({ userIdentity: { type: 'AWSService', invokedBy: 'ec2.amazonaws.com' } });
  assert.equal(value(service, 'ct.user'), 'ec2.amazonaws.com');
  assert.equal(value(record({ userIdentity: { type: 'AWSAccount' } }), 'ct.user'), 'AWSAccount');
  assert.equal(value(record({ userIdentity: { type: 'Mystery' } }), 'ct.user'), undefined);
  const role = record({ userIdentity: { type: 'AssumedRole', principalId: 'AROA:bob' } });
  assert.equal(value(role, 'ct.user'), 'AssumedRole');
  assert.equal(value(role, 'ct.originaluser'), 'bob');
  assert.equal(
    value(record({ userIdentity: { type: 'Root' }, eventName: 'X' }), 'ct.info'),
    '<invalid cloudtrail event: userIdentity field missing>',
  );
});

test('reads EC2 instance names and image ids', () => {
  const run = record({
    requestParameters: {
      tagSpecificationSet: {
        items: [
          {
            resourceType: 'instance',
            tags: [
              { key: 'Owner', value: 'x' },
              { key: 'Name', value: 'web-1' },
            ],
          },
        ],
      },
    },
    responseElements: { instancesSet: { items: [{ imageId: 'ami-1' }, { imageId: 'ami-2' }] } },
  });
  assert.equal(value(run, 'ec2.name'), 'web-1');
  assert.deepEqual(value(run, 'ec2.imageids'), ['ami-1', 'ami-2']);
  assert.deepEqual(value(run, 'ec2.imageids', '1'), ['ami-2']);
  assert.equal(value(run, 'ec2.imageids', '2'), undefined);
  assert.equal(value(run, 'ec2.imageid'), 'ami-1');
  const describe = record({ requestParameters: { imageId: 'ami-9' } });
  assert.deepEqual(value(describe, 'ec2.imageids'), ['ami-9']);
  assert.equal(value(describe, 'ec2.imageids', '1'), undefined);
});

test('keeps the plugin quirks on flags and resources', () => {
  const event = record({
    managementEvent: true,
    sessionCredentialFromConsole: 'true',
    eventSource: 'custom.example.com',
    resources: [{ ARN: 'arn:1' }, { ARN: 'arn:2' }],
    serviceEventDetails: { reason: 'x' },
    requestParameters: { documentName: 'doc' },
  });
  assert.equal(value(event, 'ct.managementevent'), 'true');
  // CloudTrail writes this flag as a string, which the plugin's boolean read turns into false.
  assert.equal(value(event, 'ct.sessioncredentialfromconsole'), 'false');
  assert.equal(value(event, 'ct.shortsrc'), 'custom.example.com');
  assert.equal(value(event, 'ct.resources'), '{"ARN":"arn:1"},{"ARN":"arn:2"}');
  assert.equal(value(event, 'ct.serviceeventdetails'), '');
  assert.equal(value(event, 'ct.request.documentname'), undefined);
});

test('resolves every field the CloudTrail rule file uses', () => {
  const items: Array<{ condition?: string; output?: string }> =
    parse(readFileSync(corpusPath('falco/rules/aws_cloudtrail_rules.yaml'), 'utf8')) ?? [];
  const failures: string[] = [];
  let count = 0;
  for (const item of items) {
    const text = `${item.condition ?? ''} ${item.output ?? ''}`.replace(/"[^"]*"|'[^']*'/g, ' ');
    for (const match of text.matchAll(
      /(?<![\w./-])((?:ct|s3|ec2|ecr|iam|json|jevt)\.[\w.]+)(?:\[([^\]]*)\])?/g,
    )) {
      count++;
      const resolved = resolveField(table, match[1], match[2]);
      if (!resolved.ok) failures.push(`${match[0]}: ${resolved.message}`);
    }
  }
  assert.deepEqual(failures, []);
  assert.ok(count > 50, `only ${count} references found`);
});
