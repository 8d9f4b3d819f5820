import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadConfig } from './load-config.js';

test('the sources section refuses an unknown source and keys a source does not take', () => {
  const text = ['sources:', '  syscal: {}', '  k8s_audit: {bogus: 1}', '  aws_cloudtrail: {}', ''];
  const { config, diagnostics } = loadConfig(text.join('\n'), 'h.yaml', {});
  assert.equal(config, undefined);
  assert.deepEqual(
    diagnostics.map((d) => `${d.line}:${d.column} ${d.code} ${d.key}: ${d.message}`),
    [
      "2:3 HARRIER_CONFIG_UNKNOWN_KEY sources.syscal: unknown key 'syscal'; expected one of syscall, k8s_audit, aws_cloudtrail",
      "3:14 HARRIER_CONFIG_UNKNOWN_KEY sources.k8s_audit: source 'k8s_audit' takes no settings yet; expected an empty mapping ({}) for 'sources.k8s_audit'",
    ],
  );
});

test('the sources section as the example writes it is accepted', () => {
  const text = 'sources:\n  syscall: {}\n  k8s_audit: {}\n  aws_cloudtrail: {}\n';
  const { config, diagnostics } = loadConfig(text, 'h.yaml', {});
  assert.deepEqual(diagnostics, []);
  assert.deepEqual(config!.sources, { syscall: {}, k8s_audit: {}, aws_cloudtrail: {} });
});
