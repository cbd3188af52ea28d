/**
 * The bench's own 2 KiB pair compared in process: `node --import tsx bench/compare-2k.ts
 * [--seconds 5] [--same]`. The pair and the route's compare settings are the bench's
 * (pair-2k.ts), so the figures are the comparison thread's work per `mirror-2k` exchange
 * without the hand-off: the whole `runComparison` (a GET, so with the primary's fingerprint),
 * then its normalize and fingerprint steps alone. `--same` compares the primary's bytes with
 * themselves (the `same` shadow mode). Median and p99 in µs.
 */
import { parseArgs } from 'node:util'
import { decodeBody } from '../src/compare/decode.js'
import { fingerprint } from '../src/compare/fingerprint.js'
import { normalizeHeaders, normalizeJson } from '../src/compare/normalize.js'
import { compileRoute, runComparison } from '../src/compare/pipeline.js'
import { PAIR_COMPARE, pairExchange } from './pair-2k.js'

const { values: a } = parseArgs({ options: { seconds: { type: 'string', default: '5' }, same: { type: 'boolean', default: false } } })
const SECONDS = Number(a.seconds)

const ex = pairExchange('b', a.same)
const primary = ex.primary
const route = await compileRoute({ name: 'bench', compare: PAIR_COMPARE, hasSecondary: false }, process.cwd())
const first = await runComparison(ex, route)
if (first.verdict !== 'match') throw new Error(`expected a match, got ${first.verdict}: ${JSON.stringify(first.fields)}`)

const median = (xs: number[], p = 0.5): number => [...xs].sort((x, y) => x - y)[Math.min(xs.length - 1, Math.floor(xs.length * p))] as number

/** Per-call µs over SECONDS, in rounds of 100 calls (timer resolution). */
async function time (fn: () => unknown): Promise<number[]> {
  const perCall: number[] = []
  const until = performance.now() + SECONDS * 1000
  while (performance.now() < until) {
    const t0 = performance.now()
    for (let i = 0; i < 100; i++) await fn()
    perCall.push((performance.now() - t0) * 10)
  }
  return perCall
}

const decoded = decodeBody(primary.headers, primary.body, 16 * 1024 * 1024)
if (!decoded.ok || decoded.body.kind !== 'json') throw new Error('the primary does not decode as JSON')
const value = decoded.body.value
const side = { status: 200, headers: normalizeHeaders(primary.headers, route.plan), body: decoded.body, bytes: decoded.bytes, json: normalizeJson(value, route.plan) }

const rows: Array<[string, () => unknown]> = [
  ['runComparison', () => runComparison(ex, route)],
  ['normalizeJson (primary)', () => normalizeJson(value, route.plan)],
  ['fingerprint (primary)', () => fingerprint(side)],
]
console.log(`| 2 KiB pair${a.same ? ' (same bytes)' : ''}: step | median µs | p99 µs (per 100-call round) |`)
console.log('|---|---|---|')
for (const [label, fn] of rows) {
  const xs = await time(fn)
  console.log(`| ${label} | ${median(xs).toFixed(1)} | ${median(xs, 0.99).toFixed(1)} |`)
}
