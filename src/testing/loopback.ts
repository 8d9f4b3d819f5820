/**
 * A loopback HTTP server for output tests: records every request and answers with what the
 * test's responder says (200 by default), so tests can check payloads and stage outages.
 * Listens on 127.0.0.1 only.
 * @internal
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { silentLogger } from '../log.js';
import { compileTemplate } from '../alerts/template.js';
import type { DestinationContext } from '../alerts/outputs/types.js';

export interface CapturedRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: string;
}

/** What to answer: a status and body, or `hang` to never answer, or `destroy` to cut the socket. */
export type Reply = { status: number; body?: string; contentType?: string } | 'hang' | 'destroy';

export interface CaptureServer {
  readonly url: string;
  readonly port: number;
  /** Requests answered with a 2xx, in arrival order. */
  readonly accepted: CapturedRequest[];
  /** Every request, answered or not. */
  readonly all: CapturedRequest[];
  responder: (request: CapturedRequest) => Reply;
  /** Resolves once `count` requests were accepted. */
  waitForAccepted(count: number, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

/** Starts a capture server on `port` of 127.0.0.1 (0: a free port). */
export async function startCaptureServer(
  responder?: (request: CapturedRequest) => Reply,
  port = 0,
): Promise<CaptureServer> {
  const accepted: CapturedRequest[] = [];
  const all: CapturedRequest[] = [];
  const waiters: { count: number; resolve: () => void }[] = [];
  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const captured = {
        method: request.method ?? '',
        path: request.url ?? '',
        headers: request.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      };
      all.push(captured);
      const reply = capture.responder(captured);
      if (reply === 'hang') return;
      if (reply === 'destroy') return void request.socket.destroy();
      if (reply.status < 300) accepted.push(captured);
      response.writeHead(reply.status, { 'content-type': reply.contentType ?? 'text/plain' });
      response.end(reply.body ?? '');
      for (const waiter of waiters.filter((w) => accepted.length >= w.count)) waiter.resolve();
    });
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const bound = (server.address() as AddressInfo).port;
  const capture: CaptureServer = {
    url: `http://127.0.0.1:${bound}`,
    port: bound,
    accepted,
    all,
    responder: responder ?? (() => ({ status: 200, body: 'ok' })),
    waitForAccepted(count, timeoutMs = 20_000) {
      if (accepted.length >= count) return Promise.resolve();
      return new Promise((resolve, reject) => {
        const timer = setTimeout(
          () =>
            reject(
              new Error(
                `expected ${count} accepted requests, got ${accepted.length} of ${all.length}`,
              ),
            ),
          timeoutMs,
        );
        waiters.push({ count, resolve: () => (clearTimeout(timer), resolve()) });
      });
    },
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  return capture;
}

/** A destination context for tests: a silent logger and the given template. */
export function testContext(template?: string): DestinationContext {
  return { name: 'test', template: compileTemplate(template), logger: silentLogger() };
}

/** A signal that never aborts. */
export const neverAbort = new AbortController().signal;
