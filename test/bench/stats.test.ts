// From repeats to reported figures: medians, pairwise p99 overhead, CPU per 1k requests, peak
// RSS, shadow shares, the flat measurements the budget reads, and the markdown table.
import t from 'tap'
import { median, summarize, measurements, shadowSummary, markdownTable, floorContext, shedCount, type Repeat, type ScenarioDef } from '../../bench/stats.js'
import type { LoadResult } from '../../bench/loadgen.js'

const run = (p99: number, over: Partial<LoadResult> = {}): LoadResult => ({
  mode: 'open', url: 'http://x/json/2048', rate: 1000, connections: 250, durationMs: 1000,
  sentTotal: 1000, sent: 1000, completed: 1000, errors: 0, errorKinds: {}, achievedRate: 1000,
  latencyMs: { p50: p99 / 4, p90: p99 / 2, p99, p999: p99 * 2, max: p99 * 3, mean: p99 / 4 },
  sendLatenessMs: { p50: 0.05, p90: 0.08, p99: 0.2, p999: 0.5, max: 1, mean: 0.06 },
  // The generator's lateness is part of latencyMs: from the send, a tenth less.
  fromSendMs: { p50: p99 / 4, p90: p99 / 2, p99: p99 * 0.9, p999: p99 * 2, max: p99 * 3, mean: p99 / 4 },
  maxInFlight: 3, bytesPerResponse: 2048, ...over,
})
const def: ScenarioDef = { name: 'mirror-2k', description: 'd', peer: 'shadowfig', shadow: 'healthy', sizeBytes: 2048, kind: 'latency', rate: 1000 }
const rep = (d: number, p: number, over: Partial<Repeat> = {}): Repeat =>
  ({ direct: run(d), proxy: run(p), cpuSeconds: 0.5, peakRssBytes: 100 * 2 ** 20, counters: { 'mirror_total.sent': 1000, 'comparisons_total.match': 996, 'comparisons_total.mismatch': 4 }, ...over })

t.test('median of odd, even and empty lists', async (t) => {
  t.equal(median([3, 1, 2]), 2)
  t.equal(median([4, 1, 3, 2]), 2.5)
  t.ok(Number.isNaN(median([])))
})

t.test('overhead is the median of per-repeat differences, not a difference of medians', async (t) => {
  // Repeats where the machine drifted: 2→3, 10→10.5, 4→4.2. Pairwise: 1, 0.5, 0.2 → 0.5.
  const r = summarize(def, [rep(2, 3), rep(10, 10.5), rep(4, 4.2)])
  t.equal(r.overheadP99Ms, 0.5)
  t.equal(r.overheadP99FromSendMs, 0.45, 'from the actual sends, paired the same way (0.9, 0.45, 0.18 → 0.45)')
  t.same(r.overheadP99RangeMs, [0.2, 1], 'and how far the repeats spread')
  t.same(r.proxyThroughputRange, [1000, 1000])
  t.equal(r.direct.p99, 4)
  t.equal(r.proxy.p99, 4.2)
  t.equal(r.repeats, 3)
  t.equal(r.cpuSecPer1k, 0.5, '1.5 CPU s over 3000 requests')
  t.equal(r.peakRssMiB, 100)
  t.same(r.counters, { 'mirror_total.sent': 3000, 'comparisons_total.match': 2988, 'comparisons_total.mismatch': 12 })
  t.same(r.notes, [])
})

t.test('notes an open-loop run that ran out of sockets; no requests means no CPU figure', async (t) => {
  const r = summarize(def, [rep(1, 2, { proxy: run(2, { maxInFlight: 250, sentTotal: 0 }) })])
  t.same(r.notes, ['generator pool exhausted'])
  t.ok(Number.isNaN(r.cpuSecPer1k))
  const closed = summarize({ ...def, kind: 'saturation' }, [rep(1, 2, { proxy: run(2, { mode: 'closed', maxInFlight: 250 }) })])
  t.same(closed.notes, [], 'closed loops always have every connection busy')
})

t.test('shadow summary lists shares of at least half a percent, largest first', async (t) => {
  t.equal(shadowSummary(summarize(def, [rep(1, 2)])), 'mirror sent 100% · compare match 100%')
  t.equal(shadowSummary(summarize(def, [rep(1, 2, { counters: { 'mirror_total.saturated': 300, 'mirror_total.sent': 700, 'mirror_total.error': 0 } })])), 'mirror sent 70%, saturated 30%')
  t.equal(shadowSummary(summarize(def, [rep(1, 2, { counters: { 'comparisons_total.skipped': 500 } })])), 'compare skipped 50%')
  t.equal(shadowSummary(summarize(def, [rep(1, 2, { counters: {} })])), '–')
})

