/**
 * The demo's live one-line summary: client requests, comparisons by verdict, the fields that
 * differ most (one per route, with the share of the route's comparisons) and the paths
 * learned as noise, from the same report `/api/report` serves.
 * On a terminal the line is rewritten in place every `ttyMs`; elsewhere (a pipe, CI) a full
 * line is printed every `plainMs`, so logs stay readable.
 */
import type { Report } from '../report/reporter.js'
import type { TrafficStats } from './traffic.js'

/**
 * `noisy(route)`: the paths the noise model currently explains on a route (the compare
 * engine's `noisyPaths`). They are listed as noise, not as top diffs. Exchanges whose verdict
 * still waits for noise evidence are shown as `undecided`, in no other count.
 */
export function formatSummary (report: Report, traffic: TrafficStats | undefined, noisy: (route: string) => readonly string[] = () => []): string {
  const v = { match: 0, mismatch: 0, noise: 0, candidate_error: 0, skipped: 0 }
  let compared = 0
  let undecided = 0
  const tops: Array<{ route: string, field: string, count: number, rate: number }> = []
  const noise = new Set<string>()
  for (const r of report.routes) {
    compared += r.total
    undecided += r.undecided ?? 0
    for (const k of Object.keys(v) as Array<keyof typeof v>) v[k] += r.verdicts[k]
    const explained = new Set(noisy(r.route))
    for (const p of explained) noise.add(p)
    const f = r.topFields.find((x) => !explained.has(x.field))
    if (f) tops.push({ route: r.route, ...f })
  }
  tops.sort((a, b) => b.count - a.count || a.route.localeCompare(b.route))
  const parts = [
    ...(traffic ? [`requests ${traffic.sent}`] : []),
    `compared ${compared}`,
    `match ${v.match}`,
    `mismatch ${v.mismatch}`,
    `noise ${v.noise}`,
    `errors ${v.candidate_error}`,
    ...(v.skipped > 0 ? [`skipped ${v.skipped}`] : []),
    ...(undecided > 0 ? [`undecided ${undecided}`] : []),
    tops.length > 0 ? `top diffs: ${tops.slice(0, 2).map((x) => `${x.field} on ${x.route} (${pct(x.rate)})`).join(', ')}` : 'top diffs: none yet',
    ...(noise.size > 0 ? [`learned noise: ${[...noise].sort().join(', ')}`] : []),
  ]
  return parts.join(' · ')
}

function pct (x: number): string {
  return `${(x * 100).toFixed(x < 0.1 ? 1 : 0)}%`
}

export interface SummaryOutput {
  write (s: string): unknown
  isTTY?: boolean
  columns?: number
}

export interface SummaryOptions {
  out: SummaryOutput
  line: () => string
  ttyMs?: number
  plainMs?: number
}

/** Starts printing; the returned function prints a final line and stops. */
export function startSummary (opts: SummaryOptions): () => void {
  const { out } = opts
  const tty = out.isTTY === true
  const print = (): void => {
    const line = opts.line()
    // Clip to the terminal width: a wrapped line cannot be rewritten with \r.
    if (tty) out.write(`\r\x1b[2K${out.columns !== undefined && out.columns > 1 ? line.slice(0, out.columns - 1) : line}`)
    else out.write(line + '\n')
  }
  const timer = setInterval(print, tty ? opts.ttyMs ?? 1000 : opts.plainMs ?? 5000)
  return () => {
    clearInterval(timer)
    print()
    if (tty) out.write('\n')
  }
}
