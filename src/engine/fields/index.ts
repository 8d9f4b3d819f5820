/**
 * Harrier's field registry: one table per event source, with the names, types and flags
 * Falco gives its fields, and the resolver that maps a rule's field name to a definition.
 */
import type { FieldTable } from './types.js';
import { createSyscallFieldTable, SYSCALL_SOURCE } from './syscall.js';
import { createK8sAuditFieldTable, K8S_AUDIT_SOURCE } from './k8s-audit.js';
import { createCloudTrailFieldTable, CLOUDTRAIL_SOURCE } from './cloudtrail.js';
import { withPluginEventFields } from './event-generic.js';
import { syscallFieldValues, withValues } from './syscall-values/index.js';

export type { FieldTable } from './types.js';
export { resolveField } from './resolve.js';

let tables: ReadonlyMap<string, FieldTable> | undefined;

/** Tables are built on first use, so importing the registry costs nothing. */
function builtTables(): ReadonlyMap<string, FieldTable> {
  tables ??= new Map<string, FieldTable>([
    [SYSCALL_SOURCE, withValues(createSyscallFieldTable(), syscallFieldValues) as FieldTable],
    [K8S_AUDIT_SOURCE, withPluginEventFields(createK8sAuditFieldTable(), 'k8saudit') as FieldTable],
    [
      CLOUDTRAIL_SOURCE,
      withPluginEventFields(createCloudTrailFieldTable(), 'cloudtrail', 'ct.info') as FieldTable,
    ],
  ]);
  return tables;
}

/**
 * The shared field table of event source `source` (`syscall`, `k8s_audit`,
 * `aws_cloudtrail`), or undefined for a source Harrier does not know. The same table object
 * comes back on every call; callers must not change it. The syscall table has no extractors
 * yet; `createSyscallFieldTable` builds one with them.
 *
 * @example
 * fieldTableFor('k8s_audit')?.fields.get('ka.verb')?.type // 'CHARBUF'
 */
export function fieldTableFor(source: string): FieldTable | undefined {
  return builtTables().get(source);
}

/**
 * The fields of `table` its source's plugin suggests for outputs, in table order: for
 * `syscall` the container plugin's six (`container.id` ... `k8s.ns.name`); none for
 * `k8s_audit` and `aws_cloudtrail`, whose plugins (k8saudit, cloudtrail) suggest none.
 */
// LIMIT: only the container plugin's suggestions exist; Falco with k8smeta or static_fields
// loaded appends their suggested fields too, which Harrier does not have.
export function suggestedOutputFields(table: FieldTable): string[] {
  return [...table.fields.values()]
    .filter((definition) => definition.suggestedOutput === true)
    .map((definition) => definition.name);
}
