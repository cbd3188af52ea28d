/**
 * Properties over seeded random JSON: compare(a, a) is a match under any rules; the field set
 * of (a, b) equals that of (b, a) with added/removed mirrored; normalization is idempotent;
 * `jsonEqual` agrees with equality of the canonical strings (what it replaces on the hot path).
 * The seed of a failing case is in the assertion name, so it can be replayed.
 */
import t from 'tap'
import { canonical, jsonEqual, normalizeJson, normalizeOwned, originalIndex } from '../../src/compare/normalize.js'
import { runComparison } from '../../src/compare/pipeline.js'
import { exchange, resp, route, type CompareInput } from './helpers.js'
import { mutate, randomJson, rng } from './random-json.js'

const CASES = 150
const RULES: CompareInput[] = [
  {},
  { ignore: ['$..ts', "$['odd key']"], numbers: { precision: 1 }, masks: ['uuid', 'iso8601'] },
  { arrays: { '$..items': { key: 'id' }, '$.b': { unordered: true } }, masks: ['epoch', { name: 'hello', pattern: 'hel+o' }] },
]

const mirror: Record<string, string> = { added: 'removed', removed: 'added', changed: 'changed', type: 'type' }

async function fieldSet (rules: CompareInput, a: unknown, b: unknown, flip: boolean): Promise<string[]> {
  const out = await runComparison(exchange(resp(a), resp(b)), await route(rules))
  return [...new Set(out.fields.map((f) => `${flip ? mirror[f.kind] : f.kind} ${f.path}`))].sort()
}

t.test('compare(a, a) is match', async (t) => {
  for (const [ri, rules] of RULES.entries()) {
    const r = await route(rules)
    for (let seed = 1; seed <= CASES; seed++) {
      const a = randomJson(rng(seed))
      const out = await runComparison(exchange(resp(a), resp(a)), r)
      if (out.verdict !== 'match') t.fail(`rules ${ri} seed ${seed}: ${JSON.stringify(out.fields)}`)
    }
  }
  t.pass(`${RULES.length * CASES} self-comparisons`)
})

t.test('fields of (a, b) mirror those of (b, a)', async (t) => {
  let differing = 0
  for (const [ri, rules] of RULES.entries()) {
    for (let seed = 1; seed <= CASES; seed++) {
      const r = rng(seed)
      const a = randomJson(r)
      const b = mutate(r, a)
      const ab = await fieldSet(rules, a, b, false)
      const ba = await fieldSet(rules, b, a, true)
      if (ab.length > 0) differing++
      t.same(ab, ba, `rules ${ri} seed ${seed}`)
    }
  }
  // The generator must actually produce differences, or the property says nothing.
  t.ok(differing > CASES, `${differing} differing pairs`)
})

t.test('normalization is idempotent', async (t) => {
  for (const [ri, rules] of RULES.entries()) {
    const { plan } = await route(rules)
    for (let seed = 1; seed <= CASES; seed++) {
      const once = normalizeJson(randomJson(rng(seed)), plan)
      t.same(normalizeJson(once, plan), once, `rules ${ri} seed ${seed}`)
    }
  }
})

t.test('jsonEqual(a, b) is canonical(a) === canonical(b)', async (t) => {
  const reorder = (v: unknown): unknown => {
    if (v === null || typeof v !== 'object') return v
    if (Array.isArray(v)) return v.map(reorder)
    return Object.fromEntries(Object.entries(v).reverse().map(([k, x]) => [k, reorder(x)]))
  }
  let equal = 0
  let differ = 0
  for (let seed = 1; seed <= CASES * 4; seed++) {
    const r = rng(seed)
    const a = randomJson(r)
    for (const b of [mutate(r, a), reorder(a), structuredClone(a)]) {
      const want = canonical(a) === canonical(b)
      if (want) equal++
      else differ++
      if (jsonEqual(a, b) !== want || jsonEqual(b, a) !== want) t.fail(`seed ${seed}: ${JSON.stringify(a)} vs ${JSON.stringify(b)}`)
    }
  }
  t.ok(equal > CASES && differ > CASES, `${equal} equal and ${differ} differing pairs`)
  t.notOk(jsonEqual({ a: 1 }, { a: 1, b: 2 }), 'an extra key differs')
  t.notOk(jsonEqual({ a: 1, b: 2 }, { a: 1, c: 2 }), 'same count, other key')
  t.notOk(jsonEqual([1], { 0: 1 }), 'an array is not an object with index keys')
  t.notOk(jsonEqual(1, '1'), 'a number is not its string')
})

/** Every array's original indices, in the order a walk meets them. */
function origins (v: unknown, out: number[] = []): number[] {
  if (Array.isArray(v)) v.forEach((x, i) => { out.push(originalIndex(v, i)); origins(x, out) })
  else if (v !== null && typeof v === 'object') for (const x of Object.values(v)) origins(x, out)
  return out
}

t.test('normalizing an owned value in place gives what normalizing a copy gives', async (t) => {
  const rules: CompareInput[] = [...RULES, { ignore: ['$..id', '$.items[1]', '$..a[*]', '$.__proto__'], arrays: { '$..b': { key: 'name' } }, numbers: { precision: 0 } }]
  for (const [ri, r] of rules.entries()) {
    const plan = (await route(r)).plan
    let wrong = 0
    for (let seed = 1; seed <= CASES * 2; seed++) {
      const text = JSON.stringify(randomJson(rng(seed)))
      const copy = normalizeJson(JSON.parse(text), plan)
      const owned = normalizeOwned(JSON.parse(text), plan)
      if (JSON.stringify(owned) !== JSON.stringify(copy) || origins(owned).join() !== origins(copy).join()) {
        if (wrong++ === 0) t.fail(`rules ${ri}, seed ${seed}`)
      }
    }
    t.equal(wrong, 0, `rules ${ri}`)
  }
  const proto = normalizeOwned(JSON.parse('{"__proto__":{"x":1.4},"y":1.6}'), (await route({ numbers: { precision: 0 } })).plan)
  t.same(Object.keys(proto as object), ['__proto__', 'y'], 'a key named __proto__ stays a plain key')
  t.equal(Object.getPrototypeOf(proto), Object.prototype)
  t.same((proto as Record<string, unknown>).__proto__, { x: 1 })
})
