/**
 * The syslog output: RFC 5424 messages over UDP (one per datagram, RFC 5426), TCP (octet
 * counting, RFC 6587) or a local stream socket (one message per line).
 */
import dgram from 'node:dgram';
import net from 'node:net';
import { formatSyslogMessage, type SyslogFacility } from './syslog-message.js';
import { DeliveryError, type Destination, type DestinationContext } from './types.js';

export interface SyslogOptions {
  /** `udp` (default), `tcp` or `unix`. */
  readonly transport?: 'udp' | 'tcp' | 'unix';
  /** Default 127.0.0.1. */
  readonly host?: string;
  /** Default 514. */
  readonly port?: number;
  /** The socket for `unix`; default /dev/log. */
  readonly path?: string;
  /** Default `user`. */
  readonly facility?: SyslogFacility;
  /** Default `harrier`. */
  readonly appName?: string;
  /**
   * Milliseconds `close` waits for a TCP or unix receiver to close its side of the
   * connection before dropping it; default 2000.
   */
  readonly closeWaitMs?: number;
}

/**
 * Sends alerts to a syslog receiver.
 *
 * LIMIT: UDP has no acknowledgement and TCP/unix only confirm the local write, so a receiver
 * that drops messages after accepting them loses alerts; use an HTTP output for guarantees.
 * LIMIT: the `unix` transport speaks stream sockets only; a datagram-only /dev/log refuses it.
 *
 * @example
 * createSyslogDestination({ transport: 'tcp', host: '127.0.0.1', port: 6514 }, context)
 */
export function createSyslogDestination(
  options: SyslogOptions,
  context: DestinationContext,
): Destination {
  const fields = {
    facility: options.facility ?? 'user',
    appName: options.appName ?? 'harrier',
    procId: String(process.pid),
  };
  const transport = options.transport ?? 'udp';
  const sender = transport === 'udp' ? udpSender(options) : streamSender(options, transport);
  return {
    batchSize: 50,
    async send(deliveries) {
      for (const { alert } of deliveries) {
        await sender.send(formatSyslogMessage(alert, context.template.render(alert), fields));
      }
    },
    close: () => sender.close(),
  };
}

interface Sender {
  send(message: string): Promise<void>;
  close(): Promise<void>;
}

function udpSender(options: SyslogOptions): Sender {
  const host = options.host ?? '127.0.0.1';
  const socket = dgram.createSocket(net.isIPv6(host) ? 'udp6' : 'udp4');
  socket.unref();
  return {
    send: (message) =>
      new Promise((resolve, reject) =>
        socket.send(message, options.port ?? 514, host, (error) =>
          error
            ? reject(new DeliveryError('syslog datagram not sent', true, [], { cause: error }))
            : resolve(),
        ),
      ),
    close: () => new Promise((resolve) => socket.close(() => resolve())),
  };
}

function streamSender(options: SyslogOptions, transport: 'tcp' | 'unix'): Sender {
  let socket: net.Socket | undefined;
  const connect = (): Promise<net.Socket> =>
    new Promise((resolve, reject) => {
      const target =
        transport === 'unix'
          ? { path: options.path ?? '/dev/log' }
          : { host: options.host ?? '127.0.0.1', port: options.port ?? 514 };
      const next = net.createConnection(target, () => {
        next.off('error', reject);
        next.on('error', () => next.destroy());
        next.on('close', () => (socket === next ? (socket = undefined) : undefined));
        resolve(next);
      });
      next.once('error', reject);
    });
  const frame = (message: string): string =>
    transport === 'tcp' ? `${Buffer.byteLength(message)} ${message}` : `${message}\n`;
  return {
    async send(message) {
      try {
        socket ??= await connect();
        const open = socket;
        await new Promise<void>((resolve, reject) =>
          open.write(frame(message), (e) => (e ? reject(e) : resolve())),
        );
      } catch (error) {
        socket?.destroy();
        socket = undefined;
        throw new DeliveryError(`syslog ${transport} connection failed`, true, [], {
          cause: error,
        });
      }
    },
    close: async () => {
      const open = socket;
      socket = undefined;
      if (open !== undefined) await endWithin(open, options.closeWaitMs ?? 2000);
    },
  };
}

/**
 * Ends `socket` and waits for the receiver to close its side too, at most `waitMs`, then
 * drops the connection: a receiver that keeps it open, or stops reading, must not keep
 * Harrier from exiting. Alerts of a send still pending stay queued (the worker aborted it).
 */
function endWithin(socket: net.Socket, waitMs: number): Promise<void> {
  if (socket.closed) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => socket.destroy(), waitMs);
    socket.once('close', () => {
      clearTimeout(timer);
      resolve();
    });
    socket.end();
  });
}
