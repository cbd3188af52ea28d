import t from 'tap'
import { FieldTree, fieldTreeReport, pathNodes } from '../../src/report/field-tree.js'
import { fieldTreeHtml } from '../../src/report/field-tree-html.js'
import { RouteStats } from '../../src/report/route-stats.js'

t.test('pathNodes: ancestors and the path itself', async (t) => {
  t.same(pathNodes('$.a.items[*].x'), ['$.a', '$.a.items', '$.a.items[*]', '$.a.items[*].x'])
  t.same(pathNodes("$['odd.key'].b"), ["$['odd.key']", "$['odd.key'].b"])
  t.same(pathNodes('$..id'), ['$..id'])
  t.same(pathNodes('$'), ['$'])
  t.same(pathNodes('status'), ['status'])
  t.same(pathNodes('$.a{b'), ['$.a{b'], 'an odd tail stays whole')
})

t.test('counts exchanges per node, failing beside noise', async (t) => {
  const tree = new FieldTree()
  tree.add(['$.items[*].price', '$.items[*].sku'], [])
  tree.add(['$.total'], ['$.items[*].updatedAt'])
  tree.add([], ['$.items[*].updatedAt'])
  tree.add([], [])
  const rep = fieldTreeReport(tree.counts(), 10)
  t.same(rep.map((n) => [n.path, n.parent, n.diffs, n.failing, n.noise]), [
    ['$.items', null, 3, 1, 2],
    ['$.items[*]', '$.items', 3, 1, 2],
    ['$.items[*].updatedAt', '$.items[*]', 2, 0, 2],
    ['$.items[*].price', '$.items[*]', 1, 1, 0],
    ['$.items[*].sku', '$.items[*]', 1, 1, 0],
    ['$.total', null, 1, 1, 0],
  ], 'parents before children, siblings by diffs')
  t.same([rep[0].failingRate, rep[0].noiseRate], [0.1, 0.2])
  t.same(fieldTreeReport([], 0), [])
  t.equal(fieldTreeReport([{ path: '$.a', diffs: 1, failing: 1, noise: 0 }], 0)[0].failingRate, 0)

  const html = fieldTreeHtml(rep)
  t.match(html, /<details open><summary title="\$\.items">[\s\S]*<code>\$\.items<\/code>[\s\S]*<details><summary title="\$\.items\[\*\]">/)
  t.match(html, /<div class="leaf" title="\$\.items\[\*\]\.price"><span class="row"><span class="node"><code>\.price<\/code><\/span><span class="num">1<\/span><span class="num failing">10\.0%<\/span><span class="num">0%<\/span>/)
  t.match(html, /<code>\.updatedAt<\/code><\/span><span class="num">2<\/span><span class="num">0%<\/span><span class="num noisy">20\.0%<\/span>/)
  t.match(fieldTreeHtml([]), /No differing fields/)
  t.match(fieldTreeHtml(fieldTreeReport([{ path: '$.a', diffs: 1, failing: 1, noise: 0 }], 100_000)), /0\.001%/)
})

t.test('bounded: past maxNodes new paths count under __other__', async (t) => {
  const tree = new FieldTree(3)
  tree.add(['$.a.b'], [])
  tree.add(['$.c'], [])
  tree.add(['$.d.e'], [])
  tree.add(['$.a.b'], [])
  t.same(tree.counts().map((n) => [n.path, n.diffs]).sort(), [['$.a', 2], ['$.a.b', 2], ['$.c', 1], ['__other__', 1]])
})

t.test('RouteStats: per route and endpoint, over compared exchanges', async (t) => {
  const s = new RouteStats()
  s.add('r', 'GET /a', 'mismatch', ['$.x'], undefined, 1, ['$.n'])
  s.add('r', 'GET /a', 'noise', ['$.n'], undefined, 2)
  s.add('r', 'GET /b', 'match', [], undefined, 3)
  s.add('r', 'GET /b', 'skipped', [], undefined, 4)
  s.add('r', 'GET /b', 'candidate_error', [], undefined, 5)
  const rep = s.report('r', 'all', 10)
  t.same(rep.fieldTree.map((n) => [n.path, n.diffs, n.failing, n.noise, n.failingRate, n.noiseRate]), [['$.n', 2, 0, 2, 0, 0.5], ['$.x', 1, 1, 0, 0.25, 0]], '4 compared: the skip does not count')
  const a = rep.endpoints.find((e) => e.endpoint === 'GET /a')
  t.same(a?.fieldTree.map((n) => [n.path, n.noiseRate]), [['$.n', 1], ['$.x', 0]])
  t.same(rep.endpoints.find((e) => e.endpoint === 'GET /b')?.fieldTree, [])
})
