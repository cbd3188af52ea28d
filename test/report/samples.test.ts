import t from 'tap'
import { SampleStore, type Sample } from '../../src/report/samples.js'

let n = 0
function sample (route: string, signature: string, over: Partial<Sample> = {}): Sample {
  n++
  return {
    id: `s${n}`,
    route,
    signature,
    verdict: 'mismatch',
    time: n,
    request: { method: 'GET', path: '/x', headers: {} },
    status: { primary: 200, candidate: 200 },
    durationMs: { primary: 1, candidate: 1 },
    fields: [],
    noise: [],
    bodies: { primary: { pad: 'x'.repeat(100) }, candidate: { pad: 'y'.repeat(100) } },
    ...over,
  }
}

t.test('perGroup 2 keeps the first seen and the latest per (route, signature); get and list', async (t) => {
  const s = new SampleStore({ perGroup: 2 })
  const a = [sample('r', 'A'), sample('r', 'A'), sample('r', 'A')]
  for (const x of a) t.ok(s.add(x))
  const b = sample('r2', 'A')
  s.add(b)
  t.equal(s.get(a[1].id), undefined, 'the one in between goes')
  t.equal(s.get(a[0].id), a[0], 'first seen stays')
  t.equal(s.get(a[2].id), a[2])
  t.same(s.list('r').map((x) => x.id), [a[2].id, a[0].id], 'newest first')
  t.equal(s.list().length, 3)
  t.same(s.groupsOf('r'), [{ route: 'r', signature: 'A', ids: [a[2].id, a[0].id] }])
  t.equal(s.groupsOf().length, 2)
  t.equal(s.size, 3)
  s.add({ ...a[2], signature: 'B' })
  t.equal(s.size, 3, 're-adding an id replaces it')
  t.equal(s.get(a[2].id)?.signature, 'B')
  s.clear()
  t.equal(s.size, 0)
  t.equal(s.bytes, 0)
})

t.test('TTL expires samples', async (t) => {
  let now = 1000
  const s = new SampleStore({ ttlMs: 100, now: () => now })
  const x = sample('r', 'A')
  s.add(x)
  now += 50
  t.equal(s.get(x.id), x)
  now += 51
  t.equal(s.get(x.id), undefined)
  t.same(s.list(), [])
  t.equal(s.bytes, 0)
})

t.test('memory cap evicts from the largest group: a flood cannot evict the rare bug', async (t) => {
  const one = JSON.stringify(sample('r', 'X')).length
  const s = new SampleStore({ perGroup: 1000, maxBytes: one * 20, maxSampleBytes: one * 20 })
  const rare = sample('r', 'RARE')
  s.add(rare)
  for (let i = 0; i < 500; i++) s.add(sample('r', 'FLOOD'))
  t.ok(s.bytes <= one * 20, `bytes ${s.bytes} under cap`)
  t.equal(s.get(rare.id), rare, 'rare sample kept')
  t.ok(s.groupsOf().find((g) => g.signature === 'FLOOD')!.ids.length > 10, 'flood keeps the rest of the room')
})

t.test('oversized samples lose their bodies; impossible ones are refused', async (t) => {
  const s = new SampleStore({ maxBytes: 2000, maxSampleBytes: 600 })
  const big = sample('r', 'A', { bodies: { primary: 'p'.repeat(5000), candidate: 'c' } })
  t.ok(s.add(big))
  t.equal(s.get(big.id)?.bodiesOmitted, true)
  t.equal(s.get(big.id)?.bodies, undefined)
  const huge = sample('r', 'B', { bodies: undefined, fields: [{ path: '$.a', concretePath: '$.a', kind: 'changed', primary: 'z'.repeat(5000), candidate: 1 }] })
  t.notOk(s.add(huge), 'larger than the whole store')
  t.notOk(s.add(sample('r', 'C', { fields: [{ path: '$.n', concretePath: '$.n', kind: 'changed', primary: 1n, candidate: 2 }] })), 'unserializable: refused, not thrown')
  t.equal(s.get(huge.id), undefined)
})

