/**
 * Falco 0.34.1's Kubernetes audit regression cases (test/falco_k8s_audit_tests.yaml at tag
 * 0.34.1, which the corpus does not carry): the extra rule files each case loads after
 * `k8s_audit_rules.yaml`, its trace file, and the alerts per rule Falco expects. An empty
 * `expected` is Falco's `detect: False`: no alert at all.
 *
 * Left out: the six `compat_engine_v4_*` cases, whose rule file uses `contains` on list
 * fields, which the condition compiler (like current libsinsp) rejects; and Falco's own
 * `falco_rules.yaml`, which every case loads but which holds no `k8s_audit` rule.
 * @internal
 */
import { corpusPath } from '../testing/corpus.js';
import { readFile } from 'node:fs/promises';
import { loadRuleFiles, type RuleFile, type RuleSet } from '../detect/index.js';

export interface FalcoAuditCase {
  name: string;
  /** Fixture files from `falco/tests-0.34.1/rules/k8s_audit/`, loaded in this order. */
  extraRules: string[];
  /** False for the one case that loads only its own rule file. */
  withAuditRules: boolean;
  trace: string;
  expected: Record<string, number>;
}

/**
 * Falco 0.34.1's k8s_audit_rules.yaml named four rules differently from the corpus's rule
 * file; the cases below use today's names, mapped from these.
 */
const renamedRules: Record<string, string> = {
  'K8s Role/Clusterrole Created': 'K8s ClusterRole Created',
  'K8s Role/Clusterrole Deleted': 'K8s ClusterRole Deleted',
  'K8s Role/Clusterrolebinding Created': 'K8s ClusterRoleBinding Created',
  'K8s Role/Clusterrolebinding Deleted': 'K8s ClusterRoleBinding Deleted',
};

type Row = [name: string, extraRules: string[], trace: string, expected: Record<string, number>];

