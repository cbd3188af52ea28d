/**
 * Reading the proxy's /metrics for the soak (pure): process gauges, counters summed by one
 * label, and the plateau verdict on a series of RSS samples.
 */

/** The value of an unlabelled sample `name`, or NaN when absent. */
export function gauge (text: string, name: string): number {
  const m = new RegExp(`^${name} (\\S+)$`, 'm').exec(text)
  return m ? Number(m[1]) : NaN
}

/** `name{…label="v"…} n` samples summed per value of `label`. */
export function byLabel (text: string, name: string, label: string): Record<string, number> {
  const out: Record<string, number> = {}
  const re = new RegExp(`^${name}\\{([^}]*)\\} (\\S+)$`, 'gm')
  for (let m = re.exec(text); m; m = re.exec(text)) {
    const v = new RegExp(`${label}="([^"]*)"`).exec(m[1] as string)?.[1] ?? ''
    out[v] = (out[v] ?? 0) + Number(m[2])
  }
  return out
}

export interface Plateau {
  plateaued: boolean
  /** Least-squares slope over the last half of the samples, MiB per minute. */
  slopeMiBPerMin: number
  /** Highest sample of the middle third and of the last third, MiB. */
  middleMaxMiB: number
  lastMaxMiB: number
}

/**
 * RSS has plateaued when the last third of the run never rises more than 5% (+8 MiB of
 * allocator slack) above the middle third's peak. The first third is warm-up (JIT, worker
 * threads, pools, sample stores filling to their caps) and is not judged.
 */
export function plateau (samples: Array<{ tSec: number, rssBytes: number }>): Plateau {
  const MiB = 1024 * 1024
  const n = samples.length
  const third = Math.floor(n / 3)
  const max = (xs: typeof samples): number => Math.max(...xs.map((s) => s.rssBytes)) / MiB
  const middleMaxMiB = max(samples.slice(third, 2 * third))
  const lastMaxMiB = max(samples.slice(2 * third))
  const half = samples.slice(Math.floor(n / 2))
  const mx = half.reduce((a, s) => a + s.tSec, 0) / half.length
  const my = half.reduce((a, s) => a + s.rssBytes, 0) / half.length
  let num = 0; let den = 0
  for (const s of half) { num += (s.tSec - mx) * (s.rssBytes - my); den += (s.tSec - mx) ** 2 }
  const slopeMiBPerMin = den === 0 ? 0 : num / den * 60 / MiB
  return { plateaued: n >= 6 && lastMaxMiB <= middleMaxMiB * 1.05 + 8, slopeMiBPerMin, middleMaxMiB, lastMaxMiB }
}
