/**
 * `node --import tsx bench/profile-top.ts FILE.cpuprofile [N]`: the top N functions of a V8
 * CPU profile (from `npm run bench -- --cpu-prof DIR`) by self time, with their share of all
 * samples, the same grouped by package / source folder, and the top N by inclusive time (a
 * function and everything it called, idle left out) — enough to say what dominates the
 * proxy's hot path, and which of its entry points brings it there, without opening a flame
 * graph. Profiles of the bench's default runs name `dist/` files, of `--src` runs `src/` files.
 */
import { readFileSync } from 'node:fs'

interface ProfileNode {
  id: number
  callFrame: { functionName: string, url: string, lineNumber: number }
  children?: number[]
}

const [file, n = '25'] = process.argv.slice(2)
if (!file) { process.stderr.write('usage: profile-top.ts FILE.cpuprofile [N]\n'); process.exit(1) }
const profile = JSON.parse(readFileSync(file, 'utf8')) as { nodes: ProfileNode[], samples: number[], timeDeltas: number[] }

// Self time per node: each sample's delta is charged to the node it landed in.
const selfUs = new Map<number, number>()
profile.samples.forEach((id, i) => selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)))
const total = [...selfUs.values()].reduce((a, b) => a + b, 0)

/** Where a frame's code lives, shortened: `src/…`, `dist/…`, `node_modules/<pkg>/…`, `node:…`. */
const whereOf = (node: ProfileNode): string => node.callFrame.url.replace(/^file:\/\//, '')
  .replace(/.*\/node_modules\//, 'node_modules/').replace(/.*\/(src|bench|dist)\//, '$1/')

/** One name per function: its name, file and line. */
function keyOf (node: ProfileNode): string {
  const where = whereOf(node)
  return `${node.callFrame.functionName || '(anonymous)'} ${where ? `${where}:${node.callFrame.lineNumber + 1}` : ''}`.trim()
}

function areaOf (node: ProfileNode): string {
  const where = whereOf(node)
  if (where.startsWith('node_modules/')) return where.split('/').slice(0, 2).join('/')
  if (where.startsWith('node:')) return where.split('/')[0] as string
  return where ? where.split('/').slice(0, 2).join('/') : node.callFrame.functionName
}

const add = (m: Map<string, number>, k: string, us: number): void => { m.set(k, (m.get(k) ?? 0) + us) }

const byFn = new Map<string, number>()
const byArea = new Map<string, number>()
for (const node of profile.nodes) {
  const us = selfUs.get(node.id) ?? 0
  if (!us) continue
  add(byFn, keyOf(node), us)
  add(byArea, areaOf(node), us)
}

// Inclusive time: each sample is charged once to every distinct function on its stack (a
// recursive function counts once), so a function's figure is the time spent in it and in
// everything it called.
const nodes = new Map(profile.nodes.map((node) => [node.id, node]))
const parent = new Map<number, number>()
for (const node of profile.nodes) for (const c of node.children ?? []) parent.set(c, node.id)
const inclusive = new Map<string, number>()
for (const [id, us] of selfUs) {
  if (nodes.get(id)?.callFrame.functionName === '(idle)') continue
  const seen = new Set<string>()
  for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
    const k = keyOf(nodes.get(cur) as ProfileNode)
    if (k === '(root)' || seen.has(k)) continue
    seen.add(k)
    add(inclusive, k, us)
  }
}

const print = (title: string, m: Map<string, number>): void => {
  process.stdout.write(`\n${title} (of ${(total / 1e6).toFixed(2)} s sampled)\n`)
  for (const [k, us] of [...m].sort((a, b) => b[1] - a[1]).slice(0, Number(n))) {
    process.stdout.write(`${(us / total * 100).toFixed(1).padStart(5)}%  ${(us / 1000).toFixed(0).padStart(7)} ms  ${k}\n`)
  }
}
print('self time by function', byFn)
print('self time by area', byArea)
print('inclusive time by function (idle left out)', inclusive)
