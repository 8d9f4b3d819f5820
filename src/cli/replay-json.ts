/**
 * Kubernetes audit and CloudTrail files for `harrier replay`: each file becomes decoded
 * events, gathered into one time-ordered list per source, that the replay command merges
 * with capture events by time.
 */
import type { JsonSourceEvent } from '../decode/json-events.js';
import type { RecordError } from '../sources/k8s-audit/index.js';
import type { ByteSource } from '../sources/files/index.js';
import type { JsonDetection, JsonSource } from './json-pipeline.js';
import { readJsonLog } from './json-log-file.js';

/** One source's events from the given paths, sorted by time. */
export interface JsonReplaySource {
  source: JsonSource;
  /** Sorted by `ts`; events with equal times keep their read order. */
  events: JsonSourceEvent[];
}

/**
 * Reads audit logs and CloudTrail files one at a time, decoding their records as they come.
 * Malformed lines and records of a recognised file are counted and logged through `detection`
 * with their file and line, and skipped; a file that cannot be read to its end (missing,
 * empty, of neither kind, a broken gzip stream) is returned as a failure.
 */
// LIMIT: the events of every file are held in memory until all are read, to sort them by time.
export class JsonReplayReader {
  private readonly bySource = new Map<JsonSource, JsonSourceEvent[]>();
  private readonly sink = {
    take: (
      source: JsonSource,
      records: Parameters<JsonDetection['take']>[1],
      errors: RecordError[],
    ) => {
      this.detection.reject(source, errors);
      const events = this.eventsOf(source);
      for (const record of records) {
        const event = this.detection.decode(source, record);
        if (event !== undefined) events.push(event);
      }
    },
  };

  constructor(private readonly detection: JsonDetection) {}

  /** Reads one file to its end; a file that could not be, with where and why. */
  async read(input: ByteSource): Promise<RecordError | undefined> {
    return (await readJsonLog(input, this.sink)).failure;
  }

  /** The events read, one time-ordered list per source. */
  sources(): JsonReplaySource[] {
    return [...this.bySource].map(([source, events]) => ({ source, events: sortByTime(events) }));
  }

  private eventsOf(source: JsonSource): JsonSourceEvent[] {
    let events = this.bySource.get(source);
    if (events === undefined) this.bySource.set(source, (events = []));
    return events;
  }
}

function sortByTime<T extends { ts: bigint }>(events: T[]): T[] {
  return events.sort((a, b) => (a.ts < b.ts ? -1 : a.ts > b.ts ? 1 : 0));
}
