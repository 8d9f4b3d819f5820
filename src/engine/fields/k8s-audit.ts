/**
 * The `k8s_audit` field table: every field of Falco's k8saudit plugin (`ka.*`) plus the json
 * plugin's fields. Names, types, argument modes and list-ness follow the plugin's field list
 * (plugins/k8saudit/pkg/k8saudit/fields.go); the descriptions are Harrier's own. Every field
 * is a string (CHARBUF) there.
 */
import type { K8sAuditEvent } from '../../decode/json-events.js';
import type { FieldDefinition, FieldTable } from './types.js';
import { createFieldTable } from './rows.js';
import { createJsonFieldDefinitions } from './json.js';
import { jsonGet, jsonString, jsonText } from './json-access.js';
import type { AuditReader } from './k8s-audit-values.js';
import { podContainerFields } from './k8s-audit-pod.js';
import {
  auditField,
  indexOf,
  anyPrivileged,
  containerValues,
  imageRepository,
  queryParameter,
  ruleValues,
  subjectNames,
  textAt,
  textsOrNothing,
  textsSkippingMissing,
  valuesAlong,
  volumeTypes,
} from './k8s-audit-values.js';

/** The source name Kubernetes audit rules use. */
export const K8S_AUDIT_SOURCE = 'k8s_audit';

const at =
  (...keys: string[]): AuditReader =>
  (root) =>
    textAt(root, keys, false);
const listAt =
  (...keys: string[]): AuditReader =>
  (root) =>
    textAt(root, keys, true);
const indexed = { isList: true, argument: 'allowed', argumentKind: 'index' } as const;
const keyed = { argument: 'required', argumentKind: 'key' } as const;
const annotation = (name: string) => at('annotations', name);

function targetPodName(root: unknown): string | string[] | undefined {
  if (jsonString(root, 'objectRef', 'resource') !== 'pods') return undefined;
  if ((jsonString(root, 'objectRef', 'subresource') ?? '') !== '') return undefined;
  return textAt(root, ['responseObject', 'metadata', 'name'], false);
}

function uriParameter(root: unknown, argument: string | undefined): string | undefined {
  const uri = jsonGet(root, 'requestURI');
  return uri === undefined ? undefined : queryParameter(jsonText(uri), argument ?? '');
}

function firstContainer(read: (images: string[]) => string): AuditReader {
  return (root) => {
    const images = textsOrNothing(containerValues(root, 'containers', 0, 'image'));
    return images && images.length > 0 ? read(images) : undefined;
  };
}

/** `ka.req.volume.hostpath[PATH]`: "true" when a hostPath volume is PATH (or starts with PATH*). */
function usesHostPath(root: unknown, argument: string | undefined): string | undefined {
  const paths = valuesAlong(root, undefined, [
    'requestObject',
    'spec',
    'volumes',
    'hostPath',
    'path',
  ]);
  if (!paths) return undefined;
  const wanted = argument ?? '';
  const prefix = wanted.endsWith('*') ? wanted.slice(0, -1) : undefined;
  const hit = textsSkippingMissing(paths).some(
    (path) => (prefix !== undefined && path.startsWith(prefix)) || path === wanted,
  );
  return hit ? 'true' : 'false';
}

function volumePaths(...keys: string[]): AuditReader {
  return (root, argument) => {
    const values = valuesAlong(root, indexOf(argument), [
      'requestObject',
      'spec',
      'volumes',
      ...keys,
    ]);
    return values && textsSkippingMissing(values);
  };
}

const subjects =
  (kind: string): AuditReader =>
  (root) =>
    subjectNames(root, kind);
const rules =
  (key: string): AuditReader =>
  (root, argument) =>
    ruleValues(root, indexOf(argument), key);

