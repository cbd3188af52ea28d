/**
 * The performance budget (bench/budget.json) and its checker. Pure: no I/O beyond parsing.
 * Each line names a scenario's metric and one limit:
 *  - `max`: the value must be ≤ max (e.g. p99 overhead ≤ 1 ms);
 *  - `baseline` + `maxDelta`: value − baseline's value ≤ maxDelta (a slow candidate moves the
 *    primary's p99 overhead by at most 0.5 ms versus a healthy one);
 *  - `baseline` + `minRatio`: value / baseline's value ≥ minRatio (mirror saturation
 *    throughput ≥ 40% of pass-through).
 * A line whose scenario (or baseline) was not measured fails: a check that measured nothing
 * must not pass.
 */
import { z } from 'zod'

const lineSchema = z.strictObject({
  id: z.string(),
  description: z.string(),
  scenario: z.string(),
  metric: z.string(),
  unit: z.string().default(''),
  baseline: z.string().optional(),
  max: z.number().optional(),
  maxDelta: z.number().optional(),
  minRatio: z.number().positive().optional(),
}).refine((l) => [l.max, l.maxDelta, l.minRatio].filter((x) => x !== undefined).length === 1, 'exactly one of max, maxDelta, minRatio')
  .refine((l) => (l.baseline !== undefined) === (l.max === undefined), 'maxDelta and minRatio need a baseline; max takes none')

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
  ok: boolean
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

export function checkLine (line: BudgetLine, m: Measurements): LineResult {
  const u = line.unit ? ` ${line.unit}` : ''
  const value = valueOf(m, line.scenario, line.metric)
  const base = line.baseline === undefined ? undefined : valueOf(m, line.baseline, line.metric)
  const what = `${line.metric} of ${line.scenario}`
  if (value === undefined || (line.baseline !== undefined && base === undefined)) {
    const missing = value === undefined ? line.scenario : line.baseline
    return { id: line.id, ok: false, actual: undefined, message: `${line.id}: ${line.metric} of ${missing} was not measured` }
  }
  if (line.max !== undefined) {
    const ok = value <= line.max
    return { id: line.id, ok, actual: value, message: `${line.id}: ${what} = ${fmt(value)}${u}, limit ≤ ${line.max}${u}${ok ? '' : ` (over by ${fmt(value - line.max)}${u})`}` }
  }
  if (line.maxDelta !== undefined) {
    const delta = value - (base as number)
    const ok = delta <= line.maxDelta
    return { id: line.id, ok, actual: delta, message: `${line.id}: ${what} − ${line.baseline} = ${fmt(delta)}${u}, limit ≤ ${line.maxDelta}${u}${ok ? '' : ` (over by ${fmt(delta - line.maxDelta)}${u})`}` }
  }
  const min = line.minRatio as number
  const ratio = value / (base as number)
  const ok = ratio >= min
  return { id: line.id, ok, actual: ratio, message: `${line.id}: ${what} / ${line.baseline} = ${fmt(ratio * 100)}%, limit ≥ ${fmt(min * 100)}%${ok ? '' : ` (short by ${fmt((min - ratio) * 100)} points)`}` }
}

export function checkBudget (budget: Budget, m: Measurements): { ok: boolean, lines: LineResult[] } {
  const lines = budget.lines.map((l) => checkLine(l, m))
  return { ok: lines.every((l) => l.ok), lines }
}
