/**
 * Rule fixtures validate as Falco's own test suites expect: the `validate_*` specs of Falco
 * 0.34.1 (`falco/tests-0.34.1`) and the validation assertions of falcosecurity/testing, whose
 * fixtures are in `falco/testing-fixtures` (expectations transcribed below from its Go tests).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { parse } from 'yaml';
import type { Diagnostic } from '../../engine/index.js';
import { corpusPath } from '../../testing/corpus.js';
import { NO_PREVIOUS_LIST, NO_PREVIOUS_MACRO, NO_PREVIOUS_RULE_APPEND } from './collector.js';
import { loadRuleFiles, type LoadResult } from './loader.js';

/** One expected error or warning; `message` must be contained in the diagnostic's message. */
interface Expected {
  code: string;
  itemType?: string;
  itemName?: string;
  message?: string;
}

interface Spec {
  files: string[];
  errors?: Expected[];
  warnings?: Expected[];
  /** The first file alone is valid. */
  firstOk?: boolean;
}

/** Falco's validation matches a type or name at any level of the item chain. */
function matches(diagnostic: Diagnostic, expected: Expected): boolean {
  if (diagnostic.code !== expected.code) return false;
  if (expected.message !== undefined && !diagnostic.message.includes(expected.message))
    return false;
  const type = expected.itemType;
  if (type !== undefined && diagnostic.itemType !== type && !chainHas(diagnostic.path, type, ''))
    return false;
  const name = expected.itemName;
  if (
    name !== undefined &&
    diagnostic.itemName !== name &&
    !chainHas(diagnostic.path, type ?? '', name)
  )
    return false;
  return true;
}

function chainHas(path: string, type: string, name: string): boolean {
  const label = name === '' ? type : `${type} '${name}'`;
  return path
    .split(' > ')
    .some(
      (part) =>
        part === label ||
        part.startsWith(`${label} `) ||
        (name === '' && part.startsWith(`${type} '`)),
    );
}

function describe(result: LoadResult): string {
  return result.diagnostics
    .map((item) => `${item.severity} ${item.code} [${item.path}] ${item.message}`)
    .join('\n');
}

function checkSpec(spec: Spec, read: (file: string) => string): void {
  const files = spec.files.map((file) => ({ name: file, content: read(file) }));
  const result = loadRuleFiles(files);
  const details = describe(result);
  const errors = result.diagnostics.filter((item) => item.severity === 'error');
  const warnings = result.diagnostics.filter((item) => item.severity === 'warning');
  assert.equal(
    errors.length > 0,
    (spec.errors ?? []).length > 0,
    `error status differs:\n${details}`,
  );
  for (const expected of spec.errors ?? []) {
    assert.ok(
      errors.some((item) => matches(item, expected)),
      `missing error ${JSON.stringify(expected)}:\n${details}`,
    );
  }
  for (const expected of spec.warnings ?? []) {
    assert.ok(
      warnings.some((item) => matches(item, expected)),
      `missing warning ${JSON.stringify(expected)}:\n${details}`,
    );
  }
  if (spec.firstOk === true) {
    const first = files[0]?.name;
    assert.ok(!errors.some((item) => item.file === first), `first file has errors:\n${details}`);
  }
}

// ---- falcosecurity/testing ----

const fixtureIndex = JSON.parse(
  readFileSync(corpusPath('falco/testing-fixtures/rules/INDEX.json'), 'utf8'),
) as Record<string, { file?: string; orig_name: string }>;

/** A fixture's text; the two that point at installed Falco rules read the corpus copies. */
function readFixture(name: string): string {
  const entry = fixtureIndex[name];
  if (entry?.file === undefined)
    return readFileSync(corpusPath('falco/rules', entry?.orig_name ?? name), 'utf8');
  return readFileSync(corpusPath('falco/testing-fixtures/rules', entry.file), 'utf8');
}

