/**
 * The `aws_cloudtrail` field table: every field of Falco's cloudtrail plugin (`ct.*`, `s3.*`,
 * `ec2.*`, `ecr.*`, `iam.*`) plus the json plugin's fields. Names, types, argument modes and
 * flags follow the plugin's field list (plugins/cloudtrail/pkg/cloudtrail/extract.go; its
 * `hidden` property is libs' table-only flag); the descriptions are Harrier's own.
 */
import type { CloudTrailEvent } from '../../decode/json-events.js';
import type { FieldDefinition, FieldTable, FieldType, FieldValue } from './types.js';
import { createFieldTable } from './rows.js';
import { createJsonFieldDefinitions } from './json.js';
import { jsonGet, jsonString } from './json-access.js';
import {
  hasPublicAccessBlock,
  imageIds,
  instanceName,
  marshalledAt,
  originalUserName,
  presentFlag,
  readOnly,
  resources,
  s3Uri,
  shortSource,
  stringOrEmpty,
  transferredBytes,
  userName,
} from './cloudtrail-values.js';

/** The source name CloudTrail rules use. */
export const CLOUDTRAIL_SOURCE = 'aws_cloudtrail';

type TrailReader = (root: unknown, argument: string | undefined) => FieldValue | undefined;

interface TrailFieldOptions {
  type?: FieldType;
  tableOnly?: boolean;
  isList?: boolean;
  argument?: 'allowed';
  argumentKind?: 'index';
}

function trailField(
  name: string,
  description: string,
  read: TrailReader,
  options: TrailFieldOptions = {},
): FieldDefinition<CloudTrailEvent> {
  return {
    name,
    type: 'CHARBUF',
    argument: 'none',
    description,
    plugin: 'cloudtrail',
    ...options,
    extract: (event, argument) => {
      const value = read(event.raw, argument);
      return Array.isArray(value) && value.length === 0 ? undefined : value;
    },
  };
}

/** A field that is the string at `keys` ("" when the value there is not a string). */
const stringAt =
  (...keys: string[]): TrailReader =>
  (root) =>
    stringOrEmpty(jsonGet(root, ...keys));

const request = (key: string) => stringAt('requestParameters', key);
const hidden = { tableOnly: true } as const;

/** `ct.info`: who did what from where, with read/write and error marks and a detail. */
function eventSummary(root: unknown): string {
  const user = userName(root);
  if (user === undefined) return '<invalid cloudtrail event: userIdentity field missing>';
  const sourceIp = stringOrEmpty(jsonGet(root, 'sourceIPAddress'));
  if (sourceIp === undefined) return '<invalid cloudtrail event: eventSource field missing>';
  const errorMark = jsonGet(root, 'errorCode') === undefined ? '' : '!';
  const direction = readOnly(root) === 'false' ? '→' : '←';
  const name = stringOrEmpty(jsonGet(root, 'eventName'));
  if (name === undefined) return '<invalid cloudtrail event: eventName field missing>';
  const who = user === sourceIp ? user : `${user} via ${sourceIp}`;
  const summary = `${who} ${errorMark}${direction} ${name}`;
  if (name === 'PutBucketPublicAccessBlock') {
    if (!hasPublicAccessBlock(root)) return summary;
    // The plugin reads these four flags from the top of the record, where they never are.
    const flag = (key: string) => `${key}=${jsonGet(root, key) === true}`;
    const flags = [
      'BlockPublicAcls',
      'BlockPublicPolicy',
      'IgnorePublicAcls',
      'RestrictPublicBuckets',
    ];
    return `${summary} ${flags.map(flag).join(' ')} `;
  }
  return summary + eventDetail(root);
}

function eventDetail(root: unknown): string {
  const bytes = transferredBytes(root, ['bytesTransferredIn', 'bytesTransferredOut']);
  const size = bytes === undefined ? '' : ` Size=${bytes}`;
  const uri = s3Uri(root);
  if (uri !== undefined) return `${size} URI=${uri}`;
  const details: Array<[string, string | undefined]> = [
    ['Bucket', stringOrEmpty(jsonGet(root, 'requestParameters', 'bucketName'))],
    ['Key', stringOrEmpty(jsonGet(root, 'requestParameters', 'key'))],
    ['Host', stringOrEmpty(jsonGet(root, 'requestParameters', 'Host'))],
  ];
  const detail = details.find(([, value]) => value !== undefined);
  return detail ? `${size} ${detail[0]}=${detail[1]}` : size;
}

/** `ct.user.accountid`; a JSON null account id still counts as present, as in the plugin. */
function accountId(root: unknown): string | undefined {
  const own = jsonGet(root, 'userIdentity', 'accountId');
  return stringOrEmpty(own !== undefined ? own : jsonGet(root, 'recipientAccountId'));
}

function eventName(root: unknown): string {
  return jsonString(root, 'eventName') ?? '';
}

