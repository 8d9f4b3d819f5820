/**
 * The places a command will write that the configuration names (`state_dir`, `store.path`),
 * checked with the rest of the file: a missing or unwritable directory is reported at its
 * key's line with every other problem, not on its own after they are fixed.
 */
import path from 'node:path';
import type { Document, Node } from 'yaml';
import { prepareStorePath, StorePathError } from '../store/index.js';
import type { ConfigReader } from './reader.js';
import type { HarrierConfig } from './types.js';

/** What the command will write where the configuration says; nothing is checked by default. */
export interface ConfigUse {
  /**
   * The command delivers to the outputs (`run`, and `serve` with a configuration): their
   * queues go to `state_dir`, and the files and sockets they write are checked too.
   */
  readonly queues?: boolean;
  /**
   * Rule files were given with `-r`: they replace `rules_files`, and a warning there says so.
   */
  readonly rulesFromCommandLine?: boolean;
  /** The store is opened where the configuration puts it (no `--store`/`--no-store` flag). */
  readonly store?: boolean;
  /**
   * The command delivers nothing (`alerts` reads the store path only): `outputs` is neither
   * read nor checked, so a `${VAR}` there that this shell does not set is no error.
   */
  readonly noOutputs?: boolean;
  /**
   * The command that uses only the rule, priority and store settings (`replay` prints its
   * alerts): `outputs`, `grouping`, `metrics` and `sources` are not read, and a warning at each
   * key present says so rather than let the user wait for what the section would do.
   */
  readonly rulesAndStoreOnly?: string;
}

/**
 * Records an error at `state_dir` or `store.path` when the directory a database goes to is
 * missing, not a directory or not writable. Harrier's default places are left out: the default
 * state directory is made when missing.
 */
export function checkDirectories(
  reader: ConfigReader,
  document: Document,
  config: HarrierConfig,
  use: ConfigUse,
): void {
  const stateDir = keyNode(reader, document, 'state_dir');
  let stateDirFailed = false;
  if (use.queues && stateDir !== undefined && config.outputs.length > 0) {
    const queueFile = path.join(config.stateDir, 'queue.db');
    stateDirFailed = !checkPlace(reader, stateDir, 'state_dir', queueFile, 'the output queues');
  }
  if (!use.store || !config.store.enabled) return;
  const storePath = keyNode(reader, document, 'store.path');
  if (storePath !== undefined)
    checkPlace(reader, storePath, 'store.path', config.store.path, 'the alert store');
  else if (stateDir !== undefined && !stateDirFailed)
    checkPlace(reader, stateDir, 'state_dir', config.store.path, 'the alert store');
}

/** The node of `key` (dotted) when the file sets it and it has no problem of its own. */
function keyNode(reader: ConfigReader, document: Document, key: string): Node | undefined {
  if (reader.diagnostics.some((diagnostic) => diagnostic.key === key)) return undefined;
  const node: unknown = document.getIn(key.split('.'), true);
  return node === undefined || node === null ? undefined : (node as Node);
}

/** False, after recording why at `node`, when `file` (a database, an output's file) cannot be written. */
export function checkPlace(
  reader: ConfigReader,
  node: Node,
  key: string,
  file: string,
  what: string,
): boolean {
  try {
    prepareStorePath(file, false);
    return true;
  } catch (error) {
    if (!(error instanceof StorePathError)) throw error;
    reader.error(node, key, `cannot keep ${what} where '${key}' says: ${error.message}`);
    return false;
  }
}
