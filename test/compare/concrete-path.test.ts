/**
 * concretePath is an index of a real response: normalization sorts ruled arrays and drops
 * ignored items, and the diff maps its indices back (the candidate's for added and changed
 * items, the primary's for removed ones), like the feature us1000ekwe at 40, not 33.
 */
import t from 'tap'
import { compareDirect, exchange, resp } from './helpers.js'

const fields = async (p: unknown, c: unknown, rules: Parameters<typeof compareDirect>[1]): Promise<string[]> => {
  const r = await compareDirect(exchange(resp(p), resp(c)), rules)
  return r.fields.map((f) => `${f.kind} ${f.path} ${f.concretePath}`)
}

t.test('keyed array, reordered: changed, added and removed items at their real indices', async (t) => {
  // primary order z, a, m, q; candidate order m, q, b, z; a removed, b added, m and z changed
  const primary = { features: [{ id: 'z', mag: 1 }, { id: 'a', mag: 2 }, { id: 'm', mag: 3 }, { id: 'q', mag: 4 }] }
  const candidate = { features: [{ id: 'm', mag: 30 }, { id: 'q', mag: 4 }, { id: 'b', mag: 5 }, { id: 'z', mag: 10 }] }
  const got = await fields(primary, candidate, { arrays: { '$.features': { key: 'id' } } })
  t.same(got.sort(), [
    'added $.features[*] $.features[2]', // b is at 2 in the candidate
    'changed $.features[*].mag $.features[0].mag', // m: 0 in the candidate
    'changed $.features[*].mag $.features[3].mag', // z: 3 in the candidate
    'removed $.features[*] $.features[1]', // a was at 1 in the primary
  ])
  // and each concrete path names the item it says in the response it names
  const at = (body: typeof primary, path: string): unknown => body.features[Number(/\[(\d+)\]/.exec(path)?.[1])]?.id
  t.same(got.sort().map((f) => f.split(' ')).map(([kind, , path]) => at(kind === 'removed' ? primary : candidate, path as string)), ['b', 'm', 'z', 'a'])
})

t.test('nested keyed arrays map at every level', async (t) => {
  const primary = { groups: [{ id: 2, items: [{ k: 'x', v: 1 }, { k: 'y', v: 2 }] }, { id: 1, items: [] }] }
  const candidate = { groups: [{ id: 1, items: [] }, { id: 2, items: [{ k: 'y', v: 20 }, { k: 'x', v: 1 }] }] }
  t.same(await fields(primary, candidate, { arrays: { '$.groups': { key: 'id' }, '$.groups[*].items': { key: 'k' } } }), [
    'changed $.groups[*].items[*].v $.groups[1].items[0].v',
  ])
})

t.test('unordered arrays and ignored items: indices of the response, not of the filtered copy', async (t) => {
  t.same(await fields({ tags: ['c', 'a', 'b'] }, { tags: ['b', 'd', 'a'] }, { arrays: { '$.tags': { unordered: true } } }), [
    'added $.tags[*] $.tags[1]', // d
    'removed $.tags[*] $.tags[0]', // c
  ])
  // positional array whose first item is ignored: the change is at 2 in both responses
  t.same(await fields({ rows: [0, 1, 2] }, { rows: [9, 1, 3] }, { ignore: ['$.rows[0]'] }), ['changed $.rows[*] $.rows[2]'])
})