const E = (code: string, itemType?: string, itemName?: string, message?: string): Expected => ({
  code,
  itemType,
  itemName,
  message,
});
const V = 'LOAD_ERR_VALIDATE';
const YV = 'LOAD_ERR_YAML_VALIDATE';
const CC = 'LOAD_ERR_COMPILE_CONDITION';
const unexpectedAfter = (token: string): string =>
  `unexpected token after '${token}', expecting 'or', 'and'`;

const testingSpecs: Record<string, Spec> = {
  EngineVersionMismatch: {
    files: ['EngineVersionMismatch'],
    errors: [E(V, 'required_engine_version')],
  },
  InvalidNotArray: {
    files: ['InvalidNotArray'],
    errors: [E(YV, 'rules content', undefined, 'Rules content is not yaml array of objects')],
  },
  InvalidEngineVersionNotNumber: {
    files: ['InvalidEngineVersionNotNumber'],
    errors: [
      E(
        YV,
        'required_engine_version',
        undefined,
        `Unable to parse engine version 'not-a-number' as a semver string. Expected "x.y.z" semver format.`,
      ),
    ],
  },
  InvalidOverwriteRuleMultipleDocs: {
    files: ['InvalidOverwriteRuleMultipleDocs'],
    errors: [E(V, 'rule', 'some rule', "Undefined macro 'bar' used in filter.")],
  },
  // Falco counts one error here because it stops at the first; Harrier goes on and also
  // reports the second rule's unknown output field.
  SkipUnknownError: {
    files: ['SkipUnknownError'],
    errors: [
      E(
        CC,
        'rule',
        'Contains Unknown Event And Not Skipping (field)',
        'filter_check called with nonexistent field proc.nobody',
      ),
    ],
  },
  InvalidAppendMacro: {
    files: ['InvalidBaseMacro', 'InvalidAppendMacro'],
    firstOk: true,
    errors: [E(CC, 'macro', 'some_macro', unexpectedAfter('execve'))],
    warnings: [
      E(
        'LOAD_UNUSED_MACRO',
        'macro',
        'some_macro',
        'Macro not referred to by any other rule/macro',
      ),
    ],
  },
  InvalidMissingListName: {
    files: ['InvalidMissingListName'],
    errors: [E(YV, 'list', undefined, "Mapping for key 'list' is empty")],
  },
  InvalidOverwriteMacroMultipleDocs: {
    files: ['InvalidOverwriteMacroMultipleDocs'],
    errors: [E(V, 'macro', 'some_macro', "Undefined macro 'foo' used in filter.")],
  },
  // The message is yaml-cpp's in Falco; Harrier's YAML library words it its own way.
  InvalidYamlParseError: {
    files: ['InvalidYamlParseError'],
    errors: [E('LOAD_ERR_YAML_PARSE', 'rules content')],
  },
  InvalidRuleWithoutOutput: {
    files: ['InvalidRuleWithoutOutput'],
    errors: [E(YV, 'rule', 'no output rule', "Item has no mapping for key 'output'")],
  },
  InvalidListWithoutItems: {
    files: ['InvalidListWithoutItems'],
    errors: [E(YV, 'list', 'bad_list', "Item has no mapping for key 'items'")],
  },
  InvalidRuleOutput: {
    files: ['InvalidRuleOutput'],
    errors: [
      E(
        'LOAD_ERR_COMPILE_OUTPUT',
        'rule',
        'rule_with_invalid_output',
        'invalid formatting token not_a_real_field',
      ),
    ],
  },
  InvalidMacroWithoutCondition: {
    files: ['InvalidMacroWithoutCondition'],
    errors: [E(YV, 'macro', 'bad_macro', "Item has no mapping for key 'condition'")],
  },
  InvalidMissingMacroName: {
    files: ['InvalidMissingMacroName'],
    errors: [E(YV, 'macro', undefined, "Mapping for key 'macro' is empty")],
  },
  InvalidOverwriteRule: {
    files: ['InvalidBaseRule', 'InvalidOverwriteRule'],
    firstOk: true,
    errors: [E(V, 'rule', 'some rule', "Undefined macro 'bar' used in filter.")],
  },
  InvalidAppendMacroMultipleDocs: {
    files: ['InvalidAppendMacroMultipleDocs'],
    errors: [E(CC, 'macro', 'some_macro', unexpectedAfter('execve'))],
  },
  InvalidAppendRuleWithoutCondition: {
    files: ['InvalidAppendRuleWithoutCondition'],
    errors: [
      E(V, 'rule', 'no condition rule', 'Appended rule must have exceptions or condition property'),
    ],
  },
  SkipUnknownUnspec: {
    files: ['SkipUnknownUnspec'],
    errors: [
      E(
        CC,
        'rule',
        'Contains Unknown Event And Unspecified',
        'filter_check called with nonexistent field proc.nobody',
      ),
    ],
  },
  InvalidNotYaml: {
    files: ['InvalidNotYaml'],
    errors: [E(YV, 'rules content', undefined, 'Rules content is not yaml')],
  },
  InvalidOverwriteMacro: {
    files: ['InvalidBaseMacro', 'InvalidOverwriteMacro'],
    firstOk: true,
    errors: [E(V, 'macro', 'some_macro', "Undefined macro 'foo' used in filter.")],
    warnings: [
      E(
        'LOAD_UNUSED_MACRO',
        'macro',
        'some_macro',
        'Macro not referred to by any other rule/macro',
      ),
    ],
  },
  InvalidMissingRuleName: {
    files: ['InvalidMissingRuleName'],
    errors: [E(YV, 'rule', undefined, "Mapping for key 'rule' is empty")],
  },
  InvalidAppendRule: {
    files: ['InvalidBaseRule', 'InvalidAppendRule'],
    firstOk: true,
    errors: [E(CC, 'rule', 'some rule', unexpectedAfter('open'))],
  },
  InvalidAppendRuleMultipleDocs: {
    files: ['InvalidAppendRuleMultipleDocs'],
    errors: [E(CC, 'rule', 'some rule', unexpectedAfter('open'))],
  },
  SkipUnknownEvt: { files: ['SkipUnknownEvt'], warnings: [E('LOAD_UNKNOWN_FILTER', 'rule')] },
  InvalidArrayItemNotObject: {
    files: ['InvalidArrayItemNotObject'],
    errors: [
      E(
        YV,
        'rules content item',
        undefined,
        'Unexpected element type. Each element should be a yaml associative array.',
      ),
    ],
  },
  ExceptionsRuleExceptionNewNoFieldAppend: {
    files: ['ExceptionsRuleExceptionNewNoFieldAppend'],
    errors: [
      E(
        V,
        'exception',
        'proc_cmdline',
        'Rule exception must have fields property with a list of fields',
      ),
    ],
  },
  ExceptionsItemUnknownFields: {
    files: ['ExceptionsItemUnknownFields'],
    errors: [E(V, 'exception', 'ex1', "'not.exist' is not a supported filter field")],
  },
  ExceptionsAppendItemFieldsValuesLenMismatch: {
    files: ['ExceptionsAppendItemFieldsValuesLenMismatch'],
    errors: [E(V, 'exception', 'ex1', 'Fields and values lists must have equal length')],
  },
  ExceptionsAppendItemNotInRule: {
    files: ['ExceptionsAppendItemNotInRule'],
    errors: [
      E(V, 'exception', 'ex2', 'Rule exception must have fields property with a list of fields'),
    ],
  },
  ExceptionsItemNoFields: {
    files: ['ExceptionsItemNoFields'],
    errors: [E(YV, 'exception', 'ex1', "Item has no mapping for key 'fields'")],
  },
  ExceptionsAppendItemNoName: {
    files: ['ExceptionsAppendItemNoName'],
    errors: [E(YV, 'exception', undefined, "Item has no mapping for key 'name'")],
  },
  ExceptionsItemCompsFieldsLenMismatch: {
    files: ['ExceptionsItemCompsFieldsLenMismatch'],
    errors: [E(V, 'exception', 'ex1', 'Fields and comps lists must have equal length')],
  },
  ExceptionsItemNoName: {
    files: ['ExceptionsItemNoName'],
    errors: [E(YV, 'exception', undefined, "Item has no mapping for key 'name'")],
  },
  ExceptionsItemUnknownComp: {
    files: ['ExceptionsItemUnknownComp'],
    errors: [E(V, 'exception', 'ex1', "'no-comp' is not a supported comparison operator")],
  },
  ExceptionsItemFieldsValuesLenMismatch: {
    files: ['ExceptionsItemFieldsValuesLenMismatch'],
    errors: [E(V, 'exception', 'ex1', 'Fields and values lists must have equal length')],
  },
  FalcoRulesWarnings: {
    files: ['FalcoRulesWarnings'],
    warnings: [
      E(
        'LOAD_NO_EVTTYPE',
        'rule',
        undefined,
        'Rule matches too many evt.type values. This has a significant performance penalty.',
      ),
    ],
  },
  AppendUnknownSource: {
    files: ['AppendUnknownSource'],
    warnings: [E('LOAD_UNKNOWN_SOURCE', 'rule', 'Rule1', 'Unknown source mysource, skipping')],
  },
};

