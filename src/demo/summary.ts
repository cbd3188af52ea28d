/**
 * The demo's live one-line summary: client requests, comparisons by verdict, and the field
 * that differs most (with its route), from the same report `/api/report` serves.
 * On a terminal the line is rewritten in place every `ttyMs`; elsewhere (a pipe, CI) a full
 * line is printed every `plainMs`, so logs stay readable.
 */
import type { Report } from '../report/reporter.js'
import type { TrafficStats } from './traffic.js'

export function formatSummary (report: Report, traffic: TrafficStats | undefined): string {
  const v = { match: 0, mismatch: 0, noise: 0, candidate_error: 0, skipped: 0 }
  let compared = 0
  let top: { route: string, field: string, count: number, rate: number } | undefined
  for (const r of report.routes) {
    compared += r.total
    for (const k of Object.keys(v) as Array<keyof typeof v>) v[k] += r.verdicts[k]
    const f = r.topFields[0]
    if (f && (!top || f.count > top.count)) top = { route: r.route, ...f }
  }
  const parts = [
    ...(traffic ? [`requests ${traffic.sent}`] : []),
    `compared ${compared}`,
    `match ${v.match}`,
    `mismatch ${v.mismatch}`,
    `noise ${v.noise}`,
    `errors ${v.candidate_error}`,
    ...(v.skipped > 0 ? [`skipped ${v.skipped}`] : []),
    top ? `top diff: ${top.field} on ${top.route} (${pct(top.rate)} of its requests)` : 'top diff: none yet',
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