const rows: Row[] = [
  [
    'user_outside_allowed_set',
    ['allow_namespace_foo'],
    'some-user_creates_namespace_foo',
    { 'Disallowed K8s User': 1 },
  ],
  [
    'user_in_allowed_set',
    ['allow_namespace_foo', 'allow_user_some-user', 'disallow_kactivity'],
    'some-user_creates_namespace_foo',
    {},
  ],
  [
    'create_disallowed_pod',
    ['allow_only_apache_container'],
    'create_nginx_pod_unprivileged',
    { 'Create Disallowed Pod': 1 },
  ],
  ['create_allowed_pod', ['allow_nginx_container'], 'create_nginx_pod_unprivileged', {}],
  ['create_privileged_pod', [], 'create_nginx_pod_privileged', { 'Create Privileged Pod': 1 }],
  [
    'create_privileged_no_secctx_1st_container_2nd_container_pod',
    [],
    'create_nginx_pod_no_secctx_1st_container_privileged_2nd_container',
    { 'Create Privileged Pod': 1 },
  ],
  [
    'create_privileged_2nd_container_pod',
    [],
    'create_nginx_pod_privileged_2nd_container',
    { 'Create Privileged Pod': 1 },
  ],
  ['create_privileged_trusted_pod', ['trust_nginx_container'], 'create_nginx_pod_privileged', {}],
  ['create_unprivileged_pod', [], 'create_nginx_pod_unprivileged', {}],
  [
    'create_unprivileged_trusted_pod',
    ['trust_nginx_container'],
    'create_nginx_pod_unprivileged',
    {},
  ],
  [
    'create_sensitive_mount_pod',
    [],
    'create_nginx_pod_sensitive_mount',
    { 'Create Sensitive Mount Pod': 1 },
  ],
  [
    'create_sensitive_mount_2nd_container_pod',
    [],
    'create_nginx_pod_sensitive_mount_2nd_container',
    { 'Create Sensitive Mount Pod': 1 },
  ],
  [
    'create_sensitive_mount_trusted_pod',
    ['trust_nginx_container'],
    'create_nginx_pod_sensitive_mount',
    {},
  ],
  ['create_unsensitive_mount_pod', [], 'create_nginx_pod_unsensitive_mount', {}],
  [
    'create_unsensitive_mount_trusted_pod',
    ['trust_nginx_container'],
    'create_nginx_pod_unsensitive_mount',
    {},
  ],
  ['create_hostnetwork_pod', [], 'create_nginx_pod_hostnetwork', { 'Create HostNetwork Pod': 1 }],
  ['create_hostnetwork_trusted_pod', ['trust_nginx_container'], 'create_nginx_pod_hostnetwork', {}],
  ['create_nohostnetwork_pod', [], 'create_nginx_pod_nohostnetwork', {}],
  [
    'create_nohostnetwork_trusted_pod',
    ['trust_nginx_container'],
    'create_nginx_pod_nohostnetwork',
    {},
  ],
  [
    'create_nodeport_service',
    ['disallow_kactivity'],
    'create_nginx_service_nodeport',
    { 'Create NodePort Service': 1 },
  ],
  ['create_nonodeport_service', ['disallow_kactivity'], 'create_nginx_service_nonodeport', {}],
  [
    'create_configmap_private_creds',
    ['disallow_kactivity'],
    'create_configmap_sensitive_values',
    { 'Create/Modify Configmap With Private Credentials': 6 },
  ],
  [
    'create_configmap_no_private_creds',
    ['disallow_kactivity'],
    'create_configmap_no_sensitive_values',
    {},
  ],
  ['anonymous_user', [], 'anonymous_creates_namespace_foo', { 'Anonymous Request Allowed': 1 }],
  ['pod_exec', [], 'exec_pod', { 'Attach/Exec Pod': 1 }],
  ['pod_attach', [], 'attach_pod', { 'Attach/Exec Pod': 1 }],
  [
    'namespace_outside_allowed_set',
    ['allow_user_some-user'],
    'some-user_creates_namespace_foo',
    { 'Create Disallowed Namespace': 1 },
  ],
  [
    'namespace_in_allowed_set',
    ['allow_namespace_foo', 'disallow_kactivity'],
    'minikube_creates_namespace_foo',
    {},
  ],
  [
    'create_pod_in_kube_system_namespace',
    [],
    'create_pod_kube_system_namespace',
    { 'Pod Created in Kube Namespace': 1 },
  ],
  [
    'create_pod_in_kube_public_namespace',
    [],
    'create_pod_kube_public_namespace',
    { 'Pod Created in Kube Namespace': 1 },
  ],
  [
    'create_serviceaccount_in_kube_system_namespace',
    [],
    'create_serviceaccount_kube_system_namespace',
    { 'Service Account Created in Kube Namespace': 1 },
  ],
  [
    'create_serviceaccount_in_kube_public_namespace',
    [],
    'create_serviceaccount_kube_public_namespace',
    { 'Service Account Created in Kube Namespace': 1 },
  ],
  [
    'system_clusterrole_deleted',
    [],
    'delete_cluster_role_kube_aggregator',
    { 'System ClusterRole Modified/Deleted': 1 },
  ],
  [
    'system_clusterrole_modified',
    [],
    'modify_cluster_role_node_problem_detector',
    { 'System ClusterRole Modified/Deleted': 1 },
  ],
  [
    'attach_cluster_admin_role',
    [],
    'attach_cluster_admin_role',
    { 'Attach to cluster-admin Role': 1 },
  ],
  [
    'create_cluster_role_wildcard_resources',
    [],
    'create_cluster_role_wildcard_resources',
    { 'ClusterRole With Wildcard Created': 1 },
  ],
  [
    'create_cluster_role_wildcard_verbs',
    [],
    'create_cluster_role_wildcard_verbs',
    { 'ClusterRole With Wildcard Created': 1 },
  ],
  [
    'create_writable_cluster_role',
    [],
    'create_cluster_role_write_privileges',
    { 'ClusterRole With Write Privileges Created': 1 },
  ],
  [
    'create_pod_exec_cluster_role',
    [],
    'create_cluster_role_pod_exec',
    { 'ClusterRole With Pod Exec Created': 1 },
  ],
  ['create_deployment', [], 'create_deployment', { 'K8s Deployment Created': 1 }],
  ['delete_deployment', [], 'delete_deployment', { 'K8s Deployment Deleted': 1 }],
  ['create_service', [], 'create_service', { 'K8s Service Created': 1 }],
  ['delete_service', [], 'delete_service', { 'K8s Service Deleted': 1 }],
  ['create_configmap', [], 'create_configmap', { 'K8s ConfigMap Created': 1 }],
  ['delete_configmap', [], 'delete_configmap', { 'K8s ConfigMap Deleted': 1 }],
  [
    'create_namespace',
    ['allow_namespace_foo', 'allow_user_some-user'],
    'some-user_creates_namespace_foo',
    { 'K8s Namespace Created': 1 },
  ],
  ['delete_namespace', [], 'delete_namespace_foo', { 'K8s Namespace Deleted': 1 }],
  ['create_serviceaccount', [], 'create_serviceaccount', { 'K8s Serviceaccount Created': 1 }],
  ['delete_serviceaccount', [], 'delete_serviceaccount', { 'K8s Serviceaccount Deleted': 1 }],
  ['create_clusterrole', [], 'create_clusterrole', { 'K8s Role/Clusterrole Created': 1 }],
  ['delete_clusterrole', [], 'delete_clusterrole', { 'K8s Role/Clusterrole Deleted': 1 }],
  [
    'create_clusterrolebinding',
    [],
    'create_clusterrolebinding',
    { 'K8s Role/Clusterrolebinding Created': 1 },
  ],
  [
    'delete_clusterrolebinding',
    [],
    'delete_clusterrolebinding',
    { 'K8s Role/Clusterrolebinding Deleted': 1 },
  ],
  ['create_secret', [], 'create_secret', { 'K8s Secret Created': 1 }],
  ['create_service_account_token_secret', [], 'create_service_account_token_secret', {}],
  ['create_kube_system_secret', [], 'create_kube_system_secret', {}],
  ['delete_secret', [], 'delete_secret', { 'K8s Secret Deleted': 1 }],
  ['fal_01_003', [], 'fal_01_003', {}],
];

