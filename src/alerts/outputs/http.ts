/**
 * One HTTP request for an output, through Node's fetch: 2xx is acceptance; 408, 429 and 5xx
 * are worth a retry; any other status means the destination refused the content.
 */
import { DeliveryError, type Delivery } from './types.js';

export interface HttpRequest {
  readonly url: string;
  readonly body: string;
  readonly contentType?: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly method?: string;
}

/** Sends `request`; resolves with the response body text on 2xx, else throws `DeliveryError`. */
export async function sendHttp(request: HttpRequest, signal: AbortSignal): Promise<string> {
  let response: Response;
  try {
    response = await fetch(request.url, {
      method: request.method ?? 'POST',
      headers: { 'content-type': request.contentType ?? 'application/json', ...request.headers },
      body: request.body,
      signal,
    });
  } catch (error) {
    throw new DeliveryError(`request to ${redact(request.url)} failed`, true, [], { cause: error });
  }
  const text = await response.text();
  if (response.ok) return text;
  const retryable = response.status === 408 || response.status === 429 || response.status >= 500;
  throw new DeliveryError(
    `${redact(request.url)} answered ${response.status}: ${text.slice(0, 200)}`,
    retryable,
  );
}

/** The URL without user info, query or path: enough to name it in a log without secrets. */
function redact(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return '<invalid url>';
  }
}

/**
 * Runs `send` for every delivery, up to `concurrency` at once. Resolves when all succeeded;
 * otherwise throws a `DeliveryError` naming the ids that did succeed, retryable unless every
 * failure was a refusal.
 */
export async function sendEach(
  deliveries: readonly Delivery[],
  concurrency: number,
  send: (delivery: Delivery) => Promise<unknown>,
): Promise<void> {
  const accepted: string[] = [];
  const failures: unknown[] = [];
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < deliveries.length) {
      const delivery = deliveries[next++]!;
      try {
        await send(delivery);
        accepted.push(delivery.id);
      } catch (error) {
        failures.push(error);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, deliveries.length) }, lane));
  if (failures.length === 0) return;
  const retryable = failures.some((error) => !(error instanceof DeliveryError) || error.retryable);
  const first = failures[0];
  const message = `${failures.length} of ${deliveries.length} sends failed: ${first instanceof Error ? first.message : String(first)}`;
  throw new DeliveryError(message, retryable, accepted, { cause: first });
}
