/**
 * CloudTrail log files for command tests.
 * @internal
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';

/**
 * Writes `directory/trail.json` holding `count` S3 GetObject records, one a second from
 * 2024-01-01T00:00:00Z, with event ids `id0`, `id1`, ...; returns its path.
 */
export function writeCloudTrailFile(directory: string, count: number): string {
  const records = Array.from({ length: count }, (_, index) => ({
    eventVersion: '1.08',
    eventType: 'AwsApiCall',
    eventTime: new Date(Date.UTC(2024, 0, 1, 0, 0, index)).toISOString(),
    eventSource: 's3.amazonaws.com',
    eventName: 'GetObject',
    awsRegion: 'us-east-1',
    eventID: `id${index}`,
  }));
  const trail = path.join(directory, 'trail.json');
  writeFileSync(trail, JSON.stringify({ Records: records }));
  return trail;
}
