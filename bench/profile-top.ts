/**
 * `node --import tsx bench/profile-top.ts FILE.cpuprofile [N]`: the top N functions of a V8
 * CPU profile (from `npm run bench -- --cpu-prof DIR`) by self time, with their share of all
 * samples, and the same grouped by package / source folder — enough to say what dominates
 * the proxy's hot path without opening a flame graph.
 */
import { readFileSync } from 'node:fs'

interface ProfileNode {
  id: number
  callFrame: { functionName: string, url: string, lineNumber: number }
  hitCount?: number
}

const [file, n = '25'] = process.argv.slice(2)
if (!file) { process.stderr.write('usage: profile-top.ts FILE.cpuprofile [N]\n'); process.exit(1) }
const profile = JSON.parse(readFileSync(file, 'utf8')) as { nodes: ProfileNode[], samples: number[], timeDeltas: number[] }

// Self time per node: each sample's delta is charged to the node it landed in.
const selfUs = new Map<number, number>()
profile.samples.forEach((id, i) => selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)))
const total = [...selfUs.values()].reduce((a, b) => a + b, 0)

const byFn = new Map<string, number>()
const byArea = new Map<string, number>()
for (const node of profile.nodes) {
  const us = selfUs.get(node.id) ?? 0
  if (!us) continue
  const { functionName, url, lineNumber } = node.callFrame
  const where = url.replace(/^file:\/\//, '').replace(/.*\/node_modules\//, 'node_modules/').replace(/.*\/(src|bench)\//, '$1/')
  const key = `${functionName || '(anonymous)'} ${where ? `${where}:${lineNumber + 1}` : ''}`.trim()
  byFn.set(key, (byFn.get(key) ?? 0) + us)
  const area = where.startsWith('node_modules/') ? where.split('/').slice(0, 2).join('/')
    : where.startsWith('node:') ? where.split('/')[0] as string
      : where ? where.split('/').slice(0, 2).join('/') : functionName
  byArea.set(area, (byArea.get(area) ?? 0) + us)
}
const print = (title: string, m: Map<string, number>): void => {
  process.stdout.write(`\n${title} (of ${(total / 1e6).toFixed(2)} s sampled)\n`)
  for (const [k, us] of [...m].sort((a, b) => b[1] - a[1]).slice(0, Number(n))) {
    process.stdout.write(`${(us / total * 100).toFixed(1).padStart(5)}%  ${(us / 1000).toFixed(0).padStart(7)} ms  ${k}\n`)
  }
}
print('self time by function', byFn)
print('self time by area', byArea)