function renamed(expected: Record<string, number>): Record<string, number> {
  return Object.fromEntries(
    Object.entries(expected).map(([rule, count]) => [renamedRules[rule] ?? rule, count]),
  );
}

/** Every case, with rule names as the corpus's rule file spells them. */
export const falcoAuditCases: FalcoAuditCase[] = [
  ...rows.map(([name, extraRules, trace, expected]) => ({
    name,
    extraRules,
    withAuditRules: true,
    trace,
    expected: renamed(expected),
  })),
  {
    name: 'json_pointer_correct_parse',
    extraRules: ['single_rule_with_json_pointer'],
    withAuditRules: false,
    trace: 'create_nginx_pod_unprivileged',
    expected: { json_pointer_example: 1 },
  },
];

/** The corpus path of a case's trace file. */
export function caseTracePath(auditCase: FalcoAuditCase): string {
  return corpusPath('falco/tests-0.34.1/trace_files/k8s_audit', `${auditCase.trace}.json`);
}

/**
 * `trust_nginx_container.yaml` appends nginx to the `falco_*_images` lists that Falco
 * 0.34.1's rules used; today's rule file names them `k8s_audit_*_images`, so the cases load
 * the same appends under the new names.
 */
const trustNginx: RuleFile = {
  name: 'trust_nginx_container (k8s_audit_* list names)',
  content: ['privileged', 'sensitive_mount', 'hostnetwork']
    .map(
      (kind) =>
        `- list: k8s_audit_${kind}_images\n  items: [nginx]\n  override:\n    items: append\n`,
    )
    .join(''),
};

async function caseRuleFile(name: string): Promise<RuleFile> {
  if (name === 'trust_nginx_container') return trustNginx;
  const file = corpusPath('falco/tests-0.34.1/rules/k8s_audit', `${name}.yaml`);
  return { name: file, content: await readFile(file, 'utf8') };
}

/** Loads a case's rule files; throws when they do not load cleanly. */
export async function loadCaseRules(auditCase: FalcoAuditCase): Promise<RuleSet> {
  const files = await Promise.all(auditCase.extraRules.map(caseRuleFile));
  if (auditCase.withAuditRules) {
    const file = corpusPath('falco/rules/k8s_audit_rules.yaml');
    files.unshift({ name: file, content: await readFile(file, 'utf8') });
  }
  const loaded = loadRuleFiles(files);
  if (loaded.ruleSet === undefined) {
    const errors = loaded.diagnostics.filter((diagnostic) => diagnostic.severity === 'error');
    throw new Error(
      `rules of ${auditCase.name} do not load: ${errors.map((error) => error.message).join('; ')}`,
    );
  }
  return loaded.ruleSet;
}

/** Alerts counted by rule name. */
export function countByRule(rules: readonly string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const rule of rules) counts[rule] = (counts[rule] ?? 0) + 1;
  return counts;
}
