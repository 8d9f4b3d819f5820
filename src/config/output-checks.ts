/**
 * Checks of an enabled output's values that its types alone do not catch, each a value that
 * would otherwise fail on every send or quietly do nothing: a source no alert has, a template
 * or NATS subject naming nothing, an empty program command, a file output that cannot be
 * written, a syslog socket that is not there.
 */
import { isScalar, isSeq, type Node, type Scalar } from 'yaml';
import {
  isOwnAlertField,
  NATS_SUBJECT_NAMES,
  scanTemplate,
  TEMPLATE_NAMES,
  type OutputSpec,
} from '../alerts/index.js';
import { statOrUndefined } from '../sources/files/index.js';
import { checkPlace } from './directories.js';
import { ConfigReader, join, type Entries } from './reader.js';
import { ALERT_SOURCES, isSourceField } from './sources-section.js';

/** What the checks need besides the output itself. */
export interface OutputCheckContext {
  /** Output field names `append_output`'s extra_fields add: a template may name them. */
  readonly extraFieldKeys: readonly string[];
  /**
   * The command delivers (run, serve): the places outputs write are checked now, as the
   * state directory is, rather than failing on every send.
   */
  readonly checkPlaces: boolean;
}

/** The sources an output may filter on: the rule sources and Harrier's own alerts. */
const OUTPUT_SOURCES = [...ALERT_SOURCES, 'internal'];

/** Records an error (or a warning) for each value of `spec` that cannot work. */
export function checkOutputValues(
  reader: ConfigReader,
  entries: Entries,
  key: string,
  spec: OutputSpec,
  context: OutputCheckContext,
): void {
  const at = (name: string): Node | null | undefined => entries.get(name)?.value;
  if (spec.sources !== undefined) checkSources(reader, at('sources'), join(key, 'sources'));
  if (spec.template !== undefined)
    checkTemplate(reader, at('template'), join(key, 'template'), spec.template, context);
  const options = spec.options;
  if (spec.type === 'program' && typeof options.command === 'string' && !options.command.trim())
    reader.error(
      at('command'),
      join(key, 'command'),
      `expected a shell command for '${join(key, 'command')}', found an empty one (every alert would count as delivered)`,
    );
  if (spec.type === 'nats') {
    checkNatsServers(reader, at('servers'), join(key, 'servers'));
    if (typeof options.subject === 'string')
      checkNatsSubject(reader, at('subject'), join(key, 'subject'), options.subject);
  }
  if (!context.checkPlaces) return;
  if (spec.type === 'file' && typeof options.path === 'string')
    checkPlace(reader, at('path')!, join(key, 'path'), options.path, `the alerts of '${key}'`);
  if (spec.type === 'syslog' && options.transport === 'unix')
    checkSyslogSocket(reader, at('path') ?? at('transport'), key, options.path as string);
}

function checkSources(reader: ConfigReader, node: Node | null | undefined, key: string): void {
  const items = isSeq(node) ? (node.items as (Node | null)[]) : [node];
  items.forEach((item, index) => {
    const name = isScalar(item) ? String(item.value) : '';
    if (OUTPUT_SOURCES.includes(name)) return;
    reader.error(
      item,
      isSeq(node) ? `${key}[${index}]` : key,
      `unknown source '${name}' in '${key}'; expected ${ALERT_SOURCES.join(', ')} or internal (Harrier's own alerts)`,
    );
  });
}

/** An unclosed `{{` and every name that is neither a template name nor a known field. */
function checkTemplate(
  reader: ConfigReader,
  node: Node | null | undefined,
  key: string,
  text: string,
  context: OutputCheckContext,
): void {
  const placed = reader.placed(node as Scalar, text);
  const { placeholders, malformedAt } = scanTemplate(text);
  for (const { name, offset } of placeholders) {
    if (isTemplateName(name, context)) continue;
    reader.errorAt(
      placed.locate(offset),
      key,
      `unknown name '${name}' in the template; expected ${TEMPLATE_NAMES.join(', ')}, a field of an alert source (proc.name, ka.verb ...) or an extra_fields name of append_output`,
    );
  }
  if (malformedAt === undefined) return;
  const closed = text.indexOf('}}', malformedAt) >= 0;
  reader.errorAt(
    placed.locate(malformedAt),
    key,
    closed
      ? "expected a name such as {{rule}} or {{proc.name}} after '{{'"
      : "expected '}}' to close the '{{' opened here, found the end of the template",
  );
}

function isTemplateName(name: string, context: OutputCheckContext): boolean {
  // A field transformer's output field (`tolower(proc.name)`) is known when its field is.
  const inner = /^[a-z_]+\((.+)\)$/.exec(name)?.[1];
  if (inner !== undefined) return isTemplateName(inner, context);
  return (
    TEMPLATE_NAMES.includes(name) ||
    context.extraFieldKeys.includes(name) ||
    isOwnAlertField(name) ||
    isSourceField(name)
  );
}

/** Each server a `nats://` or `tls://` URL or `host:port`, one per list item. */
function checkNatsServers(reader: ConfigReader, node: Node | null | undefined, key: string): void {
  const items = isSeq(node) ? (node.items as (Node | null)[]) : [node];
  items.forEach((item, index) => {
    const text = isScalar(item) && typeof item.value === 'string' ? item.value : undefined;
    if (text === undefined || natsServerIsValid(text)) return;
    reader.error(
      item,
      isSeq(node) ? `${key}[${index}]` : key,
      `expected a NATS server like nats://127.0.0.1:4222 (one per list item) in '${key}', found '${text}'`,
    );
  });
}

function natsServerIsValid(text: string): boolean {
  if (/[\s,]/.test(text)) return false;
  try {
    const url = new URL(text.includes('://') ? text : `nats://${text}`);
    return (url.protocol === 'nats:' || url.protocol === 'tls:') && url.hostname !== '';
  } catch {
    return false;
  }
}

/** Braces hold a known name; a subject has no spaces and no wildcards (a publish needs none). */
function checkNatsSubject(
  reader: ConfigReader,
  node: Node | null | undefined,
  key: string,
  subject: string,
): void {
  const placed = reader.placed(node as Scalar, subject);
  const names = NATS_SUBJECT_NAMES.join('}, {');
  for (const match of subject.matchAll(/\{([^}]*)\}?|[\s*>]/g)) {
    const [whole, name] = match;
    const message =
      name === undefined
        ? `expected no spaces or wildcards (* >) in a NATS subject, found '${whole}'`
        : !whole.endsWith('}')
          ? `expected '}' to close the '{' opened here in the subject`
          : (NATS_SUBJECT_NAMES as readonly string[]).includes(name)
            ? undefined
            : `unknown name '{${name}}' in the subject; expected {${names}}`;
    if (message !== undefined) reader.errorAt(placed.locate(match.index), key, message);
  }
}

/**
 * A warning when the unix socket is not there: a syslog daemon may create it after Harrier
 * starts, so alerts wait in the queue rather than stop the start.
 */
function checkSyslogSocket(
  reader: ConfigReader,
  node: Node | null | undefined,
  key: string,
  socketPath = '/dev/log',
): void {
  const isSocket = statOrUndefined(socketPath)?.isSocket();
  if (isSocket === true) return;
  const problem = isSocket === undefined ? 'does not exist' : 'is not a socket';
  reader.warning(
    node,
    join(key, 'path'),
    `syslog socket ${socketPath} ${problem}; alerts wait in the queue until it does`,
    'HARRIER_CONFIG_NOT_FOUND',
  );
}
