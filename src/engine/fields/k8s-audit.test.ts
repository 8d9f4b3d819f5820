import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { corpusPath } from '../../testing/corpus.js';
import type { K8sAuditEvent } from '../../decode/json-events.js';
import { createK8sAuditFieldTable } from './k8s-audit.js';
import { resolveField } from './resolve.js';
import { parse } from 'yaml';

const table = createK8sAuditFieldTable();

/** The audit events of one Falco test trace (one JSON object per line). */
function traceEvents(file: string): K8sAuditEvent[] {
  const text = readFileSync(corpusPath('falco/tests-0.34.1/trace_files/k8s_audit', file), 'utf8');
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => ({
      source: 'k8s_audit',
      ts: 1_540_476_787_000_000_000n,
      raw: JSON.parse(line),
    }));
}

function trace(file: string): K8sAuditEvent {
  return traceEvents(file)[0];
}

/** Extracts `name` (with an optional bracket argument) from `event`. */
function value(event: K8sAuditEvent, name: string, argument?: string) {
  const resolved = resolveField(table, name, argument);
  assert.ok(resolved.ok, `${name}: ${!resolved.ok && resolved.message}`);
  return resolved.definition.extract?.(event, resolved.argument);
}

test('has the 100 k8saudit plugin fields and the 6 json plugin fields', () => {
  const byPlugin = (plugin: string) =>
    [...table.fields.values()].filter((field) => field.plugin === plugin);
  assert.equal(byPlugin('k8saudit').length, 100);
  assert.equal(byPlugin('json').length, 6);
  assert.equal(table.fields.size, 106);
  for (const field of table.fields.values()) {
    assert.equal(field.type, 'CHARBUF', field.name);
    assert.ok(field.extract, field.name);
  }
});

test('gives list-ness and argument modes as the plugin declares them', () => {
  const shape = (name: string) => {
    const field = table.fields.get(name);
    return [field?.isList === true, field?.argument, field?.argumentKind];
  };
  assert.deepEqual(shape('ka.user.groups'), [true, 'none', undefined]);
  assert.deepEqual(shape('ka.uri.param'), [false, 'required', 'key']);
  assert.deepEqual(shape('ka.req.volume.hostpath'), [false, 'required', 'key']);
  assert.deepEqual(shape('ka.req.pod.containers.image'), [true, 'allowed', 'index']);
  assert.deepEqual(shape('ka.req.pod.ephemeralContainers.add_capabilities'), [
    true,
    'allowed',
    'index',
  ]);
  assert.deepEqual(shape('ka.sourceips'), [true, 'allowed', 'index']);
  assert.deepEqual(shape('ka.req.container.image'), [false, 'none', undefined]);
  assert.deepEqual(shape('json.value'), [false, 'required', 'key']);
  assert.equal(table.fields.has('ka.req.pod.initContainers.host_port'), true);
  assert.equal(table.fields.has('ka.req.pod.ephemeralContainers.host_port'), false);
});

test('reads request, user and target fields of a pod creation', () => {
  const event = trace('create_nginx_pod_privileged_2nd_container.json');
  assert.equal(value(event, 'ka.auditid'), 'f83ecd50-5bf4-4fe7-a419-dea22852ca49');
  assert.equal(value(event, 'ka.stage'), 'ResponseComplete');
  assert.equal(value(event, 'ka.verb'), 'create');
  assert.equal(value(event, 'ka.uri'), '/api/v1/namespaces/default/pods');
  assert.equal(value(event, 'ka.auth.decision'), 'allow');
  assert.equal(
    value(event, 'ka.user.name'),
    'system:serviceaccount:kube-system:replicaset-controller',
  );
  assert.deepEqual(value(event, 'ka.user.groups'), [
    'system:serviceaccounts',
    'system:serviceaccounts:kube-system',
    'system:authenticated',
  ]);
  assert.equal(value(event, 'ka.target.resource'), 'pods');
  assert.equal(value(event, 'ka.target.namespace'), 'default');
  assert.equal(value(event, 'ka.target.name'), undefined);
  assert.equal(value(event, 'ka.target.pod.name'), 'nginx-deployment-544b59f8b8-ffkxm');
  assert.equal(value(event, 'ka.resp.name'), 'nginx-deployment-544b59f8b8-ffkxm');
  assert.equal(value(event, 'ka.response.code'), '201');
  assert.equal(value(event, 'ka.impuser.name'), undefined);
});

