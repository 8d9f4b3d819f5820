/**
 * The Kubernetes audit webhook: an HTTP(S) endpoint the API server's audit backend POSTs
 * `EventList` batches (or single `Event`s) to. It checks the bearer token, the method, the
 * content type and encoding (plain or gzip) and the body size, before and after
 * decompression, parses the JSON and hands the events to a sink, answering only once the sink
 * has taken them, so a 200 means every valid event was processed. Refusals are counted by
 * status and logged at a limited rate. Open connections are bounded, and a request must
 * arrive whole within a time limit, so that stalled clients cannot hold every descriptor.
 */
import {
  createServer as createHttpServer,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { timingSafeEqual } from 'node:crypto';
import { promisify } from 'node:util';
import { gunzip } from 'node:zlib';
import type { Logger } from 'pino';
import { RateLimitedLog } from '../../log.js';
import { gzipErrorOf } from '../files/index.js';
import { parseJsonText, type RawRecord, type RecordError } from './json-text.js';
import { splitAuditPayload } from './audit-payload.js';

const gunzipAsync = promisify(gunzip);

/** What the sink did with the events of one request. */
export interface SinkReport {
  /** Events decoded and run through the rules. */
  processed: number;
  /** Events that could not be decoded (counted and logged by the sink). */
  rejected: number;
}

/** Takes the events of one request, in order; must not throw for bad events. */
type AuditSink = (records: RawRecord[]) => SinkReport;

export interface WebhookOptions {
  /** Default `127.0.0.1`; use `0.0.0.0` to take requests from other hosts. */
  host?: string;
  /** Default 9765, as Falco's k8saudit plugin; 0 picks a free port. */
  port?: number;
  /** Default `/k8s-audit`. */
  path?: string;
  /** PEM certificate and key: serve HTTPS. */
  tls?: { cert: string | Buffer; key: string | Buffer };
  /** Required `Authorization: Bearer` token; none: no authentication. */
  token?: string;
  /**
   * Largest request body in bytes, as sent and, for a gzip body, once decompressed; default
   * 12 MiB, as the plugin's `webhookMaxBatchSize`.
   */
  maxBodyBytes?: number;
  /**
   * Most connections open at once; more are closed at once and counted. Default
   * `defaultMaxConnections`.
   */
  maxConnections?: number;
  /**
   * Milliseconds a request has to arrive whole, headers and body; a slower one is answered
   * 408 and its connection closed. Default `defaultRequestTimeoutMs`.
   */
  requestTimeoutMs?: number;
  sink: AuditSink;
  /**
   * Takes a body that held no audit event at all (not JSON, or JSON that is no `Event`,
   * `EventList` or array of them), to be counted as one malformed record as a bad item is.
   */
  reject?: (error: RecordError) => void;
  logger?: Logger;
}

/** Request and event counters since start. Every event received is processed or rejected. */
export interface WebhookCounters {
  requests: number;
  /** Requests answered by status code. */
  responses: Map<number, number>;
  eventsReceived: number;
  eventsProcessed: number;
  eventsRejected: number;
  /** Gzip bodies refused (413) because they decompress past `maxBodyBytes`. */
  decompressedTooLarge: number;
  /** Requests the client gave up before the answer: no response was sent for them. */
  aborted: number;
  /** Connections closed at once because `maxConnections` were open. */
  connectionsRefused: number;
}

const defaultMaxBody = 12 * 1024 * 1024;

/**
 * An API server's batching audit backend sends one request at a time per server; a few
 * hundred leave room for many servers and retries, well under a default 1024 descriptors.
 */
/** Where readiness and liveness probes ask. */
const HEALTH_PATH = '/healthz';

const defaultMaxConnections = 256;

/** A 12 MiB batch takes well under a second in a cluster; 30 s leaves slow links room. */
const defaultRequestTimeoutMs = 30_000;

/** Headers come first and are small: a client silent this long is not sending a request. */
const maxHeadersTimeoutMs = 10_000;

class HttpFailure extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/**
 * @example
 * const webhook = new AuditWebhook({ port: 9765, token, sink: (records) => pipeline.take(records) });
 * await webhook.start();
 */
export class AuditWebhook {
  readonly counters: WebhookCounters = {
    requests: 0,
    responses: new Map(),
    eventsReceived: 0,
    eventsProcessed: 0,
    eventsRejected: 0,
    decompressedTooLarge: 0,
    aborted: 0,
    connectionsRefused: 0,
  };
  private readonly server: Server;
  private readonly maxBodyBytes: number;
  private readonly token: Buffer | undefined;
  private readonly requestTimeoutMs: number;
  private readonly refusals: RateLimitedLog | undefined;
  private readonly connectionRefusals: RateLimitedLog | undefined;
  private requestCount = 0;

  constructor(private readonly options: WebhookOptions) {
    this.maxBodyBytes = options.maxBodyBytes ?? defaultMaxBody;
    this.token = options.token === undefined ? undefined : Buffer.from(options.token);
    this.requestTimeoutMs = options.requestTimeoutMs ?? defaultRequestTimeoutMs;
    this.refusals = options.logger && new RateLimitedLog(options.logger);
    this.connectionRefusals = options.logger && new RateLimitedLog(options.logger, 1);
    const handler = (request: IncomingMessage, response: ServerResponse) =>
      this.handle(request, response);
    const timeouts = {
      // Node answers a stalled header 408 itself; a stalled body is timed in `readBody`, so
      // that its 408 is counted. The request limit here only backs that up.
      headersTimeout: Math.min(this.requestTimeoutMs, maxHeadersTimeoutMs),
      requestTimeout: this.requestTimeoutMs * 2,
      // How often Node looks for those stalls; its 30 s default makes them wait that longer.
      connectionsCheckingInterval: Math.min(1000, this.requestTimeoutMs),
    };
    this.server = options.tls
      ? createHttpsServer({ ...options.tls, ...timeouts }, handler)
      : createHttpServer(timeouts, handler);
    this.server.maxConnections = options.maxConnections ?? defaultMaxConnections;
    this.server.on('drop', () => this.refuseConnection());
    this.server.on('checkContinue', (request, response) => this.checkContinue(request, response));
  }

  /**
   * A client asking before it sends its body (`Expect: 100-continue`) is told to go on only
   * when its head passes, token and size included: Node's own answer invited any client to
   * upload a whole body before a 401 or 413.
   */
  private checkContinue(request: IncomingMessage, response: ServerResponse): void {
    try {
      this.checkHead(request);
      response.writeContinue();
    } catch {
      // refused below, where every request's head is judged and counted
    }
    this.handle(request, response);
  }

  /** A connection past `maxConnections`, which Node has closed: counted, logged once a minute. */
  private refuseConnection(): void {
    this.counters.connectionsRefused++;
    this.connectionRefusals?.warn(
      { maxConnections: this.server.maxConnections, refused: this.counters.connectionsRefused },
      'audit webhook connection refused: the most connections allowed are open',
    );
  }

  /** Starts listening; resolves with the bound address. Rejects when the port is taken. */
  start(): Promise<AddressInfo> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.options.port ?? 9765, this.options.host ?? '127.0.0.1', () => {
        this.server.off('error', reject);
        const address = this.server.address() as AddressInfo;
        this.options.logger?.info(
          { address: address.address, port: address.port, tls: !!this.options.tls },
          'audit webhook listening',
        );
        resolve(address);
      });
    });
  }

  /** The URL clients post to, once started. */
  get url(): string {
    const address = this.server.address() as AddressInfo;
    const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
    return `${this.options.tls ? 'https' : 'http'}://${host}:${address.port}${this.options.path ?? '/k8s-audit'}`;
  }

  /** Stops taking connections and waits for open requests to finish. */
  stop(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.server.close((error) => (error ? reject(error) : resolve()));
      this.server.closeIdleConnections();
    });
  }

  private handle(request: IncomingMessage, response: ServerResponse): void {
    if (this.isHealthCheck(request)) {
      response.writeHead(200, { 'content-type': 'text/plain' }).end('ok\n');
      return;
    }
    this.counters.requests++;
    const id = String(++this.requestCount);
    try {
      this.checkHead(request);
    } catch (error) {
      this.fail(request, response, error as HttpFailure, id);
      return;
    }
    this.readBody(request)
      .then((body) => this.decode(body, request))
      .then((text) => this.answer(response, this.process(text, id)))
      .catch((error: unknown) => {
        if (error instanceof ClientGone) this.gone(response, id);
        else this.fail(request, response, toFailure(error), id);
      });
  }

  /**
   * `GET /healthz`, for a Kubernetes readiness or liveness probe: answered without the token
   * (a probe carries none) and left out of the request counters; it tells only that the
   * webhook listens.
   */
  private isHealthCheck(request: IncomingMessage): boolean {
    const path = (request.url ?? '').split('?')[0];
    const method = request.method ?? '';
    return path === HEALTH_PATH && path !== this.options.path && ['GET', 'HEAD'].includes(method);
  }

  /** The client closed its connection mid-request: nothing to answer, counted apart. */
  private gone(response: ServerResponse, id: string): void {
    this.counters.aborted++;
    this.options.logger?.debug({ request: id }, 'audit request given up by its client');
    response.destroy();
  }

  private checkHead(request: IncomingMessage): void {
    const path = (request.url ?? '').split('?')[0];
    if (path !== (this.options.path ?? '/k8s-audit'))
      throw new HttpFailure(404, `no endpoint at ${path}`);
    if (!this.isAuthorized(request)) throw new HttpFailure(401, 'missing or wrong bearer token');
    if (request.method !== 'POST')
      throw new HttpFailure(405, `${request.method ?? ''} method not allowed`);
    if (mediaType(request) !== 'application/json') {
      throw new HttpFailure(415, 'wrong content type: expected application/json');
    }
    const encoding = contentEncoding(request);
    if (encoding !== 'identity' && encoding !== 'gzip') {
      const message = `unsupported content encoding '${encoding}': expected gzip or identity`;
      throw new HttpFailure(415, message);
    }
    const length = Number(request.headers['content-length'] ?? 0);
    if (length > this.maxBodyBytes) throw tooLarge(this.maxBodyBytes);
  }

  /** A `Bearer` credential equal to the token; the scheme is case-insensitive (RFC 7235). */
  private isAuthorized(request: IncomingMessage): boolean {
    if (this.token === undefined) return true;
    const match = /^(\S+) +(\S+)$/.exec(request.headers.authorization ?? '');
    if (match === null || match[1].toLowerCase() !== 'bearer') return false;
    const given = Buffer.from(match[2]);
    return given.length === this.token.length && timingSafeEqual(given, this.token);
  }

  /** The body's text, decompressed when gzip, within `maxBodyBytes` either way. */
  private async decode(body: Buffer, request: IncomingMessage): Promise<string> {
    if (contentEncoding(request) !== 'gzip') return body.toString('utf8');
    try {
      const text = await gunzipAsync(body, { maxOutputLength: this.maxBodyBytes });
      return text.toString('utf8');
    } catch (error) {
      if ((error as { code?: unknown }).code === 'ERR_BUFFER_TOO_LARGE') {
        this.counters.decompressedTooLarge++;
        throw tooLarge(this.maxBodyBytes, ' once decompressed');
      }
      const gzip = gzipErrorOf(error, 0, body);
      throw gzip === undefined ? error : new HttpFailure(400, gzip.message);
    }
  }

  /**
   * The body, within `maxBodyBytes` and the request time limit (a 408 past it); rejects with
   * `ClientGone` when the client closes the connection first.
   */
  private readBody(request: IncomingMessage): Promise<Buffer> {
    return new Promise<Buffer>((resolve, reject) => {
      const chunks: Buffer[] = [];
      let size = 0;
      const stop = (failure: Error) => {
        request.removeAllListeners('data');
        request.resume();
        reject(failure);
      };
      const seconds = this.requestTimeoutMs / 1000;
      const timer = setTimeout(
        () => stop(new HttpFailure(408, `request not received whole within ${seconds} s`)),
        this.requestTimeoutMs,
      );
      request.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > this.maxBodyBytes) {
          stop(tooLarge(this.maxBodyBytes));
          return;
        }
        chunks.push(chunk);
      });
      request.on('end', () => {
        clearTimeout(timer);
        resolve(Buffer.concat(chunks));
      });
      request.on('error', (error) => reject(request.destroyed ? new ClientGone() : error));
      request.on('close', () => {
        clearTimeout(timer);
        if (!request.complete) reject(new ClientGone());
      });
    });
  }

  private process(body: string, id: string): SinkReport & { received: number } {
    const parsed = parseJsonText(body);
    if (!parsed.ok) {
      const { reason, line, column } = parsed;
      const message = `${reason} at line ${line} column ${column}`;
      throw this.unreadable({ request: id, line, column }, reason, message);
    }
    const split = splitAuditPayload(parsed.value, { request: id });
    if (!split.ok) throw this.unreadable({ request: id }, split.reason, split.reason);
    this.counters.eventsReceived += split.records.length;
    const report = this.options.sink(split.records);
    this.counters.eventsProcessed += report.processed;
    this.counters.eventsRejected += report.rejected;
    return { received: split.records.length, ...report };
  }

  /**
   * A body without a readable event: one received and rejected record (`reason`, at
   * `origin`), answered 400 with `message`.
   */
  private unreadable(origin: RecordError['origin'], reason: string, message: string): HttpFailure {
    this.counters.eventsReceived++;
    this.counters.eventsRejected++;
    this.options.reject?.({ origin, reason });
    return new HttpFailure(400, message);
  }

  private answer(response: ServerResponse, report: SinkReport & { received: number }): void {
    this.count(200);
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end(JSON.stringify(report));
  }

  private fail(
    request: IncomingMessage,
    response: ServerResponse,
    failure: HttpFailure,
    id: string,
  ): void {
    this.count(failure.status);
    const fields = { request: id, status: failure.status, reason: failure.message };
    // A client can repeat these at will: warn, at a limited rate; the counters have them all.
    if (loggedRefusals.has(failure.status))
      this.refusals?.warn(fields, 'audit request refused; nothing processed');
    else if (this.options.logger?.isLevelEnabled('debug'))
      this.options.logger.debug(fields, 'audit request refused; nothing processed');
    // The body is not read: drain it, and close the connection so the client stops sending.
    request.resume();
    const headers: Record<string, string> = {
      'content-type': 'text/plain; charset=utf-8',
      connection: 'close',
    };
    if (failure.status === 401) headers['www-authenticate'] = 'Bearer';
    if (failure.status === 405) headers.allow = 'POST';
    response.writeHead(failure.status, headers);
    response.end(`${failure.message}\n`);
  }

  private count(status: number): void {
    this.counters.responses.set(status, (this.counters.responses.get(status) ?? 0) + 1);
  }
}

/** The client closed its connection before its request was read whole. */
class ClientGone extends Error {}

/** Refusals a client or a broken sender can repeat at will, logged at a limited rate. */
const loggedRefusals = new Set([400, 401, 408, 413, 415, 500]);

/**
 * The request's media type without its parameters, lower case (RFC 9110 8.3.1: type and
 * subtype are case-insensitive): `Application/JSON; charset=utf-8` is `application/json`.
 */
function mediaType(request: IncomingMessage): string {
  return (request.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
}

/** The request's content encoding, lower case; `identity` when there is none. */
function contentEncoding(request: IncomingMessage): string {
  const encoding = (request.headers['content-encoding'] ?? '').trim().toLowerCase();
  if (encoding === '' || encoding === 'identity') return 'identity';
  return encoding === 'x-gzip' ? 'gzip' : encoding;
}

function tooLarge(limit: number, when = ''): HttpFailure {
  return new HttpFailure(413, `request body larger than ${limit} bytes${when}`);
}

function toFailure(error: unknown): HttpFailure {
  if (error instanceof HttpFailure) return error;
  return new HttpFailure(
    500,
    `request failed: ${error instanceof Error ? error.message : String(error)}`,
  );
}