function coreFields(): FieldDefinition<CloudTrailEvent>[] {
  return [
    trailField('ct.id', 'Unique id of the CloudTrail event (eventID).', stringAt('eventID')),
    trailField(
      'ct.error',
      'Error code of the call; absent when it succeeded.',
      stringAt('errorCode'),
    ),
    trailField(
      'ct.errormessage',
      'Error message of the call; absent when it succeeded.',
      stringAt('errorMessage'),
    ),
    trailField(
      'ct.time',
      'Event time as CloudTrail writes it (eventTime).',
      stringAt('eventTime'),
      hidden,
    ),
    trailField(
      'ct.src',
      'AWS service that recorded the event (eventSource).',
      stringAt('eventSource'),
    ),
    trailField('ct.shortsrc', 'AWS service without its .amazonaws.com suffix.', shortSource),
    trailField('ct.name', 'Name of the API call or event (eventName).', stringAt('eventName')),
    trailField('ct.user', 'User behind the event; for assumed roles, the role name.', userName),
    trailField(
      'ct.originaluser',
      'User name as CloudTrail shows it; for assumed roles, the session name.',
      originalUserName,
    ),
    trailField(
      'ct.user.accountid',
      'Account id of the user, or the recipient account when absent.',
      accountId,
    ),
    trailField(
      'ct.user.identitytype',
      'Kind of identity, such as Root, IAMUser or AssumedRole.',
      stringAt('userIdentity', 'type'),
    ),
    trailField(
      'ct.user.principalid',
      'Unique id of the principal that made the call.',
      stringAt('userIdentity', 'principalId'),
    ),
    trailField(
      'ct.user.arn',
      'ARN of the principal that made the call.',
      stringAt('userIdentity', 'arn'),
    ),
    trailField('ct.region', 'AWS region of the event (awsRegion).', stringAt('awsRegion')),
    trailField(
      'ct.response.subnetid',
      'Subnet id in the response.',
      stringAt('responseElements', 'subnetId'),
    ),
    trailField(
      'ct.response.reservationid',
      'Reservation id in the response.',
      stringAt('responseElements', 'reservationId'),
    ),
    trailField('ct.response', 'Every response element, as JSON.', (root) =>
      marshalledAt(root, 'responseElements'),
    ),
    trailField(
      'ct.request.availabilityzone',
      'Availability zone in the request.',
      request('availabilityZone'),
    ),
    trailField('ct.request.cluster', 'Cluster in the request.', request('cluster')),
    trailField('ct.request.functionname', 'Function name in the request.', request('functionName')),
    trailField('ct.request.groupname', 'Group name in the request.', request('groupName')),
    trailField('ct.request.host', 'Host in the request.', request('Host')),
    trailField('ct.request.name', 'Name of what the request acts on.', request('name')),
    trailField('ct.request.policy', 'Policy in the request.', request('policy')),
    trailField('ct.request.reason', 'Reason in the request.', request('reason')),
    trailField('ct.request.target', 'Target in the request.', request('target')),
    // The plugin matches this name with a capital N, so it never yields a value; nor does Harrier.
    trailField(
      'ct.request.documentname',
      'Document name in the request (never set, as in the plugin).',
      () => undefined,
    ),
    trailField('ct.request.serialnumber', 'Serial number in the request.', request('serialNumber')),
    trailField('ct.request.servicename', 'Service name in the request.', request('serviceName')),
    trailField('ct.request.subnetid', 'Subnet id in the request.', request('subnetId')),
    trailField(
      'ct.request.taskdefinition',
      'Task definition in the request.',
      request('taskDefinition'),
    ),
    trailField('ct.request.username', 'User name in the request.', request('userName')),
    trailField('ct.request', 'Every request parameter, as JSON.', (root) =>
      marshalledAt(root, 'requestParameters'),
    ),
    trailField(
      'ct.srcip',
      'Address the call came from (sourceIPAddress).',
      stringAt('sourceIPAddress'),
    ),
    trailField('ct.useragent', 'User agent of the caller.', stringAt('userAgent')),
    trailField(
      'ct.info',
      'One-line summary of the event: user, address, direction, name and detail.',
      eventSummary,
    ),
  ];
}

