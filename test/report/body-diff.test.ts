/** The body diff marks forgiven differences, matched by grouping path, kind and values. */
import t from 'tap'
import { bodyDiffHtml } from '../../src/report/body-diff.js'
import type { ForgivenField } from '../../src/compare/types.js'

const forgiven = (f: Omit<ForgivenField, 'by' | 'concretePath'>): ForgivenField => ({ ...f, concretePath: f.path, by: 'm' })
const marked = (html: string | undefined): string[] => [...(html ?? '').matchAll(/<li class="jsondiffpatch-(\w+) forgiven" data-key="([^"]*)"/g)].map((m) => `${m[1]} ${m[2]}`)

t.test('equal sides: no diff', async (t) => {
  t.equal(bodyDiffHtml({ a: 1 }, { a: 1 }), undefined)
})

t.test('a bare body: added, removed and changed items inside arrays', async (t) => {
  const html = bodyDiffHtml({ items: [{ p: 1 }], gone: 'x', n: 1 }, { items: [{ p: 2 }], extra: true, n: 2 }, [
    forgiven({ path: '$.items[*].p', kind: 'changed', primary: 1, candidate: 2 }),
    forgiven({ path: '$.gone', kind: 'removed', primary: 'x' }),
    forgiven({ path: '$.extra', kind: 'added', candidate: true }),
    forgiven({ path: '$.n', kind: 'changed', primary: 1, candidate: 3 }), // other values: not this node
    forgiven({ path: '$.items', kind: 'changed', primary: 0, candidate: 1 }), // $.items is a node, not a leaf
  ])
  t.same(marked(html).sort(), ['added extra', 'deleted gone', 'modified p'])
  t.match(html, /<li class="jsondiffpatch-modified" data-key="n">/)
})

t.test('a sample side { status, headers, body }: header and status paths', async (t) => {
  const side = (status: number, ct: string, v: number): unknown => ({ status, headers: { 'content-type': ct }, body: { v } })
  const html = bodyDiffHtml(side(200, 'a', 1), side(201, 'b', 2), [
    forgiven({ path: 'status', kind: 'changed', primary: 200, candidate: 201 }),
    forgiven({ path: 'header:content-type', kind: 'changed', primary: 'a', candidate: 'b' }),
    forgiven({ path: '$.v', kind: 'changed', primary: 1, candidate: 2 }),
  ])
  t.same(marked(html).sort(), ['modified content-type', 'modified status', 'modified v'])
})