t.test('group count is bounded: the least recently updated group goes', async (t) => {
  const s = new SampleStore({ maxGroups: 2 })
  const a = sample('r', 'A')
  const b = sample('r', 'B')
  s.add(a)
  s.add(b)
  s.add(sample('r', 'A')) // A is now the most recently updated
  s.add(sample('r', 'C'))
  t.equal(s.get(b.id), undefined, 'B dropped')
  t.equal(s.get(a.id), a)
  t.same(s.groupsOf().map((g) => g.signature).sort(), ['A', 'C'])
})

t.test('a reservoir between first and latest: uniform draws, bounded', async (t) => {
  const draws = [0.99, 0.1, 0.5]
  const s = new SampleStore({ perGroup: 4, random: () => draws.shift() ?? 0.99 })
  const a = Array.from({ length: 7 }, () => sample('r', 'A'))
  for (const x of a) s.add(x)
  // a0 first; a1, a2 fill the two slots; a3: j = floor(.99*3) = 2 → dropped; a4: j = floor(.1*4) = 0 → replaces a1;
  // a5: j = floor(.5*5) = 2 → dropped; a6 latest.
  t.same(s.groupsOf()[0].ids.slice().sort(), [a[0].id, a[2].id, a[4].id, a[6].id].sort())
  t.equal(s.size, 4)
  t.equal(s.bytes, [a[0], a[2], a[4], a[6]].reduce((n, x) => n + Buffer.byteLength(JSON.stringify(x)), 0), 'bytes of exactly the kept ones')
  t.match(s.retention(), /first sample seen and the latest are kept, with 2 more drawn at random[\s\S]*32 MiB \(report\.samples\.maxBytes\)/)
  t.notMatch(s.retention(), /older than/)
  t.match(new SampleStore({ ttlMs: 600_000 }).retention(), /older than 10 min are dropped/)
})

t.test('under the memory cap a group gives up its reservoir, then its latest, its first seen last', async (t) => {
  const one = Buffer.byteLength(JSON.stringify(sample('r', 'A')))
  const s = new SampleStore({ perGroup: 5, maxBytes: one * 10, maxSampleBytes: one * 10 })
  const a = Array.from({ length: 5 }, () => sample('r', 'A'))
  for (const x of a) s.add(x)
  t.equal(s.size, 5)
  s.configure({ perGroup: 3, maxBytes: one * 10 })
  t.equal(s.size, 3, 'a smaller reservoir trims at once')
  t.equal(s.perGroup, 3)
  s.configure({ perGroup: 3, maxBytes: Math.floor(one * 2.5) })
  t.same(s.groupsOf()[0].ids, [a[4].id, a[0].id], 'reservoir went first')
  s.configure({ perGroup: 3, maxBytes: Math.floor(one * 1.5) })
  t.same(s.groupsOf()[0].ids, [a[0].id], 'then the latest; the first seen stays')
  const next = sample('r', 'A')
  s.configure({ perGroup: 3, maxBytes: one * 10 })
  s.add(next)
  t.same(s.groupsOf()[0].ids, [next.id, a[0].id], 'a new sample becomes the latest again')
  t.equal(new SampleStore({ perGroup: 1 }).perGroup, 2, 'first and latest at least')
})

t.test('report.samples in the config: defaults, sizes, at least first and latest', async (t) => {
  const { configSchema } = await import('../../src/config/schema.js')
  const base = { upstreams: { a: { url: 'http://127.0.0.1:1' } }, routes: [{ name: 'r', match: { pathPrefix: '/' }, primary: 'a' }] }
  t.same(configSchema.parse(base).report, { samples: { perSignature: 5, maxBytes: 32 * 1024 * 1024 } })
  t.same(configSchema.parse({ ...base, report: { samples: { perSignature: 10, maxBytes: '4MiB' } } }).report.samples, { perSignature: 10, maxBytes: 4 * 1024 * 1024 })
  t.notOk(configSchema.safeParse({ ...base, report: { samples: { perSignature: 1 } } }).success)
})