/** Fixtures loaded on top of another one in the Go tests (`WithRules(base, fixture)`). */
const loadedWith: Record<string, string> = {
  AppendSingleRule: 'SingleRule',
  DoubleRule: 'SingleRule',
  OverrideMacro: 'SingleRule',
  OverrideRule: 'SingleRule',
  OverrideList: 'SingleRule',
  OverrideNestedList: 'SingleRule',
  RulesDir001DoubleRule: 'RulesDir000SingleRule',
  K8SAuditAllowNamespaceFoo: 'K8SAuditRules',
  K8SAuditAllowUserSomeUser: 'K8SAuditRules',
  K8SAuditTrustNginxContainer: 'K8SAuditRules',
};

/** Fixtures used only as bases of the specs above, or that need a plugin Harrier lacks. */
const notStandalone = new Set([
  'InvalidBaseMacro',
  'InvalidBaseRule',
  'InvalidConditionNotRule',
  'InvalidListLoop',
  'InvalidMacroCompleError',
  'InvalidMacroLoop',
  'PluginsCloudtrailCreateInstances',
  'PluginsCloudtrailCreateInstancesExceptions',
  'PluginsCloudtrailIncompatPluginVersion',
  'K8SAuditRules',
  'FalcoRules',
  // Uses json.value on syscall events, which Falco only has with the json plugin loaded.
  'RulesListWithPluginJSON',
]);

