/**
 * Tallies replay outcomes per route and renders them as a text table or JSON. "Unexplained"
 * means verdict `mismatch` or `candidate_error`: what the CI exit code keys on. `noise` is
 * explained (the secondary changes the same fields) and `skipped` is not a comparison.
 * Each outcome also keeps the verdict recorded at capture time, so a report shows how many
 * exchanges changed verdict since (a fixed candidate turns recorded mismatches into matches).
 * Noisy fields are listed per route (never dropped silently), and skips with their reasons:
 * a skip is no evidence, so the share of them is what `--max-skipped` bounds.
 */
import type { FinalVerdict } from '../compare/types.js'

export interface ReplayOutcome {
  id: string
  route: string
  method: string
  path: string
  /** Verdict in the capture file. */
  recorded: FinalVerdict
  verdict: FinalVerdict
  reason?: string
  /** Grouping paths of the differing fields (for `noise`: the noisy ones). */
  fields: string[]
  /** Paths that differed but are explained as noise (also on a mismatch). */
  noise?: string[]
}

export interface RouteSummary {
  route: string
  total: number
  match: number
  mismatch: number
  noise: number
  candidate_error: number
  skipped: number
  /** Outcomes whose verdict differs from the recorded one. */
  changed: number
  topFields: Array<{ path: string, count: number }>
  /** Paths explained as noise on this route, with how many exchanges differed there. */
  noisyFields: Array<{ path: string, count: number }>
}

export interface ReplayReportJson {
  total: number
  unexplained: number
  /** Exchanges that were compared (every verdict but `skipped`). */
  compared: number
  /** Skipped exchanges by reason. */
  skipped: Record<string, number>
  routes: RouteSummary[]
  /** The unexplained outcomes (at most `MAX_LISTED`), for a CI log. */
  failures: ReplayOutcome[]
}

const VERDICTS: readonly FinalVerdict[] = ['match', 'mismatch', 'noise', 'candidate_error', 'skipped']
const MAX_LISTED = 100
const TOP_FIELDS = 5

export function isUnexplained (v: FinalVerdict): boolean {
  return v === 'mismatch' || v === 'candidate_error'
}

interface Tally { summary: Omit<RouteSummary, 'topFields' | 'noisyFields'>, fields: Map<string, number>, noisy: Map<string, number> }

export class ReplayReport {
  readonly #routes = new Map<string, Tally>()
  readonly #failures: ReplayOutcome[] = []
  #total = 0
  #unexplained = 0
  readonly #skipped = new Map<string, number>()

  add (o: ReplayOutcome): void {
    let t = this.#routes.get(o.route)
    if (!t) {
      t = { summary: { route: o.route, total: 0, match: 0, mismatch: 0, noise: 0, candidate_error: 0, skipped: 0, changed: 0 }, fields: new Map(), noisy: new Map() }
      this.#routes.set(o.route, t)
    }
    this.#total++
    t.summary.total++
    t.summary[o.verdict]++
    if (o.verdict !== o.recorded) t.summary.changed++
    if (o.verdict === 'mismatch') tally(t.fields, o.fields)
    tally(t.noisy, o.noise ?? [])
    if (o.verdict === 'skipped') tally(this.#skipped, [o.reason ?? 'unknown'])
    if (isUnexplained(o.verdict)) {
      this.#unexplained++
      if (this.#failures.length < MAX_LISTED) this.#failures.push(o)
    }
  }

  get total (): number { return this.#total }
  get unexplained (): number { return this.#unexplained }
  get compared (): number { return this.#total - this.skipped }
  get skipped (): number { return [...this.#skipped.values()].reduce((a, b) => a + b, 0) }
  /** skipped / total; 0 for an empty report. */
  get skippedShare (): number { return this.#total === 0 ? 0 : this.skipped / this.#total }

  toJSON (): ReplayReportJson {
    const routes = [...this.#routes.values()].map(({ summary, fields, noisy }) => ({
      ...summary,
      topFields: top(fields).slice(0, TOP_FIELDS),
      noisyFields: top(noisy),
    }))
    return { total: this.#total, unexplained: this.#unexplained, compared: this.compared, skipped: Object.fromEntries(this.#skipped), routes, failures: [...this.#failures] }
  }

  formatText (): string {
    const json = this.toJSON()
    const head = ['route', 'total', ...VERDICTS, 'changed']
    const rows = json.routes.map((r) => [r.route, r.total, ...VERDICTS.map((v) => r[v]), r.changed].map(String))
    const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)))
    const line = (cells: string[]): string => cells.map((c, i) => i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i])).join('  ').trimEnd()
    const out = [line(head), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)]
    for (const r of json.routes) {
      if (r.topFields.length === 0) continue
      out.push('', `top differing fields in ${r.route}:`)
      for (const f of r.topFields) out.push(`  ${String(f.count).padStart(6)}  ${f.path}`)
    }
    for (const r of json.routes) {
      if (r.noisyFields.length === 0) continue
      out.push('', `noise in ${r.route} (differs on the primary by itself, not counted):`)
      for (const f of r.noisyFields) out.push(`  ${String(f.count).padStart(6)}  ${f.path}`)
    }
    out.push('')
    for (const f of json.failures.slice(0, 20)) {
      out.push(`${f.verdict} ${f.route} ${f.method} ${f.path} (id ${f.id}, recorded ${f.recorded})${f.reason ? ' ' + f.reason : ''}${f.fields.length ? ': ' + f.fields.slice(0, 5).join(', ') : ''}`)
    }
    out.push(this.skippedLine())
    out.push(json.unexplained === 0
      ? `ok: ${json.total} replayed, no unexplained mismatches`
      : `FAIL: ${json.unexplained} of ${json.total} replayed exchanges have unexplained mismatches`)
    return out.join('\n') + '\n'
  }

  /** `skipped: 2 of 20 (10.0%): no_route 1, unsafe_method 1`. */
  skippedLine (): string {
    const reasons = [...this.#skipped].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).map(([r, n]) => `${r} ${n}`)
    return `skipped: ${this.skipped} of ${this.#total} (${(this.skippedShare * 100).toFixed(1)}%)${reasons.length > 0 ? ': ' + reasons.join(', ') : ''}`
  }
}

function tally (m: Map<string, number>, keys: readonly string[]): void {
  for (const k of keys) m.set(k, (m.get(k) ?? 0) + 1)
}

function top (m: Map<string, number>): Array<{ path: string, count: number }> {
  return [...m].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).map(([path, count]) => ({ path, count }))
}
