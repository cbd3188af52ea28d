/**
 * The proxy's drop counters, read from its /metrics text (pure): every sample of the counters
 * below, kept by name and labels, differences between two scrapes, and sums by a label.
 */

/** Every counter that says a request, mirror or comparison did not go the normal way. */
export const DROP_COUNTERS = [
  'shadowfig_requests_total',
  'shadowfig_mirror_total',
  'shadowfig_comparisons_total',
  'shadowfig_rejected_total',
  'shadowfig_upstream_errors_total',
] as const

export interface Sample {
  name: string
  labels: Record<string, string>
  value: number
}

/** Samples of `DROP_COUNTERS`, keyed by their exposition line's name and labels. */
export type Counters = Record<string, Sample>

export function readCounters (text: string): Counters {
  const out: Counters = {}
  const re = /^(shadowfig_[a-z_]+)\{([^}]*)\} (\S+)$/gm
  for (let m = re.exec(text); m; m = re.exec(text)) {
    const name = m[1] as string
    if (!(DROP_COUNTERS as readonly string[]).includes(name)) continue
    const labels: Record<string, string> = {}
    for (const l of (m[2] as string).matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) labels[l[1] as string] = l[2] as string
    out[`${name}{${m[2] as string}}`] = { name, labels, value: Number(m[3]) }
  }
  return out
}

/** What moved from `before` to `after` (series that did not move are left out). */
export function counterDelta (before: Counters, after: Counters): Counters {
  const out: Counters = {}
  for (const [key, s] of Object.entries(after)) {
    const d = s.value - (before[key]?.value ?? 0)
    if (d !== 0) out[key] = { ...s, value: d }
  }
  return out
}

/** `name` samples whose labels include `where`, summed by the value of label `by`. */
export function sumBy (c: Counters, name: string, where: Record<string, string>, by: string): Record<string, number> {
  const out: Record<string, number> = {}
  for (const s of Object.values(c)) {
    if (s.name !== name || Object.entries(where).some(([k, v]) => s.labels[k] !== v)) continue
    const key = s.labels[by] ?? ''
    out[key] = (out[key] ?? 0) + s.value
  }
  return out
}
