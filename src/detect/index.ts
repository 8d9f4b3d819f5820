/**
 * Detection: Falco rule files loaded, validated and compiled into a ruleset that matches
 * events. This file lists the stage's public names.
 */
export {
  isRuleFileName,
  loadRuleFiles,
  loadRuleFilesFromDisk,
  type LoadOptions,
  type LoadResult,
  type RuleFile,
} from './rules/loader.js';
export { RuleSet, matchesWildcard } from './rules/ruleset.js';
export type { Rule } from './rules/rule.js';
export type {
  AppendOutputEntry,
  AppendedField,
  ConfigPlace,
  PlacedText,
} from './rules/append-output.js';
export {
  priorityNames,
  parsePriority,
  priorityRank,
  isAtLeast,
  type Priority,
} from './rules/priority.js';
// YAML syntax errors in rule-file words, for the other YAML files Harrier reads (its config).
export { describeSyntaxError } from './rules/yaml-tree.js';
