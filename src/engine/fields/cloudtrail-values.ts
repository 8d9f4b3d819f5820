/**
 * Value readers behind the derived `aws_cloudtrail` fields (user identity, `ct.info`, `s3.*`,
 * `ec2.*`), following the cloudtrail plugin's extraction code
 * (plugins/cloudtrail/pkg/cloudtrail/extract.go), quirks included.
 * @internal
 */
import { isJsonObject, isJsonTrue, jsonGet, jsonMarshal, jsonString } from './json-access.js';

/** fastjson `GetStringBytes` on a present value: its text, or "" when it is not a string. */
export function stringOrEmpty(value: unknown): string | undefined {
  if (value === undefined) return undefined;
  return typeof value === 'string' ? value : '';
}

/** `ct.user`: the user name, chosen by identity type as the plugin chooses it. */
export function userName(root: unknown): string | undefined {
  switch (jsonString(root, 'userIdentity', 'type')) {
    case 'Root':
    case 'IAMUser':
      return stringOrEmpty(jsonGet(root, 'userIdentity', 'userName'));
    case 'AWSService':
      return stringOrEmpty(jsonGet(root, 'userIdentity', 'invokedBy'));
    case 'AssumedRole':
      return (
        stringOrEmpty(
          jsonGet(root, 'userIdentity', 'sessionContext', 'sessionIssuer', 'userName'),
        ) ?? 'AssumedRole'
      );
    case 'AWSAccount':
      return 'AWSAccount';
    case 'FederatedUser':
      return 'FederatedUser';
    default:
      return undefined;
  }
}

/** `ct.originaluser`: the session name for assumed roles, else `userIdentity.userName`. */
export function originalUserName(root: unknown): string | undefined {
  if (jsonString(root, 'userIdentity', 'type') !== 'AssumedRole') {
    return stringOrEmpty(jsonGet(root, 'userIdentity', 'userName'));
  }
  const arn = stringOrEmpty(jsonGet(root, 'userIdentity', 'arn'));
  const arnParts = arn?.split('/');
  if (arnParts && arnParts.length === 3) return arnParts[2];
  const principalParts = stringOrEmpty(jsonGet(root, 'userIdentity', 'principalId'))?.split(':');
  return principalParts && principalParts.length === 2 ? principalParts[1] : undefined;
}

/** `ct.shortsrc`: `eventSource` without a trailing `.amazonaws.com`. */
export function shortSource(root: unknown): string | undefined {
  const source = stringOrEmpty(jsonGet(root, 'eventSource'));
  const trailer = '.amazonaws.com';
  if (source !== undefined && source.length > trailer.length && source.endsWith(trailer)) {
    return source.slice(0, -trailer.length);
  }
  return source;
}

/** Fields such as `ct.managementevent`: "true" or "false" when present. */
export function presentFlag(root: unknown, key: string): string | undefined {
  const value = jsonGet(root, key);
  if (value === undefined) return undefined;
  return isJsonTrue(value) ? 'true' : 'false';
}

/** Marshalled value at `key`, for `ct.request`, `ct.response` and the like. */
export function marshalledAt(root: unknown, key: string): string | undefined {
  const value = jsonGet(root, key);
  return value === undefined ? undefined : jsonMarshal(value);
}

/** `ct.resources`: each resource as JSON, joined by commas. */
export function resources(root: unknown): string | undefined {
  const list = jsonGet(root, 'resources');
  if (!Array.isArray(list) || list.length === 0) return undefined;
  return list.map(jsonMarshal).join(',') || undefined;
}

/** `s3.uri`: `s3://bucket/key` when both are strings. */
export function s3Uri(root: unknown): string | undefined {
  const bucket = jsonString(root, 'requestParameters', 'bucketName');
  const key = jsonString(root, 'requestParameters', 'key');
  return bucket === undefined || key === undefined ? undefined : `s3://${bucket}/${key}`;
}

/** The plugin's `getvalueU64`: integer or truncated float, 0 for anything else. */
function unsigned(value: unknown): bigint {
  if (typeof value !== 'number' || !Number.isFinite(value)) return 0n;
  return BigInt.asUintN(64, BigInt(Math.trunc(value)));
}

/** Sum of the transferred byte counts named in `keys` that are present. */
export function transferredBytes(root: unknown, keys: readonly string[]): bigint | undefined {
  const values = keys
    .map((key) => jsonGet(root, 'additionalEventData', key))
    .filter((value) => value !== undefined);
  return values.length === 0
    ? undefined
    : values.reduce<bigint>((total, value) => total + unsigned(value), 0n);
}

/** `ec2.name`: the Name tag of the (last) instance in the request's tag specifications. */
export function instanceName(root: unknown): string | undefined {
  const items = jsonGet(root, 'requestParameters', 'tagSpecificationSet', 'items');
  if (!Array.isArray(items)) return undefined;
  let name = '';
  for (const item of items) {
    if (jsonString(item, 'resourceType') !== 'instance') continue;
    const tags = jsonGet(item, 'tags');
    const nameTag = Array.isArray(tags)
      ? tags.find((tag) => jsonString(tag, 'key') === 'Name')
      : undefined;
    if (nameTag !== undefined) name = jsonString(nameTag, 'value') ?? '';
  }
  return name === '' ? undefined : name;
}

/** `ec2.imageids`: image ids of the instances involved, or the one at `index`. */
export function imageIds(root: unknown, index: number | undefined): string[] | undefined {
  const items = jsonGet(root, 'responseElements', 'instancesSet', 'items');
  if (items !== undefined) {
    const list = Array.isArray(items) ? items : [];
    if (index === undefined) {
      const ids = list.map((item) => jsonString(item, 'imageId') ?? '').filter((id) => id !== '');
      return ids.length === 0 ? undefined : ids;
    }
    if (index < 0 || index >= list.length) return undefined;
    const id = stringOrEmpty(jsonGet(list[index], 'imageId'));
    return id === undefined ? undefined : [id];
  }
  if (index !== undefined && index !== 0) return undefined;
  const paths = [
    ['imageId'],
    ['DescribeFastLaunchImagesRequest', 'ImageId', 'content'],
    ['launchSpecification', 'imageId'],
  ];
  // A present JSON null still counts, as in the plugin, so `??` would not do here.
  const single = paths
    .map((path) => jsonGet(root, 'requestParameters', ...path))
    .find((value) => value !== undefined);
  const id = stringOrEmpty(single);
  return id === undefined ? undefined : [id];
}

/** `ct.readonly`: "true" only for a JSON `true`; absent when the record has no readOnly. */
export function readOnly(root: unknown): string | undefined {
  return presentFlag(root, 'readOnly');
}

/** Whether the record carries a `PublicAccessBlockConfiguration` object in its request. */
export function hasPublicAccessBlock(root: unknown): boolean {
  return isJsonObject(jsonGet(root, 'requestParameters', 'PublicAccessBlockConfiguration'));
}
