/**
 * `node --import tsx bench/profile-top.ts FILE.cpuprofile [N] [--vs OTHER.cpuprofile]`: the top
 * N functions of a V8 CPU profile (from `npm run bench -- --cpu-prof DIR`) by self time, with
 * their share of all samples, the same grouped by package / source folder, and the top N by
 * inclusive time (a function and everything it called, idle left out) — enough to say what
 * dominates the proxy's hot path, and which of its entry points brings it there, without
 * opening a flame graph. Profiles of the bench's default runs name `dist/` files, of `--src`
 * runs `src/` files.
 *
 * With `--vs`, each table lists where FILE spent more than OTHER, in milliseconds: shadowfig's
 * client thread against the floor's main thread (both profiled by `--cpu-prof`) shows what
 * shadowfig adds per run, function by function. Compare runs of the same scenario length.
 */
import { readFileSync } from 'node:fs'
import { parseArgs } from 'node:util'
import { frameName, whereOf, type CpuProfile, type ProfileNode } from './cpu-profile.js'


interface Summary {
  /** Microseconds sampled, idle included. */
  total: number
  /** Microseconds sampled outside idle. */
  busy: number
  byFn: Map<string, number>
  byArea: Map<string, number>
  inclusive: Map<string, number>
}

function areaOf (node: ProfileNode): string {
  const where = whereOf(node)
  if (where.startsWith('node_modules/')) return where.split('/').slice(0, 2).join('/')
  if (where.startsWith('node:')) return where.split('/')[0] as string
  return where ? where.split('/').slice(0, 2).join('/') : node.callFrame.functionName
}

const add = (m: Map<string, number>, k: string, us: number): void => { m.set(k, (m.get(k) ?? 0) + us) }

function summarize (file: string): Summary {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile
  // Self time per node: each sample's delta is charged to the node it landed in.
  const selfUs = new Map<number, number>()
  profile.samples.forEach((id, i) => selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)))
  const nodes = new Map(profile.nodes.map((node) => [node.id, node]))
  const s: Summary = { total: 0, busy: 0, byFn: new Map(), byArea: new Map(), inclusive: new Map() }
  for (const node of profile.nodes) {
    const us = selfUs.get(node.id) ?? 0
    if (!us) continue
    s.total += us
    add(s.byFn, frameName(node), us)
    add(s.byArea, areaOf(node), us)
  }
  // Inclusive time: each sample is charged once to every distinct function on its stack (a
  // recursive function counts once), so a function's figure is the time spent in it and in
  // everything it called.
  const parent = new Map<number, number>()
  for (const node of profile.nodes) for (const c of node.children ?? []) parent.set(c, node.id)
  for (const [id, us] of selfUs) {
    if (nodes.get(id)?.callFrame.functionName === '(idle)') continue
    s.busy += us
    const seen = new Set<string>()
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const k = frameName(nodes.get(cur) as ProfileNode)
      if (k === '(root)' || seen.has(k)) continue
      seen.add(k)
      add(s.inclusive, k, us)
    }
  }
  return s
}

/** `a` less `b`, key by key (absent counts as 0); idle left out. */
function minus (a: Map<string, number>, b: Map<string, number>): Map<string, number> {
  const out = new Map<string, number>()
  for (const k of new Set([...a.keys(), ...b.keys()])) if (k !== '(idle)') out.set(k, (a.get(k) ?? 0) - (b.get(k) ?? 0))
  return out
}

// Piped into `head`: a closed stdout ends the listing, not in a stack trace.
process.stdout.on('error', (err: NodeJS.ErrnoException) => { if (err.code === 'EPIPE') process.exit(0); throw err })

const { values: opts, positionals } = parseArgs({ options: { vs: { type: 'string' } }, allowPositionals: true })
const [file, n = '25'] = positionals
if (!file) { process.stderr.write('usage: profile-top.ts FILE.cpuprofile [N] [--vs OTHER.cpuprofile]\n'); process.exit(1) }
const top = Number(n)
const main = summarize(file)

if (opts.vs === undefined) {
  const print = (title: string, m: Map<string, number>): void => {
    process.stdout.write(`\n${title} (of ${(main.total / 1e6).toFixed(2)} s sampled)\n`)
    for (const [k, us] of [...m].sort((a, b) => b[1] - a[1]).slice(0, top)) {
      process.stdout.write(`${(us / main.total * 100).toFixed(1).padStart(5)}%  ${(us / 1000).toFixed(0).padStart(7)} ms  ${k}\n`)
    }
  }
  print('self time by function', main.byFn)
  print('self time by area', main.byArea)
  print('inclusive time by function (idle left out)', main.inclusive)
} else {
  const other = summarize(opts.vs)
  const ms = (us: number): string => (us / 1000).toFixed(0).padStart(7)
  process.stdout.write(`busy ${ms(main.busy).trim()} ms against ${ms(other.busy).trim()} ms (${ms(main.busy - other.busy).trim()} ms more)\n`)
  const print = (title: string, a: Map<string, number>, b: Map<string, number>): void => {
    process.stdout.write(`\n${title}: more than --vs, in ms (this, --vs)\n`)
    for (const [k, us] of [...minus(a, b)].sort((x, y) => y[1] - x[1]).slice(0, top)) {
      process.stdout.write(`${ms(us)}  (${ms(a.get(k) ?? 0).trim()}, ${ms(b.get(k) ?? 0).trim()})  ${k}\n`)
    }
  }
  print('self time by function', main.byFn, other.byFn)
  print('self time by area', main.byArea, other.byArea)
  print('inclusive time by function', main.inclusive, other.inclusive)
}
