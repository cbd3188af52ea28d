/**
 * `node --import tsx bench/profile-stalls.ts FILE.cpuprofile [--min-ms 2] [--top 12] [--skip-ms 0]`: the
 * stretches in which a thread never went idle, from a V8 CPU profile (take it with a fine
 * sampling interval, e.g. `--cpu-prof-interval 100`). At 1,000 req/s a client thread that is
 * busy for 3 ms at a stretch delays the ~3 requests that arrive meanwhile, and that is what a
 * p99 sees; an aggregate profile (profile-top.ts) cannot show it, because the same functions
 * can cost the same in total spread thin or in bursts. Prints how many busy stretches of each
 * length there were, then for the stretches of at least `--min-ms`, what ran in them: by self
 * time, and by the outermost JavaScript frame (the callback that started the work).
 */
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { frameName, type CpuProfile, type ProfileNode } from './cpu-profile.js'


export interface Stretch { startUs: number, us: number, samples: number[] }

/** Busy stretches: runs of consecutive samples that are not `(idle)`; a sample lasts until the next. */
export function busyStretches (samples: number[], deltas: number[], idle: ReadonlySet<number>): Stretch[] {
  const out: Stretch[] = []
  let t = 0
  let cur: Stretch | undefined
  for (let i = 0; i < samples.length; i++) {
    t += deltas[i] ?? 0
    const dur = deltas[i + 1] ?? 0
    const id = samples[i] as number
    if (idle.has(id)) { cur = undefined; continue }
    if (!cur) { cur = { startUs: t, us: 0, samples: [] }; out.push(cur) }
    cur.us += dur
    cur.samples.push(id)
  }
  return out
}


/** The report the command prints: stretch lengths, then what ran in the long ones. */
export function stallReport (profile: CpuProfile, opts: { minMs: number, top: number, skipMs: number }): string {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]))
  const parent = new Map<number, number>()
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id)
  const idle = new Set(profile.nodes.filter((n) => n.callFrame.functionName === '(idle)').map((n) => n.id))
  const label = (id: number): string => frameName(byId.get(id) as ProfileNode)
  // The outermost frame below (root) that is JavaScript: the callback that started the work.
  const entry = (id: number): string => {
    const chain: number[] = []
    for (let n: number | undefined = id; n !== undefined; n = parent.get(n)) chain.unshift(n)
    const js = chain.find((n) => (byId.get(n) as ProfileNode).callFrame.url !== '')
    return label(js ?? (chain[1] ?? id))
  }
  const out: string[] = []

  // skipMs: leave out the process's start-up (module loading is one long busy stretch).
  const skipUs = opts.skipMs * 1000
  const stretches = busyStretches(profile.samples, profile.timeDeltas, idle).filter((s) => s.startUs >= skipUs)
  const seconds = Math.max(0, profile.timeDeltas.reduce((x, y) => x + y, 0) - skipUs) / 1e6
  const buckets = [0.5, 1, 2, 3, 5, 10, 20, Infinity]
  const counts = buckets.map(() => ({ n: 0, us: 0 }))
  for (const s of stretches) {
    const c = counts[buckets.findIndex((edge) => s.us / 1000 < edge)] as { n: number, us: number }
    c.n++
    c.us += s.us
  }
  out.push(`${seconds.toFixed(2)} s profiled, ${stretches.length} busy stretches`, '| busy stretch | count | per second | busy ms |', '|---|---|---|---|')
  counts.forEach((c, i) => {
    out.push(`| ${i === 0 ? 0 : buckets[i - 1]}–${buckets[i]} ms | ${c.n} | ${seconds > 0 ? (c.n / seconds).toFixed(1) : '–'} | ${(c.us / 1000).toFixed(0)} |`)
  })

  const long = stretches.filter((s) => s.us >= opts.minMs * 1000)
  const self = new Map<string, number>()
  const entries = new Map<string, number>()
  for (const s of long) {
    const per = s.us / s.samples.length
    for (const id of s.samples) {
      self.set(label(id), (self.get(label(id)) ?? 0) + per)
      const e = entry(id)
      entries.set(e, (entries.get(e) ?? 0) + per)
    }
  }
  const longUs = long.reduce((x, s) => x + s.us, 0)
  const longest = long.map((s) => s.us).sort((x, y) => y - x).slice(0, 10).map((us) => (us / 1000).toFixed(1))
  out.push('', `${long.length} stretches ≥ ${opts.minMs} ms (${(longUs / 1000).toFixed(0)} ms busy); longest: ${longest.join(', ')} ms`)
  for (const [title, m] of [['in them, self time by function', self], ['in them, by outermost JavaScript frame', entries]] as const) {
    out.push('', title)
    for (const [k, us] of [...m].sort((x, y) => y[1] - x[1]).slice(0, opts.top)) {
      out.push(`${(us / longUs * 100).toFixed(1).padStart(5)}%  ${(us / 1000).toFixed(1).padStart(7)} ms  ${k}`)
    }
  }
  return out.join('\n') + '\n'
}

function main (): void {
  const { values: a, positionals } = parseArgs({ allowPositionals: true, options: { 'min-ms': { type: 'string', default: '2' }, top: { type: 'string', default: '12' }, 'skip-ms': { type: 'string', default: '0' } } })
  const file = positionals[0]
  if (!file) { process.stderr.write('usage: profile-stalls.ts FILE.cpuprofile [--min-ms 2] [--top 12] [--skip-ms 0]\n'); process.exit(1) }
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile
  process.stdout.write(stallReport(profile, { minMs: Number(a['min-ms']), top: Number(a.top), skipMs: Number(a['skip-ms']) }))
}

// Run as a command; imported (the test), only its functions.
if (process.argv[1] === fileURLToPath(import.meta.url)) main()
