/**
 * Every output type with the options it takes, as the configuration spells them (snake_case),
 * and how to build its destination. The config loader validates against these descriptions;
 * the router builds from them.
 */
import type { Destination, DestinationContext } from './types.js';
import { syslogFacilities } from './syslog-message.js';
import { createStdoutDestination } from './stdout.js';
import { createFileDestination } from './file.js';
import { createSyslogDestination } from './syslog.js';
import { createProgramDestination } from './program.js';
import { createWebhookDestination } from './webhook.js';
import { createSlackDestination } from './slack.js';
import { createTeamsDestination } from './teams.js';
import { createPagerDutyDestination } from './pagerduty.js';
import { createOpsgenieDestination } from './opsgenie.js';
import { createAlertmanagerDestination } from './alertmanager.js';
import { createSplunkDestination } from './splunk.js';
import { createElasticsearchDestination } from './elasticsearch.js';
import { createLokiDestination } from './loki.js';
import { createNatsDestination } from './nats.js';

/**
 * Value kinds an option may have. `url` is a string that must parse as an http(s) URL; `size`
 * is a byte count (`100MB` in the configuration); `port` a whole number from 1 to 65535;
 * `duration` milliseconds (`5m` in the configuration, a bare number is seconds).
 */
type OptionKind =
  'string' | 'url' | 'number' | 'size' | 'port' | 'duration' | 'boolean' | 'strings' | 'map';

export interface OptionSpec {
  /** The TypeScript property the value lands in. */
  readonly property: string;
  readonly kind: OptionKind;
  readonly required?: boolean;
  /** Allowed values of a string option. */
  readonly values?: readonly string[];
}

export interface OutputKind {
  readonly options: Readonly<Record<string, OptionSpec>>;
  create(options: Record<string, unknown>, context: DestinationContext): Destination;
}

const opt = (property: string, kind: OptionKind, extra: Partial<OptionSpec> = {}): OptionSpec => ({
  property,
  kind,
  ...extra,
});
const required = { required: true };
const jsonOrText = { values: ['json', 'text'] };

/** Output types by the name used as `type:` in the configuration. */
export const outputKinds = {
  stdout: {
    options: { format: opt('format', 'string', { values: ['text', 'json'] }) },
    create: (o, c) => createStdoutDestination(o, c),
  },
  file: {
    options: {
      path: opt('path', 'string', required),
      format: opt('format', 'string', jsonOrText),
      max_size: opt('maxBytes', 'size'),
      keep: opt('keep', 'number'),
    },
    create: (o, c) => createFileDestination(o as never, c),
  },
  syslog: {
    options: {
      transport: opt('transport', 'string', { values: ['udp', 'tcp', 'unix'] }),
      host: opt('host', 'string'),
      port: opt('port', 'port'),
      path: opt('path', 'string'),
      facility: opt('facility', 'string', { values: syslogFacilities }),
      app_name: opt('appName', 'string'),
    },
    create: (o, c) => createSyslogDestination(o, c),
  },
  program: {
    options: {
      command: opt('command', 'string', required),
      format: opt('format', 'string', jsonOrText),
      keep_alive: opt('keepAlive', 'boolean'),
    },
    create: (o, c) => createProgramDestination(o as never, c),
  },
  webhook: {
    options: {
      url: opt('url', 'url', required),
      headers: opt('headers', 'map'),
      concurrency: opt('concurrency', 'number'),
    },
    create: (o) => createWebhookDestination(o as never),
  },
  slack: {
    options: { url: opt('url', 'url', required), username: opt('username', 'string') },
    create: (o, c) => createSlackDestination(o as never, c),
  },
  teams: {
    options: { url: opt('url', 'url', required) },
    create: (o, c) => createTeamsDestination(o as never, c),
  },
  pagerduty: {
    options: {
      url: opt('url', 'url', required),
      routing_key: opt('routingKey', 'string', required),
      dedup_fields: opt('dedupFields', 'strings'),
    },
    create: (o, c) => createPagerDutyDestination(o as never, c),
  },
  opsgenie: {
    options: {
      url: opt('url', 'url', required),
      api_key: opt('apiKey', 'string', required),
      alias_fields: opt('aliasFields', 'strings'),
    },
    create: (o, c) => createOpsgenieDestination(o as never, c),
  },
  alertmanager: {
    options: {
      url: opt('url', 'url', required),
      label_fields: opt('labelFields', 'strings'),
      expire_after: opt('expireAfterMs', 'duration'),
    },
    create: (o, c) => createAlertmanagerDestination(o as never, c),
  },
  splunk: {
    options: {
      url: opt('url', 'url', required),
      token: opt('token', 'string', required),
      sourcetype: opt('sourcetype', 'string'),
      index: opt('index', 'string'),
    },
    create: (o) => createSplunkDestination(o as never),
  },
  elasticsearch: {
    options: {
      url: opt('url', 'url', required),
      index: opt('index', 'string'),
      username: opt('username', 'string'),
      password: opt('password', 'string'),
      api_key: opt('apiKey', 'string'),
    },
    create: (o) => createElasticsearchDestination(o as never),
  },
  loki: {
    options: {
      url: opt('url', 'url', required),
      format: opt('format', 'string', jsonOrText),
      labels: opt('labels', 'map'),
      tenant: opt('tenant', 'string'),
    },
    create: (o, c) => createLokiDestination(o as never, c),
  },
  nats: {
    options: {
      servers: opt('servers', 'strings', required),
      subject: opt('subject', 'string'),
      user: opt('user', 'string'),
      password: opt('password', 'string'),
      token: opt('token', 'string'),
    },
    create: (o) => createNatsDestination(o as never),
  },
} satisfies Record<string, OutputKind>;

export type OutputType = keyof typeof outputKinds;

/** True when `name` is a known output type. */
export function isOutputType(name: string): name is OutputType {
  return Object.hasOwn(outputKinds, name);
}