test('reads per-container lists, one container by index, and the older first-container forms', () => {
  const event = trace('create_nginx_pod_privileged_2nd_container.json');
  assert.deepEqual(value(event, 'ka.req.pod.containers.name'), ['nginx1', 'mysql']);
  assert.deepEqual(value(event, 'ka.req.pod.containers.image'), ['nginx', 'mysql:latest']);
  assert.deepEqual(value(event, 'ka.req.pod.containers.image', '1'), ['mysql:latest']);
  assert.equal(value(event, 'ka.req.pod.containers.image', '2'), undefined);
  assert.deepEqual(value(event, 'ka.req.pod.containers.image.repository'), ['nginx', 'mysql']);
  assert.deepEqual(value(event, 'ka.req.pod.containers.privileged'), ['false', 'true']);
  assert.deepEqual(value(event, 'ka.req.pod.containers.privileged', '0'), ['false']);
  assert.equal(value(event, 'ka.req.container.privileged'), 'true');
  assert.equal(value(event, 'ka.req.container.image'), 'nginx');
  assert.equal(value(event, 'ka.req.container.image.repository'), 'nginx');
  // No container sets runAsUser, so the list is empty, which Falco shows as <NA>.
  assert.equal(value(event, 'ka.req.pod.containers.run_as_user'), undefined);
  // The plugin reads the effective ids from keys pods never have, so it always reports 0.
  assert.deepEqual(value(event, 'ka.req.pod.containers.eff_run_as_user'), ['0', '0']);
  assert.equal(value(event, 'ka.req.pod.containers.command'), undefined);
  assert.equal(value(event, 'ka.req.pod.initContainers.image'), undefined);
  assert.equal(value(event, 'ka.req.pod.host_network'), undefined);
});

test('reads host network and host path volumes', () => {
  assert.equal(
    value(trace('create_nginx_pod_hostnetwork.json'), 'ka.req.pod.host_network'),
    'true',
  );
  const event = trace('create_nginx_pod_sensitive_mount.json');
  assert.deepEqual(value(event, 'ka.req.pod.volumes.hostpath'), ['/etc']);
  assert.equal(value(event, 'ka.req.volume.hostpath', '/etc'), 'true');
  assert.equal(value(event, 'ka.req.volume.hostpath', '/et*'), 'true');
  assert.equal(value(event, 'ka.req.volume.hostpath', '/var'), 'false');
  assert.deepEqual(value(event, 'ka.req.pod.volumes.volume_type'), ['hostPath']);
});

test('reads role binding subjects and role rules', () => {
  const binding = trace('create_clusterrolebinding.json');
  assert.deepEqual(value(binding, 'ka.req.binding.subjects.user_names'), ['minikube']);
  assert.equal(value(binding, 'ka.req.binding.subjects.serviceaccount_names'), undefined);
  assert.equal(value(binding, 'ka.req.binding.role'), 'system:basic-user');
  assert.deepEqual(value(binding, 'ka.req.binding.subjects'), [
    '{"apiGroup":"rbac.authorization.k8s.io","kind":"User","name":"minikube"}',
  ]);
  assert.equal(value(binding, 'ka.req.binding.subject.has_name', 'anyone'), 'true');
  assert.equal(value(binding, 'ka.auth.reason'), '');

  const role = trace('create_cluster_role_pod_exec.json');
  assert.deepEqual(value(role, 'ka.req.role.rules.verbs'), ['get', 'get']);
  assert.deepEqual(value(role, 'ka.req.role.rules.verbs', '1'), ['get']);
  assert.deepEqual(value(role, 'ka.req.role.rules.resources'), ['pods/exec']);
  assert.deepEqual(value(role, 'ka.req.role.rules.apiGroups'), ['']);
  assert.equal((value(role, 'ka.req.role.rules.nonResourceURLs') as string[]).length, 13);
  assert.deepEqual(value(role, 'ka.req.role.rules'), [
    '{"apiGroups":[""],"resources":["pods/exec"],"verbs":["get"]}',
    '{"nonResourceURLs":["/api","/api/*","/apis","/apis/*","/healthz","/openapi","/openapi/*","/swagger-2.0.0.pb-v1","/swagger.json","/swaggerapi","/swaggerapi/*","/version","/version/"],"verbs":["get"]}',
  ]);
  // Like the plugin, ka.sourceips looks under requestObject.rules, so the event's own
  // sourceIPs never show.
  assert.equal(value(role, 'ka.sourceips'), undefined);
});

test('reads URI query parameters and leaves pod name unset for subresources', () => {
  const event = trace('exec_pod.json');
  assert.equal(value(event, 'ka.uri.param', 'command'), 'bash');
  assert.equal(value(event, 'ka.uri.param', 'container'), 'nginx1');
  assert.equal(value(event, 'ka.uri.param', 'missing'), undefined);
  assert.equal(value(event, 'ka.target.subresource'), 'exec');
  assert.equal(value(event, 'ka.target.pod.name'), undefined);
  assert.equal(value(event, 'ka.response.code'), '101');
});

