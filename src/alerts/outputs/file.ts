/**
 * The file output: JSON lines (or text lines) appended to a file, rotated by size. When a
 * write would take the file past `maxBytes`, `name` becomes `name.1`, `name.1` becomes
 * `name.2` and so on; files past `keep` are deleted. The file is made readable by its owner
 * only, an existing one too (with a warning).
 */
import { open, rename, rm, stat, type FileHandle } from 'node:fs/promises';
import { formatAlertJson } from '../format.js';
import { privateFileMode, tightenOpenFile } from '../private-file.js';
import type { Destination, DestinationContext } from './types.js';

export interface FileOptions {
  readonly path: string;
  /** `json` (default, Falco JSON lines) or `text`. */
  readonly format?: 'json' | 'text';
  /** Rotate before the file would pass this many bytes; 0 or unset never rotates. */
  readonly maxBytes?: number;
  /** Rotated files kept (`path.1` ... `path.N`); default 5. */
  readonly keep?: number;
}

/**
 * Appends alerts to `options.path`.
 *
 * @example
 * createFileDestination({ path: '/var/log/harrier/alerts.jsonl', maxBytes: 50e6 }, context)
 */
export function createFileDestination(
  options: FileOptions,
  context: DestinationContext,
): Destination {
  let handle: FileHandle | undefined;
  let size = 0;

  const ensureOpen = async (): Promise<FileHandle> => {
    if (handle !== undefined) return handle;
    // Readable too: its first line shows whether a file left 0644 is Harrier's to tighten.
    handle = await open(options.path, 'a+', privateFileMode);
    // The mode applies only to a file this open creates; one an older Harrier left 0644 is
    // tightened here.
    await tightenOpenFile(handle, options.path, context.logger);
    size = (await stat(options.path)).size;
    return handle;
  };
  const rotate = async (): Promise<void> => {
    await handle?.close();
    handle = undefined;
    const keep = options.keep ?? 5;
    await rm(`${options.path}.${keep}`, { force: true });
    for (let index = keep - 1; index >= 1; index--) {
      await rename(`${options.path}.${index}`, `${options.path}.${index + 1}`).catch(ignoreMissing);
    }
    await rename(options.path, `${options.path}.1`).catch(ignoreMissing);
  };

  return {
    batchSize: 200,
    async send(deliveries) {
      const lines = deliveries.map(({ alert }) =>
        options.format === 'text' ? context.template.render(alert) : formatAlertJson(alert),
      );
      const text = lines.map((line) => `${line}\n`).join('');
      const bytes = Buffer.byteLength(text);
      await ensureOpen();
      if (options.maxBytes && size > 0 && size + bytes > options.maxBytes) await rotate();
      const file = await ensureOpen();
      await file.appendFile(text);
      size += bytes;
    },
    async close() {
      await handle?.close();
      handle = undefined;
    },
  };
}

function ignoreMissing(error: NodeJS.ErrnoException): void {
  if (error.code !== 'ENOENT') throw error;
}
