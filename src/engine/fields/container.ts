/**
 * Container and Kubernetes fields that Falco's container plugin adds to syscall events
 * (`container.*`, `k8s.*`, `proc.is_container_*`). Names, types and argument modes follow the
 * plugin's field list (plugins/container, extract.cpp); the descriptions are Harrier's own.
 * They belong to the `syscall` source; their values come from the container state, so no
 * extractor is attached here.
 */
import type { FieldRow, FieldRowOptions } from './rows.js';

/** The six fields the plugin marks "use as suggested output format", in its order. */
const SUGGESTED: FieldRowOptions = { suggestedOutput: true };

/** One row per field, in the plugin's order. */
export const CONTAINER_FIELD_ROWS: readonly FieldRow[] = [
  [
    'container.id',
    'CHARBUF',
    "Short container id (first 12 characters) from the cgroup, or 'host' outside containers.",
    SUGGESTED,
  ],
  [
    'container.full_id',
    'CHARBUF',
    'Full container id, known once the container engine has been queried.',
  ],
  ['container.name', 'CHARBUF', "Container name, or 'host' outside containers.", SUGGESTED],
  [
    'container.image',
    'CHARBUF',
    'Image name as the engine reports it, such as falcosecurity/falco:latest.',
  ],
  ['container.image.id', 'CHARBUF', 'Image id, such as 6f7e2741b66b.'],
  ['container.type', 'CHARBUF', 'Container engine kind: docker, cri-o, containerd and so on.'],
  ['container.privileged', 'BOOL', 'True when the container runs privileged.'],
  [
    'container.mounts',
    'CHARBUF',
    'All mounts as a space-separated list of source:dest:mode:rdrw:propagation.',
  ],
  [
    'container.mount',
    'CHARBUF',
    'One mount, picked by position or by source path (a glob), as source:dest:mode:rdrw:propagation.',
    { argument: 'required', argumentKind: 'indexOrKey' },
  ],
  [
    'container.mount.source',
    'CHARBUF',
    'Source of one mount, picked by position or by destination path (a glob).',
    { argument: 'required', argumentKind: 'indexOrKey' },
  ],
  [
    'container.mount.dest',
    'CHARBUF',
    'Destination of one mount, picked by position or by source path (a glob).',
    { argument: 'required', argumentKind: 'indexOrKey' },
  ],
  [
    'container.mount.mode',
    'CHARBUF',
    'Mode of one mount, picked by position or by source path (a glob).',
    { argument: 'required', argumentKind: 'indexOrKey' },
  ],
  [
    'container.mount.rdwr',
    'CHARBUF',
    'Read/write flag of one mount, picked by position or by source path (a glob).',
    { argument: 'required', argumentKind: 'indexOrKey' },
  ],
  [
    'container.mount.propagation',
    'CHARBUF',
    'Propagation of one mount, picked by position or by source path (a glob).',
    { argument: 'required', argumentKind: 'indexOrKey' },
  ],
  [
    'container.image.repository',
    'CHARBUF',
    'Repository part of the image, such as falcosecurity/falco.',
    SUGGESTED,
  ],
  ['container.image.tag', 'CHARBUF', 'Tag part of the image, such as latest.', SUGGESTED],
  ['container.image.digest', 'CHARBUF', 'Registry digest of the image (sha256:...).'],
  [
    'container.healthcheck',
    'CHARBUF',
    "Health check command of the container, or 'NONE' (libsinsp's value; the plugin has none).",
  ],
  [
    'container.liveness_probe',
    'CHARBUF',
    "Exec liveness probe command of the pod, or 'NONE' (libsinsp's value; the plugin has none).",
  ],
  [
    'container.readiness_probe',
    'CHARBUF',
    "Exec readiness probe command of the pod, or 'NONE' (libsinsp's value; the plugin has none).",
  ],
  [
    'container.start_ts',
    'ABSTIME',
    'Container start time in epoch nanoseconds, taken from its PID namespace.',
  ],
  ['container.duration', 'RELTIME', 'Nanoseconds since container.start_ts.'],
  ['container.ip', 'CHARBUF', 'Primary IPv4 address of the container or pod.'],
  [
    'container.cni.json',
    'CHARBUF',
    'CNI result of the pod as a JSON string, with addresses per interface.',
  ],
  ['container.host_pid', 'BOOL', 'True when the container shares the host PID namespace.'],
  ['container.host_network', 'BOOL', 'True when the container shares the host network namespace.'],
  ['container.host_ipc', 'BOOL', 'True when the container shares the host IPC namespace.'],
  [
    'container.label',
    'CHARBUF',
    'Value of the container label named in the argument.',
    { argument: 'required', argumentKind: 'key' },
  ],
  ['container.labels', 'CHARBUF', 'All container labels as comma-separated key:value pairs.'],
  [
    'proc.is_container_healthcheck',
    'BOOL',
    "True in a run of the container's health check (libsinsp's value; the plugin has none).",
  ],
  [
    'proc.is_container_liveness_probe',
    'BOOL',
    "True in a run of the pod's liveness probe (libsinsp's value; the plugin has none).",
  ],
  [
    'proc.is_container_readiness_probe',
    'BOOL',
    "True in a run of the pod's readiness probe (libsinsp's value; the plugin has none).",
  ],
  ['k8s.pod.name', 'CHARBUF', 'Name of the Kubernetes pod, from the container runtime.', SUGGESTED],
  [
    'k8s.ns.name',
    'CHARBUF',
    'Kubernetes namespace of the pod, from the container runtime.',
    SUGGESTED,
  ],
  ['k8s.pod.id', 'CHARBUF', 'Legacy alias of k8s.pod.uid.'],
  ['k8s.pod.uid', 'CHARBUF', 'UID Kubernetes gave the pod when it was created.'],
  ['k8s.pod.sandbox_id', 'CHARBUF', 'Short pod sandbox id (first 12 characters) from the cgroup.'],
  ['k8s.pod.full_sandbox_id', 'CHARBUF', 'Full pod sandbox id.'],
  [
    'k8s.pod.label',
    'CHARBUF',
    'Value of the pod label named in the argument.',
    { argument: 'required', argumentKind: 'key' },
  ],
  ['k8s.pod.labels', 'CHARBUF', 'All pod labels as comma-separated key:value pairs.'],
  ['k8s.pod.ip', 'CHARBUF', 'IPv4 address of the pod, the same as container.ip.'],
  [
    'k8s.pod.cni.json',
    'CHARBUF',
    'CNI result of the pod as a JSON string, the same as container.cni.json.',
  ],
  ['k8s.rc.name', 'CHARBUF', 'Name of the replication controller (deprecated; never has a value).'],
  ['k8s.rc.id', 'CHARBUF', 'Id of the replication controller (deprecated; never has a value).'],
  [
    'k8s.rc.label',
    'CHARBUF',
    'One label of the replication controller (deprecated; never has a value).',
    { argument: 'required', argumentKind: 'key' },
  ],
  [
    'k8s.rc.labels',
    'CHARBUF',
    'All labels of the replication controller (deprecated; never has a value).',
  ],
  ['k8s.svc.name', 'CHARBUF', 'Name of the service (deprecated; never has a value).'],
  ['k8s.svc.id', 'CHARBUF', 'Id of the service (deprecated; never has a value).'],
  [
    'k8s.svc.label',
    'CHARBUF',
    'One label of the service (deprecated; never has a value).',
    { argument: 'required', argumentKind: 'key' },
  ],
  ['k8s.svc.labels', 'CHARBUF', 'All labels of the service (deprecated; never has a value).'],
  ['k8s.ns.id', 'CHARBUF', 'Id of the namespace (deprecated; never has a value).'],
  [
    'k8s.ns.label',
    'CHARBUF',
    'One label of the namespace (deprecated; never has a value).',
    { argument: 'required', argumentKind: 'key' },
  ],
  ['k8s.ns.labels', 'CHARBUF', 'All labels of the namespace (deprecated; never has a value).'],
  ['k8s.rs.name', 'CHARBUF', 'Name of the replica set (deprecated; never has a value).'],
  ['k8s.rs.id', 'CHARBUF', 'Id of the replica set (deprecated; never has a value).'],
  [
    'k8s.rs.label',
    'CHARBUF',
    'One label of the replica set (deprecated; never has a value).',
    { argument: 'required', argumentKind: 'key' },
  ],
  ['k8s.rs.labels', 'CHARBUF', 'All labels of the replica set (deprecated; never has a value).'],
  ['k8s.deployment.name', 'CHARBUF', 'Name of the deployment (deprecated; never has a value).'],
  ['k8s.deployment.id', 'CHARBUF', 'Id of the deployment (deprecated; never has a value).'],
  [
    'k8s.deployment.label',
    'CHARBUF',
    'One label of the deployment (deprecated; never has a value).',
    { argument: 'required', argumentKind: 'key' },
  ],
  [
    'k8s.deployment.labels',
    'CHARBUF',
    'All labels of the deployment (deprecated; never has a value).',
  ],
];
