/**
 * RFC 5424 syslog messages: `<PRI>1 TIMESTAMP HOSTNAME APP-NAME PROCID MSGID SD MSG`, with
 * the alert's source as MSGID and the registered `origin` element as structured data. Falco's
 * eight priorities are exactly the eight syslog severities, Emergency = 0 to Debug = 7.
 */
import type { Alert } from '../alert.js';
import { priorityRank } from '../../detect/index.js';

/** Facility names of RFC 5424 section 6.2.1, by code. */
export const syslogFacilities = [
  'kern',
  'user',
  'mail',
  'daemon',
  'auth',
  'syslog',
  'lpr',
  'news',
  'uucp',
  'cron',
  'authpriv',
  'ftp',
  'ntp',
  'audit',
  'alert',
  'clock',
  'local0',
  'local1',
  'local2',
  'local3',
  'local4',
  'local5',
  'local6',
  'local7',
] as const;

export type SyslogFacility = (typeof syslogFacilities)[number];

export interface SyslogFields {
  readonly facility: SyslogFacility;
  readonly appName: string;
  readonly procId: string;
}

/** The RFC 5424 message for `alert` with `message` as MSG. */
export function formatSyslogMessage(alert: Alert, message: string, fields: SyslogFields): string {
  const pri = syslogFacilities.indexOf(fields.facility) * 8 + priorityRank(alert.priority);
  const header = [
    `<${pri}>1`,
    syslogTimestamp(alert.time),
    headerField(alert.hostname, 255),
    headerField(fields.appName, 48),
    headerField(fields.procId, 128),
    headerField(alert.source, 32),
  ].join(' ');
  return `${header} [origin software="harrier"] ${message}`;
}

/** RFC 3339 in UTC with microseconds, the finest RFC 5424 allows (six fraction digits). */
function syslogTimestamp(nanoseconds: bigint): string {
  const seconds = nanoseconds / 1_000_000_000n;
  const micros = ((nanoseconds % 1_000_000_000n) / 1000n).toString().padStart(6, '0');
  return `${new Date(Number(seconds) * 1000).toISOString().slice(0, 19)}.${micros}Z`;
}

/** A header field: printable ASCII without spaces, cut to `max`, `-` when empty. */
function headerField(text: string, max: number): string {
  const clean = text.replace(/[^\x21-\x7e]/g, '_').slice(0, max);
  return clean === '' ? '-' : clean;
}