for (const [name, spec] of Object.entries(testingSpecs)) {
  test(`testing fixture ${name} validates as falcosecurity/testing expects`, () =>
    checkSpec(spec, readFixture));
}

test('every other testing fixture loads without errors (with its base where the Go tests add one)', () => {
  const names = Object.keys(fixtureIndex).filter(
    (name) => testingSpecs[name] === undefined && !notStandalone.has(name),
  );
  assert.ok(names.length > 60, `only ${names.length} fixtures`);
  for (const name of names) {
    const base = loadedWith[name];
    checkSpec({ files: base === undefined ? [name] : [base, name] }, readFixture);
  }
});

test('required versions of a rules file are reported as Falco describes them', () => {
  const files = ['RulesDir000SingleRule', 'RulesListWithPluginJSON'].map((name) => ({
    name,
    content: readFixture(name),
  }));
  const result = loadRuleFiles(files);
  assert.equal(result.requiredEngineVersion, '0.11.0');
  assert.deepEqual(result.requiredPluginVersions, [[{ name: 'json', version: '0.1.0' }]]);
});

test('a macro loop is a LOAD_ERR_VALIDATE on the macro, as the 0.34.1 spec says', () => {
  checkSpec(
    { files: ['InvalidMacroLoop'], errors: [E(V, 'macro', 'macro_a', 'reference loop in macro')] },
    readFixture,
  );
});

