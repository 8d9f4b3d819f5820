/**
 * The first compile steps, shared by macros and rules: lists (with lists inside lists),
 * parsing conditions after list substitution, macro ASTs and their expansion, and mapping
 * any position in an expanded condition back to its place in a file.
 * @internal
 */
import { type Expr, parseCondition } from '../../engine/index.js';
import type { Collector } from './collector.js';
import type { ItemContext, LoadReport } from './context.js';
import type { ListInfo, MacroInfo } from './items.js';
import { expandLists } from './list-expansion.js';
import {
  expandMacros,
  splitIndex,
  type MacroCopy,
  type MacroExpansion,
} from './macro-expansion.js';
import type { MappedText } from './mapped-text.js';

interface CompiledList {
  name: string;
  items: string[];
  used: boolean;
  info: ListInfo;
}

/** A condition parsed after list substitution, with the way back to the original text. */
export interface ParsedText {
  text: MappedText;
  ast: Expr;
  /** Index in the substituted text → index in `text`. */
  origin: number[];
}

interface ParsedMacro {
  info: MacroInfo;
  parsed: ParsedText | undefined;
  used: boolean;
}

/** Depth limit handed to the parser, as Falco sets it for rule conditions. */
const MAX_PARSE_DEPTH = 1000;

export class CompileState {
  readonly lists: CompiledList[] = [];
  readonly macros = new Map<string, ParsedMacro>();
  /** Macros whose expansion failed: their error is reported once, at the macro itself. */
  private readonly failedExpansions = new Set<string>();
  /** Warnings already given at a macro (`name`, NUL, message), however many rules use it. */
  private readonly macroWarnings = new Set<string>();

  constructor(
    private readonly collector: Collector,
    private readonly report: LoadReport,
  ) {
    this.compileLists();
    this.compileMacros();
  }

  /** Substitutes lists and parses; reports a syntax error and returns undefined on failure. */
  parse(text: MappedText): ParsedText | undefined {
    const expanded = expandLists(text.text, this.lists);
    for (const list of this.lists) if (expanded.used.has(list.name)) list.used = true;
    const result = parseCondition(expanded.text, { maxDepth: MAX_PARSE_DEPTH });
    if (result.ok) return { text, ast: result.ast, origin: expanded.origin };
    const at = originOf(expanded.origin, result.error.position.index);
    const context = text.locate(at);
    if (context !== undefined)
      this.report.error('LOAD_ERR_COMPILE_CONDITION', result.error.message, context);
    return undefined;
  }

  /** Expands macros in a parsed condition; `visible` limits which macros it may use. */
  expand(parsed: ParsedText, visible: (macro: MacroInfo) => boolean): MacroExpansion {
    return expandMacros(parsed.ast, (name) => {
      const macro = this.macros.get(name);
      if (macro?.parsed === undefined || !visible(macro.info)) return undefined;
      return macro.parsed.ast;
    });
  }

  /**
   * Reports an expansion's loop errors and unknown macros, for the condition of `macro` or,
   * without it, of a rule. Problems inside a macro that failed itself are left out, as are
   * names of macros that failed: their own error is already reported. True when clean.
   */
  reportExpansion(parsed: ParsedText, expansion: MacroExpansion, macro?: MacroInfo): boolean {
    for (const name of expansion.resolved) {
      const used = this.macros.get(name);
      if (used !== undefined) used.used = true;
    }
    const { copies } = expansion;
    const isEcho = (index: number) => this.insideFailedMacro(copies, index);
    // As Falco: loop errors take precedence over the unknown names they also leave behind.
    const loops = expansion.errors.filter(({ index }) => !isEcho(index));
    for (const { message, index } of loops)
      this.report.error('LOAD_ERR_VALIDATE', message, this.locate(parsed, copies, index));
    if (loops.length > 0) return false;
    const reported = new Set<string>();
    for (const { name, index } of expansion.unknown) {
      if (reported.has(name) || isEcho(index)) continue;
      reported.add(name);
      if (this.hasFailed(name)) continue;
      const message = this.unknownMacroMessage(name, macro);
      this.report.error('LOAD_ERR_VALIDATE', message, this.locate(parsed, copies, index));
    }
    return expansion.errors.length === 0 && expansion.unknown.length === 0;
  }

  /**
   * Falco's words for a name that is no macro; for a macro defined only below the macro
   * using it (Falco resolves a macro from the macros above it), what is really wrong.
   */
  private unknownMacroMessage(name: string, user: MacroInfo | undefined): string {
    const later = this.macros.get(name);
    if (user === undefined || later === undefined)
      return `Undefined macro '${name}' used in filter.`;
    if (name === user.name) return `macro '${name}' refers to itself`;
    const { line } = later.info.context.file.lineColumn(later.info.context.offset);
    const file = later.info.context.file.name;
    const where = file === user.context.file.name ? `line ${line}` : `${file}:${line}`;
    const rule = 'a macro can use only the macros defined above it';
    if (later.parsed !== undefined && usesMacro(later.parsed.ast, user.name))
      return `macros '${user.name}' and '${name}' use each other: '${name}' is defined after '${user.name}', at ${where}, and ${rule}`;
    return `macro '${name}' is used before it is defined (at ${where}): ${rule}`;
  }