function recordFields(): FieldDefinition<CloudTrailEvent>[] {
  return [
    trailField('ct.managementevent', "'true' for management events, 'false' otherwise.", (root) =>
      presentFlag(root, 'managementEvent'),
    ),
    trailField(
      'ct.readonly',
      "'true' when the call only reads state, 'false' when it changes it.",
      readOnly,
    ),
    trailField('ct.requestid', 'Id of the request.', stringAt('requestID')),
    trailField(
      'ct.eventtype',
      'Type of the event record, such as AwsApiCall.',
      stringAt('eventType'),
    ),
    trailField('ct.apiversion', 'API version of an AwsApiCall.', stringAt('apiVersion')),
    trailField(
      'ct.resources',
      'Resources the event touched, as JSON objects joined by commas.',
      resources,
    ),
    trailField(
      'ct.recipientaccountid',
      'Account that received the event.',
      stringAt('recipientAccountId'),
    ),
    trailField(
      'ct.serviceeventdetails',
      'Details of a service event (a string only).',
      stringAt('serviceEventDetails'),
    ),
    trailField(
      'ct.sharedeventid',
      'Id CloudTrail shares between copies of one event.',
      stringAt('sharedEventID'),
    ),
    trailField(
      'ct.vpcendpointid',
      'VPC endpoint the request went through.',
      stringAt('vpcEndpointId'),
    ),
    trailField(
      'ct.eventcategory',
      'Category of the event, such as Management or Data.',
      stringAt('eventCategory'),
    ),
    trailField(
      'ct.addendum.reason',
      'Why the event or part of it came late.',
      stringAt('addendum', 'reason'),
    ),
    trailField(
      'ct.addendum.updatedfields',
      'Fields a late addendum updated.',
      stringAt('addendum', 'updatedFields'),
    ),
    trailField(
      'ct.addendum.originalrequestid',
      'Request id of the original event an addendum completes.',
      stringAt('addendum', 'originalRequestID'),
    ),
    trailField(
      'ct.addendum.originaleventid',
      'Event id of the original event an addendum completes.',
      stringAt('addendum', 'originalEventID'),
    ),
    trailField(
      'ct.sessioncredentialfromconsole',
      "'true' when the session came from the AWS console (a JSON true only).",
      (root) => presentFlag(root, 'sessionCredentialFromConsole'),
    ),
    trailField(
      'ct.edgedevicedetails',
      'Edge devices the request targets (a string only).',
      stringAt('edgeDeviceDetails'),
    ),
    trailField(
      'ct.tlsdetails.tlsversion',
      'TLS version of the request.',
      stringAt('tlsDetails', 'tlsVersion'),
    ),
    trailField(
      'ct.tlsdetails.ciphersuite',
      'TLS cipher suite of the request.',
      stringAt('tlsDetails', 'cipherSuite'),
    ),
    trailField(
      'ct.tlsdetails.clientprovidedhostheader',
      'Host name the client sent to the service.',
      stringAt('tlsDetails', 'clientProvidedHostHeader'),
    ),
    trailField('ct.additionaleventdata', 'Additional event data, as JSON.', (root) =>
      marshalledAt(root, 'additionalEventData'),
    ),
  ];
}

function serviceFields(): FieldDefinition<CloudTrailEvent>[] {
  const count = { type: 'UINT64', tableOnly: true } as const;
  return [
    trailField('s3.uri', 'S3 object URI, s3://bucket/key.', s3Uri),
    trailField('s3.bucket', 'S3 bucket of the request.', request('bucketName')),
    trailField('s3.key', 'S3 object key of the request.', request('key')),
    trailField(
      's3.bytes',
      'Bytes moved by an S3 upload or download.',
      (root) => transferredBytes(root, ['bytesTransferredIn', 'bytesTransferredOut']),
      { type: 'UINT64' },
    ),
    trailField(
      's3.bytes.in',
      'Bytes uploaded to S3.',
      (root) => transferredBytes(root, ['bytesTransferredIn']),
      count,
    ),
    trailField(
      's3.bytes.out',
      'Bytes downloaded from S3.',
      (root) => transferredBytes(root, ['bytesTransferredOut']),
      count,
    ),
    trailField(
      's3.cnt.get',
      'Is 1 for GetObject events.',
      (root) => (eventName(root) === 'GetObject' ? 1n : undefined),
      count,
    ),
    trailField(
      's3.cnt.put',
      'Is 1 for PutObject events.',
      (root) => (eventName(root) === 'PutObject' ? 1n : undefined),
      count,
    ),
    trailField(
      's3.cnt.other',
      'Is 1 for events other than GetObject and PutObject.',
      (root) => (['GetObject', 'PutObject'].includes(eventName(root)) ? undefined : 1n),
      count,
    ),
    trailField('ec2.name', 'Name tag of the EC2 instance in the request.', instanceName),
    trailField(
      'ec2.imageid',
      'Image id of the first EC2 instance involved (older form of ec2.imageids[0]).',
      (root) => imageIds(root, 0)?.[0],
    ),
    trailField(
      'ec2.imageids',
      'Image ids of the EC2 instances involved.',
      (root, argument) => imageIds(root, argument === undefined ? undefined : Number(argument)),
      {
        isList: true,
        argument: 'allowed',
        argumentKind: 'index',
      },
    ),
    trailField('ecr.repository', 'ECR repository named in the request.', request('repositoryName')),
    trailField('ecr.imagetag', 'Image tag named in the request.', request('imageTag')),
    trailField('iam.role', 'IAM role named in the request.', request('roleName')),
    trailField('iam.policy', 'IAM policy named in the request.', request('policyName')),
  ];
}

/** Builds the `aws_cloudtrail` table: the cloudtrail plugin's fields, then the json plugin's. */
export function createCloudTrailFieldTable(): FieldTable<CloudTrailEvent> {
  return createFieldTable<CloudTrailEvent>(CLOUDTRAIL_SOURCE, [
    ...coreFields(),
    ...recordFields(),
    ...serviceFields(),
    ...createJsonFieldDefinitions(),
  ]);
}
