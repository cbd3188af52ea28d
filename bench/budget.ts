/**
 * The performance budget (bench/budget.json) and its checker. Pure: no I/O beyond parsing.
 * Each line names a scenario's metric and one limit:
 *  - `max`: the value must be ≤ max (e.g. p99 overhead ≤ 1 ms, no comparison shed);
 *  - `baseline` + `maxDelta`: value − baseline's value ≤ maxDelta (shadowfig's p99 overhead at
 *    most 0.3 ms above the Node floor's in the same rotation);
 *  - `baseline` + `maxRatio`: value / baseline's value ≤ maxRatio (CPU per request at most
 *    1.4x the floor's);
 *  - `baseline` + `minRatio`: value / baseline's value ≥ minRatio (saturation throughput at
 *    least the floor's).
 * `stretch: true` marks a goal beyond what the machine is expected to show (the absolute 1 ms
 * line on a shared 2-vCPU box): it is checked and reported, but never fails the budget.
 * Any other line whose scenario (or baseline) was not measured fails: a check that measured
 * nothing must not pass.
 */
import { z } from 'zod'

const LIMITS = ['max', 'maxDelta', 'maxRatio', 'minRatio'] as const

const lineSchema = z.strictObject({
  id: z.string(),
  description: z.string(),
  scenario: z.string(),
  metric: z.string(),
  unit: z.string().default(''),
  baseline: z.string().optional(),
  max: z.number().optional(),
  maxDelta: z.number().optional(),
  maxRatio: z.number().positive().optional(),
  minRatio: z.number().positive().optional(),
  stretch: z.boolean().default(false),
}).refine((l) => LIMITS.filter((k) => l[k] !== undefined).length === 1, `exactly one of ${LIMITS.join(', ')}`)
  .refine((l) => (l.baseline !== undefined) === (l.max === undefined), 'maxDelta, maxRatio and minRatio need a baseline; max takes none')

export const budgetSchema = z.strictObject({
  $comment: z.string().optional(),
  lines: z.array(lineSchema).nonempty(),
})

export type Budget = z.output<typeof budgetSchema>
export type BudgetLine = Budget['lines'][number]

/** Measured metrics by scenario name, e.g. `{ 'mirror-2k': { overheadP99Ms: 0.4 } }`. */
export type Measurements = Record<string, Record<string, number> | undefined>

export interface LineResult {
  id: string
  /** Whether the limit held (a stretch line can be not ok without failing the budget). */
  ok: boolean
  stretch: boolean
  /** The compared quantity (value, delta or ratio); undefined when not measured. */
  actual: number | undefined
  /** One human line: what was compared, the limit, and by how much it failed. */
  message: string
}

export function parseBudget (json: unknown): Budget {
  return budgetSchema.parse(json)
}

const fmt = (n: number): string => String(Math.round(n * 1000) / 1000)

function valueOf (m: Measurements, scenario: string, metric: string): number | undefined {
  const v = m[scenario]?.[metric]
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined
}

/** The line's verdict without its stretch marking: [ok, actual, text after the id]. */
function judge (line: BudgetLine, value: number, base: number): [boolean, number, string] {
  const u = line.unit ? ` ${line.unit}` : ''
  const what = `${line.metric} of ${line.scenario}`
  if (line.max !== undefined) {
    const ok = value <= line.max
    return [ok, value, `${what} = ${fmt(value)}${u}, limit ≤ ${line.max}${u}${ok ? '' : ` (over by ${fmt(value - line.max)}${u})`}`]
  }
  if (line.maxDelta !== undefined) {
    const delta = value - base
    const ok = delta <= line.maxDelta
    return [ok, delta, `${what} − ${line.baseline} = ${fmt(delta)}${u}, limit ≤ ${line.maxDelta}${u}${ok ? '' : ` (over by ${fmt(delta - line.maxDelta)}${u})`}`]
  }
  const ratio = value / base
  const figures = `(${fmt(value)} / ${fmt(base)}${u})`
  if (line.maxRatio !== undefined) {
    const ok = ratio <= line.maxRatio
    return [ok, ratio, `${what} / ${line.baseline} = ${fmt(ratio)}x ${figures}, limit ≤ ${line.maxRatio}x${ok ? '' : ` (over by ${fmt(ratio - line.maxRatio)}x)`}`]
  }
  const min = line.minRatio as number
  const ok = ratio >= min
  return [ok, ratio, `${what} / ${line.baseline} = ${fmt(ratio * 100)}% ${figures}, limit ≥ ${fmt(min * 100)}%${ok ? '' : ` (short by ${fmt((min - ratio) * 100)} points)`}`]
}

export function checkLine (line: BudgetLine, m: Measurements): LineResult {
  const stretch = line.stretch
  const value = valueOf(m, line.scenario, line.metric)
  const base = line.baseline === undefined ? Number.NaN : valueOf(m, line.baseline, line.metric)
  const tag = stretch ? ' (stretch)' : ''
  if (value === undefined || base === undefined) {
    const missing = value === undefined ? line.scenario : line.baseline
    return { id: line.id, ok: false, stretch, actual: undefined, message: `${line.id}${tag}: ${line.metric} of ${missing} was not measured` }
  }
  const [ok, actual, text] = judge(line, value, base)
  return { id: line.id, ok, stretch, actual, message: `${line.id}${tag}: ${text}` }
}

/** ok when every line that is not a stretch line holds. */
export function checkBudget (budget: Budget, m: Measurements): { ok: boolean, lines: LineResult[] } {
  const lines = budget.lines.map((l) => checkLine(l, m))
  return { ok: lines.every((l) => l.ok || l.stretch), lines }
}

/** `ok  `, `FAIL`, or for a stretch line `ok  ` / `miss`: how run.ts prefixes each line. */
export function lineMark (l: LineResult): string {
  if (l.ok) return 'ok  '
  return l.stretch ? 'miss' : 'FAIL'
}