  /** Whether `index` lies in a copy of a macro (or a copy within one) that failed itself. */
  private insideFailedMacro(copies: readonly MacroCopy[], index: number): boolean {
    for (let copy = splitIndex(index).copy; copy >= 0; copy = copies[copy]?.parent ?? -1) {
      const name = copies[copy]?.macro;
      if (name !== undefined && this.failedExpansions.has(name)) return true;
    }
    return false;
  }

  /** The file context of any position index in an expanded condition. */
  locate(root: ParsedText, copies: readonly MacroCopy[], index: number): ItemContext {
    const { copy, inner } = splitIndex(index);
    const macroCopy = copies[copy];
    const macro = macroCopy === undefined ? undefined : this.macros.get(macroCopy.macro)?.parsed;
    if (macro === undefined) return locateIn(root, inner);
    return locateIn(macro, inner).under(this.locateOutermost(root, copies, index));
  }

  /**
   * Where a warning about position `index` of an expanded condition goes: the condition's
   * own text, or for a position inside a macro the macro itself, once per macro and message
   * (undefined when it is already out), however many rules use the macro.
   */
  placeWarning(
    root: ParsedText,
    copies: readonly MacroCopy[],
    index: number,
    message: string,
  ): ItemContext | undefined {
    const { copy, inner } = splitIndex(index);
    const name = copies[copy]?.macro;
    const macro = name === undefined ? undefined : this.macros.get(name)?.parsed;
    if (name === undefined || macro === undefined) return locateIn(root, inner);
    const key = `${name}\0${message}`;
    if (this.macroWarnings.has(key)) return undefined;
    this.macroWarnings.add(key);
    return locateIn(macro, inner);
  }

  /** Like `locate`, but for a macro's node goes to the reference in the condition itself. */
  private locateOutermost(
    root: ParsedText,
    copies: readonly MacroCopy[],
    index: number,
  ): ItemContext {
    let current = index;
    for (let copy = splitIndex(current).copy; copy >= 0; copy = splitIndex(current).copy) {
      current = copies[copy]?.referenceIndex ?? 0;
    }
    return locateIn(root, splitIndex(current).inner);
  }

  private hasFailed(name: string): boolean {
    const macro = this.macros.get(name);
    if (macro !== undefined) return macro.parsed === undefined;
    return this.collector.failedItems.has(`macro:${name}`);
  }

  private compileLists(): void {
    const usedByLists = new Set<string>();
    for (const list of this.collector.lists.values()) {
      const items: string[] = [];
      for (const item of list.items) {
        const reference = this.collector.lists.get(item);
        if (reference !== undefined && reference.index < list.visibility) {
          usedByLists.add(reference.name);
          items.push(...reference.items);
        } else {
          items.push(item);
        }
      }
      this.lists.push({ name: list.name, items, used: false, info: list });
    }
    for (const list of this.lists) if (usedByLists.has(list.name)) list.used = true;
  }

  private compileMacros(): void {
    for (const info of this.collector.macros.values()) {
      this.macros.set(info.name, { info, parsed: this.parse(info.condition), used: false });
    }
    for (const { info, parsed } of this.macros.values()) {
      if (parsed === undefined) continue;
      const expansion = this.expand(parsed, (other) => other.index < info.visibility);
      if (!this.reportExpansion(parsed, expansion, info)) this.failedExpansions.add(info.name);
    }
  }
}

function locateIn(parsed: ParsedText, index: number): ItemContext {
  return (
    parsed.text.locate(originOf(parsed.origin, index)) ?? (parsed.text.locate(0) as ItemContext)
  );
}

/** Maps a position in substituted text to the original; the end maps just past the end. */
function originOf(origin: readonly number[], index: number): number {
  if (index < origin.length) return origin[index] ?? 0;
  const last = origin[origin.length - 1];
  return last === undefined ? 0 : last + 1 + (index - origin.length);
}

/** Whether `expr` names macro `name` itself (not through other macros). */
function usesMacro(expr: Expr, name: string): boolean {
  switch (expr.kind) {
    case 'and':
    case 'or':
      return expr.children.some((child) => usesMacro(child, name));
    case 'not':
      return usesMacro(expr.child, name);
    case 'identifier':
      return expr.identifier === name;
    default:
      return false;
  }
}
