/**
 * The validated configuration: what `harrier.yaml` says once defaults are filled in.
 */
import type { AppendOutputEntry, Priority } from '../detect/index.js';
import type { GroupingRule, OutputSpec } from '../alerts/index.js';
import type { RetentionPolicy } from '../store/index.js';

export interface HarrierConfig {
  /** Rule files and directories, in load order. */
  readonly rulesFiles: readonly string[];
  /** Rules below this priority are not loaded (Falco's `priority`); default `Debug`. */
  readonly priority: Priority;
  /** `first` (default): an event fires its first matching rule only; `all`: every match. */
  readonly ruleMatching: 'first' | 'all';
  /**
   * Falco's `append_output`: text appended to the outputs of the rules each entry matches,
   * and extra output fields; default none (Falco's own default config appends the suggested
   * fields).
   */
  readonly appendOutput: readonly AppendOutputEntry[];
  /** Source settings by source name (`syscall`, `k8s_audit`, `aws_cloudtrail`), checked by each source. */
  readonly sources: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
  /** Where output queues live; default `/var/lib/harrier`. */
  readonly stateDir: string;
  readonly outputs: readonly OutputSpec[];
  readonly grouping: readonly GroupingRule[];
  readonly store: StoreConfig;
  readonly metrics: MetricsConfig;
}

export interface StoreConfig {
  readonly enabled: boolean;
  /**
   * The file has a `store:` section. Commands that store nothing by default (replay) store
   * only then: a configuration kept for its rules must not fill the system store.
   */
  readonly configured: boolean;
  /** Default `<state_dir>/alerts.db`. */
  readonly path: string;
  readonly retention: RetentionPolicy;
}

export interface MetricsConfig {
  readonly enabled: boolean;
  /** `host:port`; default `127.0.0.1:9376`. */
  readonly listen: string;
}
