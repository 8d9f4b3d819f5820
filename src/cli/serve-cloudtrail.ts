/**
 * `harrier serve`'s CloudTrail inputs: files and zip archives named read once, stdin read
 * to its end (plain or gzip), and directories watched. The files a watch has read are
 * recorded in the state directory, so that a restart reads only new and changed files.
 */
import path from 'node:path';
import type { Logger } from 'pino';
import { openPrivateDatabase } from '../alerts/index.js';
import { prepareStorePath } from '../store/index.js';
import {
  isDirectory,
  readTrailFile,
  readTrailStream,
  TRAIL_LEDGER_TABLES,
  TrailLedger,
  TrailWatch,
  type ForgottenFiles,
  type TrailRead,
} from '../sources/cloudtrail/index.js';
import { silentLogger } from '../log.js';
import { FailureOnce } from './failure-once.js';
import type { JsonDetection } from './json-pipeline.js';

/** The file in the state directory recording the CloudTrail files read. */
const TRAIL_LEDGER_FILE = 'cloudtrail.db';

/** Where serve keeps which CloudTrail files it read. */
export interface CloudTrailState {
  /** The state directory; undefined: nothing is kept, and every start reads every file. */
  stateDir?: string;
  /** Harrier's default directory: made when missing, done without (warned) when unusable. */
  isDefault?: boolean;
  /** Forget the files read before: every file is read again. */
  fromStart?: boolean;
}

/** One started input: how to stop it and, for one that ends by itself, when it has. */
interface StartedInput {
  stop(): Promise<void>;
  ended?: Promise<void>;
}

/** The CloudTrail inputs of one serve, sharing the record of files read. */
export class CloudTrailInputs {
  /** Inputs named (files, archive members, stdin) that gave no record, only errors. */
  unreadable = 0;
  private ledger: TrailLedger | undefined;
  private watching = 0;
  private readonly logger: Logger;

  constructor(
    private readonly detection: JsonDetection,
    logger: Logger | undefined,
    private readonly state: CloudTrailState = {},
  ) {
    this.logger = logger ?? silentLogger();
  }

  /**
   * Starts reading `target`: `-` (stdin), a directory (watched) or a file. Rejects when the
   * path cannot be read, or the record of files read cannot be kept where the configuration
   * says.
   */
  async start(target: string): Promise<StartedInput> {
    if (target === '-') return this.readStdin();
    let directory: boolean;
    try {
      directory = await isDirectory(target);
      if (!directory) {
        (await readTrailFile(target)).forEach((read) => this.takeNamed(read));
        return { stop: () => Promise.resolve(), ended: Promise.resolve() };
      }
    } catch (error) {
      const reason = (error as Error).message;
      throw new Error(`cannot read the CloudTrail path ${target}: ${reason}`, { cause: error });
    }
    return this.watch(target);
  }

  private readStdin(): StartedInput {
    const seen = { records: 0, errors: 0 };
    const take = (read: TrailRead) => {
      seen.records += read.records.length;
      seen.errors += read.errors.length;
      this.take(read);
    };
    const done = readTrailStream(process.stdin, '-', take).then(
      () => {
        if (seen.records === 0 && seen.errors > 0) this.noteUnreadable('-');
      },
      (error: unknown) => {
        this.unreadable++;
        this.logger.error(
          { file: '-', err: error },
          'CloudTrail stdin read failed; it is left out',
        );
      },
    );
    return { stop: () => done, ended: done };
  }

  private take(read: TrailRead): void {
    this.detection.reject('aws_cloudtrail', read.errors);
    this.detection.take('aws_cloudtrail', read.records);
  }

  /** A file named: one that gave errors and no record could not be read at all. */
  private takeNamed(read: TrailRead): void {
    this.take(read);
    if (read.records.length === 0 && read.errors.length > 0)
      this.noteUnreadable(read.errors[0].origin.file ?? '');
  }

  private noteUnreadable(file: string): void {
    this.unreadable++;
    this.logger.error(
      { file },
      'CloudTrail input could not be read; serve will exit with status 1',
    );
  }

  private async watch(directory: string): Promise<StartedInput> {
    // A directory removed while served fails every scan: warned about once, until a scan works.
    const failure = new FailureOnce((error) =>
      this.logger.warn(
        { file: directory, err: error },
        'CloudTrail directory scan failed; retrying at the next scan',
      ),
    );
    const watch = new TrailWatch(directory, {
      ledger: this.openLedger(),
      onFile: (_file, read) => this.take(read),
      onSkipped: (file, reason, more) => this.warnSkipped(file, reason, more),
      onScanned: () => failure.succeeded(),
      onError: (error) => failure.failed(error),
    });
    this.watching++;
    const stop = async () => {
      await watch.stop();
      if (--this.watching > 0) return;
      this.ledger?.close();
      this.ledger = undefined;
    };
    try {
      await watch.start();
    } catch (error) {
      await stop();
      const reason = (error as Error).message;
      throw new Error(`cannot read the CloudTrail path ${directory}: ${reason}`, { cause: error });
    }
    return { stop };
  }

  private warnSkipped(file: string, reason: string, more: boolean | undefined): void {
    if (more === true)
      this.logger.warn(
        { file, reason },
        'more files in the CloudTrail directory are not read; from this one on they are not named',
      );
    else this.logger.warn({ file, reason }, 'file in the CloudTrail directory not read; skipped');
  }

  /** The record shared by every watch: in the state directory, or in memory when none. */
  private openLedger(): TrailLedger {
    if (this.ledger !== undefined) return this.ledger;
    const { stateDir, isDefault = false, fromStart = false } = this.state;
    const file = stateDir === undefined ? undefined : path.join(stateDir, TRAIL_LEDGER_FILE);
    let db;
    try {
      if (file !== undefined) {
        prepareStorePath(file, isDefault);
        db = openPrivateDatabase(file, TRAIL_LEDGER_TABLES, this.logger);
      }
    } catch (error) {
      const reason = `cannot keep the record of CloudTrail files read in ${file}: ${(error as Error).message}`;
      if (!isDefault) throw new Error(reason, { cause: error });
      this.logger.warn(
        { file, err: error },
        'cannot keep the record of CloudTrail files read; every file is read again at each start',
      );
    }
    const onFirstForgotten = (forgotten: ForgottenFiles, limit: number) =>
      this.logger.warn(
        { file, limit, forgotten: forgotten.files, upTo: new Date(forgotten.upToMs).toISOString() },
        'record of CloudTrail files read is full: the oldest are forgotten, and files not modified after them are taken as read',
      );
    this.ledger = new TrailLedger(db, { onFirstForgotten });
    if (fromStart) this.ledger.clear();
    return this.ledger;
  }
}
