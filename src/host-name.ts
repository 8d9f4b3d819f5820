/**
 * This machine's name as alerts, `evt.hostname` and live recordings give it:
 * `HARRIER_HOSTNAME`, else Falco's `FALCO_HOSTNAME` (a Kubernetes node name, say), else the
 * system's. `$HOSTNAME` is a shell variable that services and scripts do not see.
 */
import { hostname as systemHostname } from 'node:os';

export function localHostname(): string {
  return process.env.HARRIER_HOSTNAME ?? process.env.FALCO_HOSTNAME ?? systemHostname();
}