function requestFields(): FieldDefinition<K8sAuditEvent>[] {
  const binding = 'of the subjects a role binding request links';
  return [
    auditField({
      name: 'ka.req.binding.subjects',
      description: 'Subjects a role binding request links, as JSON.',
      read: listAt('requestObject', 'subjects'),
      isList: true,
    }),
    auditField({
      name: 'ka.req.binding.subjects.user_names',
      description: `User names ${binding}.`,
      read: subjects('User'),
      isList: true,
    }),
    auditField({
      name: 'ka.req.binding.subjects.serviceaccount_names',
      description: `Service account names ${binding}.`,
      read: subjects('ServiceAccount'),
      isList: true,
    }),
    auditField({
      name: 'ka.req.binding.subjects.serviceaccount_ns_names',
      description: `Service accounts ${binding}, as namespace:name.`,
      read: subjects('NamespacedServiceAccount'),
      isList: true,
    }),
    auditField({
      name: 'ka.req.binding.subjects.group_names',
      description: `Group names ${binding}.`,
      read: subjects('Group'),
      isList: true,
    }),
    auditField({
      name: 'ka.req.binding.role',
      description: 'Role a role binding request refers to.',
      read: at('requestObject', 'roleRef', 'name'),
    }),
    auditField({
      name: 'ka.req.binding.subject.has_name',
      description: 'Kept for old rules; always "true".',
      read: () => 'true',
      ...keyed,
    }),
    auditField({
      name: 'ka.req.configmap.name',
      description: 'Name of the configmap a request concerns.',
      read: at('objectRef', 'name'),
    }),
    auditField({
      name: 'ka.req.configmap.obj',
      description: 'Data of the configmap in the request, as JSON.',
      read: at('requestObject', 'data'),
    }),
    auditField({
      name: 'ka.req.container.image',
      description: 'Image of the first container of a pod request (older form).',
      read: firstContainer((images) => images[0]),
    }),
    auditField({
      name: 'ka.req.container.image.repository',
      description: 'Image repository of the first container of a pod request (older form).',
      read: firstContainer((images) => imageRepository(images[0])),
    }),
    auditField({
      name: 'ka.req.pod.host_ipc',
      description: 'hostIPC setting of a pod request.',
      read: at('requestObject', 'spec', 'hostIPC'),
    }),
    auditField({
      name: 'ka.req.pod.host_network',
      description: 'hostNetwork setting of a pod request.',
      read: at('requestObject', 'spec', 'hostNetwork'),
    }),
    auditField({
      name: 'ka.req.container.host_network',
      description: 'hostNetwork setting of a pod request (older name).',
      read: at('requestObject', 'spec', 'hostNetwork'),
    }),
    auditField({
      name: 'ka.req.pod.host_pid',
      description: 'hostPID setting of a pod request.',
      read: at('requestObject', 'spec', 'hostPID'),
    }),
    auditField({
      name: 'ka.req.container.privileged',
      description: 'Whether any container of a pod request is privileged (older form).',
      read: anyPrivileged,
    }),
    auditField({
      name: 'ka.req.pod.run_as_user',
      description: 'runAsUser of the pod security context in a pod request.',
      read: at('requestObject', 'spec', 'securityContext', 'runAsUser'),
    }),
    auditField({
      name: 'ka.req.pod.run_as_group',
      description: 'runAsGroup of the pod security context in a pod request.',
      read: at('requestObject', 'spec', 'securityContext', 'runAsGroup'),
    }),
    auditField({
      name: 'ka.req.role.rules',
      description: 'Rules of a role or cluster role request, as JSON.',
      read: listAt('requestObject', 'rules'),
      isList: true,
    }),
    auditField({
      name: 'ka.req.role.rules.apiGroups',
      description: 'API groups named by the rules of a role request.',
      read: rules('apiGroups'),
      ...indexed,
    }),
    auditField({
      name: 'ka.req.role.rules.nonResourceURLs',
      description: 'Non-resource URLs named by the rules of a role request.',
      read: rules('nonResourceURLs'),
      ...indexed,
    }),
    auditField({
      name: 'ka.req.role.rules.verbs',
      description: 'Verbs named by the rules of a role request.',
      read: rules('verbs'),
      ...indexed,
    }),
    auditField({
      name: 'ka.req.role.rules.resources',
      description: 'Resources named by the rules of a role request.',
      read: rules('resources'),
      ...indexed,
    }),
    auditField({
      name: 'ka.req.pod.fs_group',
      description: 'fsGroup of the pod security context in a pod request.',
      read: at('requestObject', 'spec', 'securityContext', 'fsGroup'),
    }),
    auditField({
      name: 'ka.req.pod.supplemental_groups',
      description: 'supplementalGroups of the pod security context in a pod request.',
      read: listAt('requestObject', 'spec', 'securityContext', 'supplementalGroups'),
      isList: true,
    }),
    auditField({
      name: 'ka.req.service.type',
      description: 'Type of the service in a service request.',
      read: at('requestObject', 'spec', 'type'),
    }),
    auditField({
      name: 'ka.req.service.ports',
      description: 'Ports of the service in a service request, as one JSON text.',
      read: (root, argument) =>
        textsSkippingMissing(
          valuesAlong(root, indexOf(argument), ['requestObject', 'spec', 'ports']) ?? [],
        ),
      ...indexed,
    }),
    auditField({
      name: 'ka.req.pod.volumes.hostpath',
      description: 'hostPath paths of the volumes of a pod request.',
      read: volumePaths('hostPath', 'path'),
      ...indexed,
    }),
    auditField({
      name: 'ka.req.volume.hostpath',
      description:
        'Whether a volume of a pod request mounts the host path given (a trailing * matches a prefix).',
      read: usesHostPath,
      ...keyed,
    }),
    auditField({
      name: 'ka.req.pod.volumes.flexvolume_driver',
      description: 'flexVolume drivers of the volumes of a pod request.',
      read: volumePaths('flexVolume', 'driver'),
      ...indexed,
    }),
    auditField({
      name: 'ka.req.pod.volumes.volume_type',
      description: 'Kinds of the volumes of a pod request, such as hostPath or configMap.',
      read: (root, argument) => volumeTypes(root, indexOf(argument)),
      ...indexed,
    }),
  ];
}

