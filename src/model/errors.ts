import type {SourcePosition} from './types.js'

/** One problem with an input, at a place in a file when one is known. */
export interface Problem {
  code: string
  message: string
  file?: string
  line?: number
  column?: number
  hint?: string
}

/** The base of every error the core throws on purpose; anything else is a bug. */
export class FleetAuditError extends Error {
  readonly code: string
  readonly file?: string
  readonly line?: number
  readonly column?: number
  readonly hint?: string

  constructor(problem: Problem) {
    super(problem.message)
    this.name = new.target.name
    this.code = problem.code
    this.file = problem.file
    this.line = problem.line
    this.column = problem.column
    this.hint = problem.hint
  }

  toProblem(): Problem {
    return {
      code: this.code,
      message: this.message,
      file: this.file,
      line: this.line,
      column: this.column,
      hint: this.hint,
    }
  }
}

/**
 * Unusable input (inventory, rules, waivers, config, flags, facts folder): exit 2.
 * Carries every problem found, not just the first, so a user fixes them in one pass.
 */
export class InputError extends FleetAuditError {
  readonly problems: Problem[]

  constructor(problems: Problem[]) {
    if (problems.length === 0) throw new Error('InputError needs at least one problem')
    super(problems[0])
    this.problems = problems
    this.message = problems.map((p) => formatProblem(p)).join('\n')
  }
}

export class InventoryError extends InputError {}
export class RulePackError extends InputError {}
export class ConfigError extends InputError {}

/** `file:line:column message (CODE)`, the shape editors and CI logs link to. */
export function formatProblem(p: Problem): string {
  const where = p.file ? `${p.file}${p.line ? `:${p.line}:${p.column ?? 1}` : ''} ` : ''
  return `${where}${p.message}${p.hint ? ` (${p.hint})` : ''} (${p.code})`
}

/** Renders a position as `file:line:column`. */
export function formatPosition(pos: SourcePosition): string {
  return `${pos.file}:${pos.line}:${pos.column}`
}

/** Collects problems while a stage runs, then throws them all at once. */
export class ProblemList {
  readonly items: Problem[] = []

  add(problem: Problem): void {
    this.items.push(problem)
  }

  at(pos: SourcePosition | undefined, code: string, message: string, hint?: string): void {
    this.items.push({code, message, hint, ...(pos ?? {})})
  }

  get length(): number {
    return this.items.length
  }

  throwIfAny(Kind: new (problems: Problem[]) => InputError = InputError): void {
    if (this.items.length > 0) throw new Kind(this.items)
  }
}
