import type { Position } from './ast.js';

/** A condition that cannot compile: libsinsp's message and where in the condition. */
export interface CompileError {
  message: string;
  position: Position;
  /** Set when the cause is a field the source does not know (for skip-if-unknown-filter). */
  unknownField?: string;
}

/** A condition that compiles but may not do what its author meant (LOAD_COMPILE_CONDITION). */
export interface CompileWarning {
  code: 'LOAD_COMPILE_CONDITION';
  message: string;
  position: Position;
}

/** Thrown inside the compiler only; `compileCondition` turns it into a `CompileError`. */
export class CompileFailure extends Error {
  constructor(
    message: string,
    readonly position: Position,
    readonly unknownField?: string,
  ) {
    super(message);
  }
}
