/**
 * The ordered comparator chain (Envoy-filter style). Each route names its comparators in order;
 * built-ins add fields and continue, custom comparators see the fields so far and may continue
 * or decide. All continuing → `match` when no field remains, else `mismatch` (decidedBy `chain`).
 * A custom comparator that throws, returns garbage or exceeds its time budget makes the
 * verdict `skipped` (`comparator_error` / `comparator_timeout`); it never crashes the worker.
 * Counters are kept per comparator name so they can be surfaced as a metric.
 */
import { BUILTINS } from './comparators/index.js'
import type { BuiltinComparator, BuiltinContext } from './comparators/context.js'
import { ExpressionError } from '../errors.js'
import { closest } from '../config/messages.js'
import { isModuleRef, loadComparator, type Comparator, type ComparatorExchange } from './plugin.js'
import type { FieldDiff, FieldKind, ForgivenField, SkipReason } from './types.js'

export type Step =
  | { kind: 'builtin', name: string, impl: BuiltinComparator }
  | { kind: 'custom', name: string, impl: Comparator }

export interface ComparatorCounts { continue: number, decided: number, errors: number }
export type CountsByName = Record<string, ComparatorCounts>

export interface ChainOutcome {
  verdict: 'match' | 'mismatch' | 'skipped'
  reason?: SkipReason
  decidedBy: string
  /** Fields the deciding comparator dropped from the list it was given. */
  forgiven?: ForgivenField[]
}

/** Resolve a route's `comparators:` entries; throws an ExpressionError on an unknown name or a bad module. */
export async function compileChain (entries: readonly string[], configDir: string): Promise<Step[]> {
  const steps: Step[] = []
  for (const entry of entries) steps.push(await compileStep(entry, configDir))
  return steps
}

/**
 * One `comparators:` entry: a built-in, or a module imported and checked. The config loader
 * runs this on every entry (check, start and reload), so what it accepts, the workers accept.
 */
export async function compileStep (entry: string, configDir: string): Promise<Step> {
  const builtin = BUILTINS.get(entry)
  if (builtin) return { kind: 'builtin', name: entry, impl: builtin }
  const unknown = unknownComparator(entry)
  if (unknown) throw unknown
  const impl = await loadComparator(entry, configDir)
  return { kind: 'custom', name: impl.name, impl }
}

/** The error for an entry that is neither a built-in name nor a module path; undefined when it is one. */
export function unknownComparator (entry: string): ExpressionError | undefined {
  if (BUILTINS.has(entry) || isModuleRef(entry)) return undefined
  const names = [...BUILTINS.keys()]
  const guess = closest(entry, names)
  return new ExpressionError(`unknown comparator "${entry}"${guess ? ` (did you mean "${guess}"?)` : ''}; built-in: ${names.join(', ')}; a custom one is a module path starting with ./ ../ or /`)
}

/** Adds `delta` into `into`. */
export function addCounts (into: CountsByName, delta: CountsByName): void {
  for (const name in delta) {
    const c = delta[name] as ComparatorCounts
    const t = into[name] ??= { continue: 0, decided: 0, errors: 0 }
    t.continue += c.continue; t.decided += c.decided; t.errors += c.errors
  }
}

export function bump (counts: CountsByName, name: string, what: keyof ComparatorCounts): void {
  const c = counts[name] ??= { continue: 0, decided: 0, errors: 0 }
  c[what]++
}

const TIMEOUT = Symbol('timeout')

function withTimeout<T> (p: Promise<T>, ms: number): Promise<T | typeof TIMEOUT> {
  let timer: NodeJS.Timeout | undefined
  const t = new Promise<typeof TIMEOUT>((resolve) => { timer = setTimeout(resolve, ms, TIMEOUT) })
  return Promise.race([p, t]).finally(() => clearTimeout(timer))
}

const KINDS = new Set<FieldKind>(['changed', 'added', 'removed', 'type'])

/** A plugin's fields, checked and copied; undefined when they are not a list of fields. */
function validFields (fields: unknown): FieldDiff[] | undefined {
  if (!Array.isArray(fields)) return undefined
  const out: FieldDiff[] = []
  for (const f of fields as Array<Partial<FieldDiff>>) {
    if (!f || typeof f.path !== 'string' || !KINDS.has(f.kind as FieldKind)) return undefined
    out.push({ path: f.path, concretePath: typeof f.concretePath === 'string' ? f.concretePath : f.path, kind: f.kind as FieldKind, primary: f.primary, candidate: f.candidate })
  }
  return out
}

/** The fields of `before` that `after` no longer lists (same kind at the same concrete path), forgiven by `by`. */
function dropped (before: readonly FieldDiff[], after: readonly FieldDiff[], by: string): ForgivenField[] {
  const kept = new Set(after.map((f) => `${f.kind} ${f.concretePath}`))
  return before.filter((f) => !kept.has(`${f.kind} ${f.concretePath}`)).map((f) => ({ ...f, by }))
}

export interface RunChainOptions {
  /** Time budget of one asynchronous custom comparator call. */
  comparatorTimeoutMs: number
  /** The public view for custom comparators, built on first use. */
  view: () => Omit<ComparatorExchange, 'fields'>
  counts: CountsByName
}

export async function runChain (steps: readonly Step[], ctx: BuiltinContext, opts: RunChainOptions): Promise<ChainOutcome> {
  let view: Omit<ComparatorExchange, 'fields'> | undefined
  for (const step of steps) {
    if (step.kind === 'builtin') {
      const r = step.impl.run(ctx)
      if (r === 'continue') { bump(opts.counts, step.name, 'continue'); continue }
      bump(opts.counts, step.name, 'decided')
      return { verdict: 'skipped', reason: r.skip, decidedBy: step.name }
    }
    view ??= opts.view()
    const input: ComparatorExchange = { ...view, fields: [...ctx.fields.list] }
    let r: unknown
    try {
      r = await withTimeout(Promise.resolve().then(() => step.impl.compare(input)), opts.comparatorTimeoutMs)
    } catch {
      bump(opts.counts, step.name, 'errors')
      return { verdict: 'skipped', reason: 'comparator_error', decidedBy: step.name }
    }
    if (r === TIMEOUT) {
      bump(opts.counts, step.name, 'errors')
      return { verdict: 'skipped', reason: 'comparator_timeout', decidedBy: step.name }
    }
    if (r === 'continue') { bump(opts.counts, step.name, 'continue'); continue }
    const d = r as { verdict?: unknown, fields?: unknown }
    const fields = d?.fields === undefined ? [...ctx.fields.list] : validFields(d.fields)
    if ((d?.verdict !== 'match' && d?.verdict !== 'mismatch') || !fields) {
      bump(opts.counts, step.name, 'errors')
      return { verdict: 'skipped', reason: 'comparator_error', decidedBy: step.name }
    }
    bump(opts.counts, step.name, 'decided')
    if (d.fields === undefined) return { verdict: d.verdict, decidedBy: step.name }
    const forgiven = dropped(input.fields, fields, step.name)
    ctx.fields.replace(fields)
    return forgiven.length ? { verdict: d.verdict, decidedBy: step.name, forgiven } : { verdict: d.verdict, decidedBy: step.name }
  }
  return { verdict: ctx.fields.total > 0 ? 'mismatch' : 'match', decidedBy: 'chain' }
}