// ---- Falco 0.34.1 falco_tests*.yaml ----

interface LegacyEntry {
  validate_rules_file: string | string[];
  validate_errors?: {
    item_type: string;
    item_name: string;
    code: string;
    message?: string;
    message_contains?: string;
  }[];
  validate_warnings?: { item_type: string; item_name: string; code: string; message?: string }[];
  validate_ok?: string[];
}

/**
 * What current Falco (and so Harrier) says where 0.34.1 said something else: messages and
 * codes renamed since, and yaml-cpp's own parse message.
 */
const updatedSince: Record<string, string | null> = {
  "Can't decode YAML scalar value": "Unable to parse engine version 'not-a-number'",
  "Macro has 'append' key but no macro by that name already exists": NO_PREVIOUS_MACRO,
  "List has 'append' key but no list by that name already exists": NO_PREVIOUS_LIST,
  "Rule has 'append' key but no rule by that name already exists": NO_PREVIOUS_RULE_APPEND,
  'Rules require engine version 9999999, but engine version is':
    'Rules require engine version 0.9999999.0, but engine version is',
  'yaml-cpp: error at line 1, column 11: illegal map value': null,
};
const renamedCodes: Record<string, string> = { LOAD_UNKNOWN_FIELD: 'LOAD_UNKNOWN_FILTER' };

/** The 0.34.1 plugin specs expect aws_cloudtrail to be unknown; Harrier has that source. */
const skippedLegacy = new Set([
  'no_plugins_unknown_source',
  'no_plugins_unknown_source_rule_exception',
]);

function legacyExpected(entry: {
  item_type: string;
  item_name: string;
  code: string;
  message?: string;
  message_contains?: string;
}): Expected {
  const original = entry.message ?? entry.message_contains;
  const message =
    original !== undefined && original in updatedSince ? updatedSince[original] : original;
  return {
    code: renamedCodes[entry.code] ?? entry.code,
    itemType: entry.item_type,
    itemName: entry.item_name || undefined,
    message: message ?? undefined,
  };
}

const legacyRoot = corpusPath('falco/tests-0.34.1');
const legacySpecs: [string, Spec][] = [];
for (const specFile of readdirSync(legacyRoot).filter((file) =>
  /^falco_tests.*\.yaml$/.test(file),
)) {
  const document = parse(readFileSync(`${legacyRoot}/${specFile}`, 'utf8'), {
    logLevel: 'silent',
  }) as { trace_files: Record<string, LegacyEntry> };
  for (const [name, entry] of Object.entries(document.trace_files)) {
    if (entry?.validate_rules_file === undefined || skippedLegacy.has(name)) continue;
    const files = ([] as string[]).concat(entry.validate_rules_file);
    const spec: Spec = {
      files,
      errors: (entry.validate_errors ?? []).map(legacyExpected),
      warnings: (entry.validate_warnings ?? []).map(legacyExpected),
    };
    if (entry.validate_ok !== undefined) spec.firstOk = true;
    legacySpecs.push([name, spec]);
  }
}

test('the 0.34.1 specs hold the validate entries', () => {
  assert.ok(legacySpecs.length >= 40, `found ${legacySpecs.length}`);
});

for (const [name, spec] of legacySpecs) {
  test(`falco 0.34.1 spec ${name} validates as specified`, () =>
    checkSpec(spec, (file) => readFileSync(`${legacyRoot}/${file}`, 'utf8')));
}