function auditFields(): FieldDefinition<K8sAuditEvent>[] {
  return [
    auditField({
      name: 'ka.auditid',
      description: 'Unique id of the audit event.',
      read: at('auditID'),
    }),
    auditField({
      name: 'ka.stage',
      description: 'Stage of the request, such as ResponseComplete.',
      read: at('stage'),
    }),
    auditField({
      name: 'ka.auth.decision',
      description: 'Authorization decision: allow or forbid.',
      read: annotation('authorization.k8s.io/decision'),
    }),
    auditField({
      name: 'ka.auth.reason',
      description: 'Why the request was authorized or refused.',
      read: annotation('authorization.k8s.io/reason'),
    }),
    auditField({
      name: 'ka.auth.openshift.decision',
      description: 'Authentication decision of the OpenShift API server extension.',
      read: annotation('authentication.openshift.io/decision'),
    }),
    auditField({
      name: 'ka.validations.admission.policy.failure',
      description: 'Failure reported by a validating admission policy.',
      read: annotation('validation.policy.admission.k8s.io/validation_failure'),
    }),
    auditField({
      name: 'ka.security.pod.violations',
      description: 'Pod security standard violations found in the request.',
      read: annotation('pod-security.kubernetes.io/audit-violations'),
    }),
    auditField({
      name: 'ka.auth.openshift.username',
      description: 'User name OpenShift authenticated.',
      read: annotation('authentication.openshift.io/username'),
    }),
    auditField({
      name: 'ka.user.name',
      description: 'User who made the request.',
      read: at('user', 'username'),
    }),
    auditField({
      name: 'ka.user.groups',
      description: 'Groups of the user who made the request.',
      read: listAt('user', 'groups'),
      isList: true,
    }),
    auditField({
      name: 'ka.impuser.name',
      description: 'User the request impersonates.',
      read: at('impersonatedUser', 'username'),
    }),
    auditField({
      name: 'ka.verb',
      description: 'Action requested, such as create or delete.',
      read: at('verb'),
    }),
    auditField({
      name: 'ka.uri',
      description: 'Request URI as the client sent it.',
      read: at('requestURI'),
    }),
    auditField({
      name: 'ka.uri.param',
      description: 'Value of the URI query parameter named in the argument.',
      read: uriParameter,
      ...keyed,
    }),
    auditField({
      name: 'ka.target.name',
      description: 'Name of the object the request acts on.',
      read: at('objectRef', 'name'),
    }),
    auditField({
      name: 'ka.target.namespace',
      description: 'Namespace of the object the request acts on.',
      read: at('objectRef', 'namespace'),
    }),
    auditField({
      name: 'ka.target.resource',
      description: 'Resource kind the request acts on, such as pods.',
      read: at('objectRef', 'resource'),
    }),
    auditField({
      name: 'ka.target.subresource',
      description: 'Subresource the request acts on, such as exec.',
      read: at('objectRef', 'subresource'),
    }),
    auditField({
      name: 'ka.target.pod.name',
      description: 'For requests on a pod itself, the pod name from the response.',
      read: targetPodName,
    }),
    ...requestFields(),
    auditField({
      name: 'ka.resp.name',
      description: 'Name of the object in the response.',
      read: at('responseObject', 'metadata', 'name'),
    }),
    auditField({
      name: 'ka.response.code',
      description: 'HTTP status code of the response.',
      read: at('responseStatus', 'code'),
    }),
    auditField({
      name: 'ka.response.reason',
      description: 'Reason given in the response, usually on failure.',
      read: at('responseStatus', 'reason'),
    }),
    auditField({
      name: 'ka.useragent',
      description: 'User agent of the client.',
      read: at('userAgent'),
    }),
    // As in the plugin, this reads requestObject.rules[*].sourceIPs, not the event's sourceIPs.
    auditField({
      name: 'ka.sourceips',
      description: 'Source addresses as the plugin reads them (from the request rules).',
      read: rules('sourceIPs'),
      ...indexed,
    }),
    auditField({
      name: 'ka.cluster.name',
      description: 'Name of the cluster, from the cluster_name annotation.',
      read: annotation('cluster_name'),
    }),
    ...podContainerFields('containers', 'containers', true),
    ...podContainerFields('initContainers', 'init containers', true),
    ...podContainerFields('ephemeralContainers', 'ephemeral containers', false),
  ];
}

/** Builds the `k8s_audit` table: the k8saudit plugin's fields, then the json plugin's. */
export function createK8sAuditFieldTable(): FieldTable<K8sAuditEvent> {
  return createFieldTable<K8sAuditEvent>(K8S_AUDIT_SOURCE, [
    ...auditFields(),
    ...createJsonFieldDefinitions(),
  ]);
}