t.test('measurements expose what budget lines name; the table has one row per scenario', async (t) => {
  const a = summarize(def, [rep(1, 1.4)])
  const b = summarize({ ...def, name: 'sat', kind: 'saturation', rate: undefined, sizeBytes: 2 ** 20, workers: 2 }, [rep(1, 2)])
  const m = measurements([a, b])
  t.equal(m['mirror-2k']?.overheadP99Ms, 0.4)
  t.equal(m.sat?.proxyThroughput, 1000)
  const table = markdownTable([a, { ...b, notes: ['x'] }]).split('\n')
  t.equal(table.length, 4)
  t.match(table[2], /^\| mirror-2k \| shadowfig \| 1000 req\/s, 2 KiB \|.*\*\*0\.4\*\* \| 0\.36 \|/, 'p99 overhead, then from the sends')
  t.equal(m['mirror-2k']?.overheadP99FromSendMs, 0.36)
  t.match(table[3], /^\| sat \(x\) \| shadowfig ×2 \| closed loop, 1 MiB \| 1000 → 1000, shed 0 \|.*\| – \|/, 'saturation rows have no from-send figure')
  t.notMatch(table[2] as string, /\(\d/, 'one repeat: no spread')
  const c = summarize({ ...def, name: 'sat3', kind: 'saturation', rate: undefined }, [rep(1, 2, { proxy: run(2, { achievedRate: 900 }) }), rep(1, 1.5, { proxy: run(1.5, { achievedRate: 1200 }) }), rep(1, 3)])
  const row = markdownTable([c]).split('\n')[2] as string
  t.match(row, /\| 1000 → 1000 \(900–1200\), shed 0 \|/, 'saturation rows show the throughput spread')
  t.match(row, /\*\*1\*\* \(0\.5–2\) \|/, 'and every row the p99 overhead spread')
})

t.test('shed: mirrors skipped as saturated plus comparisons skipped, beside the throughput of a mirroring shadowfig row', async (t) => {
  const r = summarize(def, [rep(1, 2, { counters: { 'mirror_total.sent': 970, 'mirror_total.saturated': 30, 'comparisons_total.match': 960, 'comparisons_total.skipped': 10 } }), rep(1, 2)])
  t.equal(shedCount(r), 40)
  t.equal(measurements([r])['mirror-2k']?.shedCount, 40)
  t.match(markdownTable([r]).split('\n')[2], /\| 1000 → 1000, shed 40 \|/)
  const pass = summarize({ ...def, name: 'pass-2k', shadow: 'none' }, [rep(1, 2, { counters: {} })])
  const floor = summarize({ ...def, name: 'floor-mirror-2k', peer: 'floor' }, [rep(1, 2, { counters: {} })])
  for (const row of [pass, floor]) t.notMatch(markdownTable([row]).split('\n')[2], /shed/, `${row.name}: nothing mirrored or nothing counted`)
})

t.test('the nginx context line sets the budget scenario beside nginx\'s mirror in the same run', async (t) => {
  const ours = summarize(def, [rep(1, 3)])
  const nginx = summarize({ ...def, name: 'nginx-mirror-2k', peer: 'nginx' }, [rep(1, 2, { cpuSeconds: 0.2 })])
  const floor = summarize({ ...def, name: 'floor-mirror-2k', peer: 'floor' }, [rep(1, 2.5, { cpuSeconds: 0.3 })])
  t.equal(floorContext([ours, nginx]), 'same seconds: mirror-2k p99 overhead 2 ms (from send 1.8, CPU s / 1k req 0.5); nginx-mirror-2k 1 ms (from send 0.9, CPU s / 1k req 0.2)')
  t.equal(floorContext([nginx, ours, floor]), 'same seconds: mirror-2k p99 overhead 2 ms (from send 1.8, CPU s / 1k req 0.5); floor-mirror-2k 1.5 ms (from send 1.35, CPU s / 1k req 0.3); nginx-mirror-2k 1 ms (from send 0.9, CPU s / 1k req 0.2)', 'the Node floor first, then nginx')
  t.equal(floorContext([ours]), undefined, 'nothing to say without a floor')
  t.equal(floorContext([floor, nginx]), undefined, 'nor without the scenario')
})
