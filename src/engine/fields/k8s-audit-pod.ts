/**
 * The per-container `k8s_audit` fields of pod requests, one set for each container list of a
 * pod spec (`ka.req.pod.containers.*`, `ka.req.pod.initContainers.*`,
 * `ka.req.pod.ephemeralContainers.*`). Each is a list with an optional index argument that
 * picks one container.
 * @internal
 */
import type { K8sAuditEvent } from '../../decode/json-events.js';
import type { FieldDefinition } from './types.js';
import {
  auditField,
  containerValues,
  effectiveIds,
  hostPorts,
  imageRepository,
  indexOf,
  joinedStringArrays,
  textsOrNothing,
  textsSkippingMissing,
  type AuditReader,
} from './k8s-audit-values.js';

type ListReader = (root: unknown, list: string, index: number | undefined) => string[] | undefined;

const securityValue =
  (...keys: string[]): ListReader =>
  (root, list, index) => {
    const values = containerValues(root, list, index, 'securityContext', ...keys);
    return values && textsSkippingMissing(values);
  };

const images: ListReader = (root, list, index) =>
  textsOrNothing(containerValues(root, list, index, 'image'));

/** Name suffix, description (with `{}` for the list label) and reader of each field. */
const CONTAINER_FIELDS: ReadonlyArray<readonly [string, string, ListReader]> = [
  [
    'name',
    'Names of the {} of a pod request.',
    (root, list, index) => textsOrNothing(containerValues(root, list, index, 'name')),
  ],
  ['image', 'Images of the {} of a pod request.', images],
  [
    'image.repository',
    'Image repositories (image without tag or digest) of the {} of a pod request.',
    (root, list, index) => images(root, list, index)?.map(imageRepository),
  ],
  [
    'command',
    'Commands of the {} of a pod request, each joined by spaces.',
    (root, list, index) => joinedStringArrays(containerValues(root, list, index, 'command')),
  ],
  [
    'args',
    'Arguments of the {} of a pod request, each joined by spaces.',
    (root, list, index) => joinedStringArrays(containerValues(root, list, index, 'args')),
  ],
  ['privileged', 'privileged flags of the {} of a pod request.', securityValue('privileged')],
  [
    'allow_privilege_escalation',
    'allowPrivilegeEscalation flags of the {} of a pod request.',
    securityValue('allowPrivilegeEscalation'),
  ],
  [
    'read_only_fs',
    'readOnlyRootFilesystem flags of the {} of a pod request.',
    securityValue('readOnlyRootFilesystem'),
  ],
  ['run_as_user', 'runAsUser values of the {} of a pod request.', securityValue('runAsUser')],
  [
    'eff_run_as_user',
    'User id each of the {} of a pod request starts as, 0 when unset.',
    (root, list, index) => effectiveIds(root, list, index, 'runAsUser'),
  ],
  ['run_as_group', 'runAsGroup values of the {} of a pod request.', securityValue('runAsGroup')],
  [
    'eff_run_as_group',
    'Group id each of the {} of a pod request starts as, 0 when unset.',
    (root, list, index) => effectiveIds(root, list, index, 'runAsGroup'),
  ],
  ['proc_mount', 'procMount types of the {} of a pod request.', securityValue('procMount')],
  [
    'add_capabilities',
    'Capabilities added to the {} of a pod request, one JSON list per container.',
    securityValue('capabilities', 'add'),
  ],
  [
    'host_port',
    'Host ports of the {} of a pod request (the container port when none is set).',
    (root, list, index) => hostPorts(containerValues(root, list, index, 'ports')),
  ],
];

/**
 * The fields for container list `list` of a pod spec; `label` names the list in descriptions.
 * Ephemeral containers have no ports, so their list has no `host_port` field.
 */
export function podContainerFields(
  list: string,
  label: string,
  withHostPort: boolean,
): FieldDefinition<K8sAuditEvent>[] {
  return CONTAINER_FIELDS.filter(([suffix]) => withHostPort || suffix !== 'host_port').map(
    ([suffix, description, readList]) => {
      const read: AuditReader = (root, argument) => readList(root, list, indexOf(argument));
      return auditField({
        name: `ka.req.pod.${list}.${suffix}`,
        description: description.replace('{}', label),
        read,
        isList: true,
        argument: 'allowed',
        argumentKind: 'index',
      });
    },
  );
}
