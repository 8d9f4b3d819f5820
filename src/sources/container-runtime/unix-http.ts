/**
 * A small HTTP/1.1 client for JSON APIs served on a unix socket (the Docker-compatible API of
 * docker and podman). Keeps connections alive, bounds each request in time and size.
 * @internal
 */
import { Agent, request, type IncomingHttpHeaders } from 'node:http';

/** One answer from the socket. `body` is the parsed JSON, or undefined when it was not JSON. */
export interface UnixHttpResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: unknown;
}

export interface UnixHttpOptions {
  socketPath: string;
  /** Longest time one request may take, in milliseconds; default 2000. */
  timeoutMs?: number;
  /** Largest body read, in bytes; a longer one fails the request. Default 8 MiB. */
  maxBodyBytes?: number;
}

/** Sends GET requests to one unix socket over a small pool of kept-alive connections. */
export class UnixHttpClient {
  readonly socketPath: string;
  private readonly timeoutMs: number;
  private readonly maxBodyBytes: number;
  private readonly agent = new Agent({ keepAlive: true, maxSockets: 4 });

  constructor(options: UnixHttpOptions) {
    this.socketPath = options.socketPath;
    this.timeoutMs = options.timeoutMs ?? 2000;
    this.maxBodyBytes = options.maxBodyBytes ?? 8 * 1024 * 1024;
  }

  /**
   * GETs `path` (which must start with `/`).
   * @throws Error when the socket cannot be reached, the request times out or the body is
   *   too large; the cause is attached.
   */
  get(path: string): Promise<UnixHttpResponse> {
    return new Promise((resolve, reject) => {
      const fail = (message: string, cause?: unknown): void =>
        reject(new Error(`${message} (GET ${path} on ${this.socketPath})`, { cause }));
      const outgoing = request(
        { socketPath: this.socketPath, path, method: 'GET', agent: this.agent },
        (response) => {
          const chunks: Buffer[] = [];
          let size = 0;
          response.on('data', (chunk: Buffer) => {
            size += chunk.length;
            if (size > this.maxBodyBytes) {
              outgoing.destroy();
              fail(`response body over ${this.maxBodyBytes} bytes`);
            } else chunks.push(chunk);
          });
          response.on('error', (error) => fail('response failed', error));
          response.on('end', () => {
            resolve({
              status: response.statusCode ?? 0,
              headers: response.headers,
              body: parseJson(Buffer.concat(chunks).toString('utf8')),
            });
          });
        },
      );
      outgoing.setTimeout(this.timeoutMs, () => {
        outgoing.destroy();
        fail(`no answer within ${this.timeoutMs} ms`);
      });
      outgoing.on('error', (error) => fail('request failed', error));
      outgoing.end();
    });
  }

  /** Closes the kept-alive connections. */
  close(): void {
    this.agent.destroy();
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