test('reads services, configmaps, and gives nothing for JSON without an audit id', () => {
  const service = trace('create_nginx_service_nodeport.json');
  assert.equal(value(service, 'ka.req.service.type'), 'NodePort');
  assert.deepEqual(value(service, 'ka.req.service.ports'), [
    '[{"nodePort":30080,"port":80,"protocol":"TCP","targetPort":80}]',
  ]);
  const configmaps = traceEvents('create_configmap_sensitive_values.json');
  assert.equal(configmaps.length, 6);
  assert.equal(value(configmaps[4], 'ka.req.configmap.name'), 'my-config');
  assert.match(
    value(configmaps[4], 'ka.req.configmap.obj') as string,
    /^\{"access\.properties":"password = MY-ID\\n/,
  );

  const notAudit = trace('fal_01_003.json');
  assert.equal(value(notAudit, 'ka.verb'), undefined);
  assert.equal(value(notAudit, 'ka.req.binding.subject.has_name', 'x'), undefined);
  assert.equal(value(notAudit, 'json.value', '/kind'), '0');
});

test('reads json plugin fields from the audit event', () => {
  const event = trace('exec_pod.json');
  assert.equal(value(event, 'json.value', '/user/username'), 'minikube-user');
  assert.equal(value(event, 'jevt.value', '/sourceIPs/0'), '192.168.99.1');
  assert.equal(value(event, 'json.value', '/responseStatus'), '{"code":101,"metadata":{}}');
  assert.equal(value(event, 'json.value', '/nothing/here'), undefined);
  assert.equal(value(event, 'json.rawtime'), '1540476787000000000');
  assert.match(
    value(event, 'json.obj') as string,
    /^\{\n {2}"annotations": \{\n {4}"authorization/,
  );
});

/** A pod with init and ephemeral containers, ports, capabilities and commands. */
const richPod: K8sAuditEvent = {
  source: 'k8s_audit',
  ts: 0n,
  raw: {
    auditID: 'rich',
    requestObject: {
      subjects: [
        { kind: 'ServiceAccount', name: 'builder', namespace: 'ci' },
        { kind: 'ServiceAccount', name: 'orphan' },
        { kind: 'Group', name: 'admins' },
      ],
      spec: {
        hostPID: true,
        securityContext: { runAsUser: 1000, supplementalGroups: [5, 6] },
        containers: [
          {
            name: 'app',
            image: 'registry:5000/team/app@sha256:abc',
            command: ['sh', '-c'],
            args: ['echo', 'hi'],
            ports: [{ containerPort: 80 }, { hostPort: 8080, containerPort: 81 }],
            securityContext: { capabilities: { add: ['NET_ADMIN', 'SYS_TIME'] } },
          },
        ],
        initContainers: [
          { name: 'init', image: 'busybox:1.36', securityContext: { runAsUser: 0 } },
        ],
        ephemeralContainers: [{ name: 'debug', image: 'alpine' }],
      },
    },
  },
};

test('reads init and ephemeral containers, ports, capabilities and namespaced subjects', () => {
  assert.deepEqual(value(richPod, 'ka.req.pod.containers.image.repository'), ['registry']);
  assert.deepEqual(value(richPod, 'ka.req.pod.containers.command'), ['sh -c']);
  assert.deepEqual(value(richPod, 'ka.req.pod.containers.args'), ['echo hi']);
  assert.deepEqual(value(richPod, 'ka.req.pod.containers.host_port'), ['80', '8080']);
  assert.deepEqual(value(richPod, 'ka.req.pod.containers.add_capabilities'), [
    '["NET_ADMIN","SYS_TIME"]',
  ]);
  assert.deepEqual(value(richPod, 'ka.req.pod.initContainers.name'), ['init']);
  assert.deepEqual(value(richPod, 'ka.req.pod.initContainers.run_as_user'), ['0']);
  assert.deepEqual(value(richPod, 'ka.req.pod.ephemeralContainers.image', '0'), ['alpine']);
  assert.equal(value(richPod, 'ka.req.pod.host_pid'), 'true');
  assert.equal(value(richPod, 'ka.req.pod.run_as_user'), '1000');
  assert.deepEqual(value(richPod, 'ka.req.pod.supplemental_groups'), ['5', '6']);
  assert.deepEqual(value(richPod, 'ka.req.binding.subjects.serviceaccount_ns_names'), [
    'ci:builder',
  ]);
  assert.deepEqual(value(richPod, 'ka.req.binding.subjects.serviceaccount_names'), [
    'builder',
    'orphan',
  ]);
  assert.deepEqual(value(richPod, 'ka.req.binding.subjects.group_names'), ['admins']);
});

test('resolves every field the Kubernetes audit rule files use', () => {
  const failures: string[] = [];
  let count = 0;
  for (const file of ['k8s_audit_rules.yaml', 'k8s_audit_rules_gke.yaml']) {
    const items: Array<{ condition?: string; output?: string }> =
      parse(readFileSync(corpusPath('falco/rules', file), 'utf8')) ?? [];
    for (const item of items) {
      const text = `${item.condition ?? ''} ${item.output ?? ''}`.replace(/"[^"]*"|'[^']*'/g, ' ');
      for (const match of text.matchAll(
        /(?<![\w./-])((?:ka|jevt|json)\.[\w.]+)(?:\[([^\]]*)\])?/g,
      )) {
        count++;
        const resolved = resolveField(table, match[1], match[2]);
        if (!resolved.ok) failures.push(`${file}: ${match[0]}: ${resolved.message}`);
      }
    }
  }
  assert.deepEqual(failures, []);
  assert.ok(count > 100, `only ${count} references found`);
});
