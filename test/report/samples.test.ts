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

t.test('keeps the latest N per (route, signature); get and list', async (t) => {
  const s = new SampleStore({ perGroup: 2 })
  const a = [sample('r', 'A'), sample('r', 'A'), sample('r', 'A')]
  for (const x of a) t.ok(s.add(x))
  const b = sample('r2', 'A')
  s.add(b)
  t.equal(s.get(a[0].id), undefined, 'oldest of the group evicted')
  t.equal(s.get(a[2].id), a[2])
  t.same(s.list('r').map((x) => x.id), [a[2].id, a[1].id], 'newest first')
  t.equal(s.list().length, 3)
  t.same(s.groupsOf('r'), [{ route: 'r', signature: 'A', ids: [a[2].id, a[1].id] }])
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
