/**
 * The path automaton (path-scope.ts) against the path matchers it stands for: at every location
 * of seeded random JSON, a scope is ignored exactly when an ignore path matches the location, and
 * names the first array rule that matches it. And the fingerprint's cached path nodes: the same
 * response gives the same fingerprint whatever was fingerprinted in between.
 */
import t from 'tap'
import { fingerprint, type Fingerprint } from '../../src/compare/fingerprint.js'
import { anyMatches, compilePath, type Segment } from '../../src/compare/jsonpath.js'
import { compileScope, scopeAt, type Scope } from '../../src/compare/path-scope.js'
import { randomJson, rng } from './random-json.js'

const PATHS: Array<{ ignore: string[], arrays: string[] }> = [
  { ignore: ['$..name', '$.b[2]', "$['odd key'].a", '$..[0]'], arrays: ['$.items', '$..b'] },
  { ignore: ['$.*.a', '$..b..a', '$..*'], arrays: ['$..items', '$.*', '$'] },
  { ignore: ['$.x-y', '$..items[*]', '$'], arrays: ['$.a[1]', '$..a[*]', '$..*'] },
  { ignore: [], arrays: [] },
]

/** Every location of `v` with its scope, found one child step at a time. */
function locations (v: unknown, segs: Segment[], scope: Scope, visit: (segs: Segment[], scope: Scope) => void): void {
  visit(segs, scope)
  if (v === null || typeof v !== 'object') return
  const entries: Array<[Segment, unknown]> = Array.isArray(v) ? v.map((x, i) => [i, x]) : Object.entries(v)
  for (const [k, x] of entries) locations(x, [...segs, k], scope.child(k), visit)
}

t.test('a scope answers what matching the whole location answers', async (t) => {
  for (const [pi, p] of PATHS.entries()) {
    const ignore = p.ignore.map(compilePath)
    const arrays = p.arrays.map(compilePath)
    const root = compileScope(ignore, arrays)
    let checked = 0
    let wrong = 0
    for (let seed = 1; seed <= 300; seed++) {
      locations(randomJson(rng(seed)), [], root, (segs, scope) => {
        checked++
        if (scopeAt(root, segs) !== scope) t.fail(`paths ${pi}, seed ${seed}: scopeAt ${JSON.stringify(segs)}`)
        if (scope.ignored !== anyMatches(ignore, segs) || scope.arrayRule !== arrays.findIndex((a) => a.matches(segs))) {
          if (wrong++ === 0) t.fail(`paths ${pi}, seed ${seed}: ${JSON.stringify(segs)}`)
        }
      })
    }
    t.equal(wrong, 0, `paths ${pi}: ${checked} locations`)
  }
  const root = compileScope([compilePath('$..a')], [])
  t.equal(root.child('x').child(3), root.child('y'), 'locations no path tells apart share one state')
  t.equal(root.child('x').child('a').ignored, true)
})

t.test('fingerprints do not depend on what was fingerprinted before', async (t) => {
  const side = (json: unknown, status = 200): Parameters<typeof fingerprint>[0] =>
    ({ status, headers: { 'content-type': 'application/json' }, body: { kind: 'json', text: '', value: null }, bytes: new Uint8Array(), json })
  const docs = Array.from({ length: 12 }, (_, i) => randomJson(rng(100 + i)))
  const first = docs.map((d) => fingerprint(side(d)) as Fingerprint)
  // More shapes than the packed-paths cache keeps, then more keys than the path tree keeps.
  for (let i = 0; i < 60; i++) fingerprint(side(Object.fromEntries(Array.from({ length: 250 }, (_, k) => [`k${i}-${k}`, k]))))
  const again = docs.map((d) => fingerprint(side(d)) as Fingerprint)
  t.same(again, first, 'same responses, same fingerprints')
  const interleaved = docs.flatMap((d, i) => [fingerprint(side(docs[(i + 5) % docs.length], 201)), fingerprint(side(d))]).filter((_, i) => i % 2 === 1)
  t.same(interleaved, first, 'interleaved with other responses')
})
