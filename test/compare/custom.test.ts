/**
 * Custom comparators loaded from files (fixtures/), run in-process through the pipeline:
 * relative paths resolve against the config directory, a decision ends the chain and may
 * remove fields, a throw / garbage / slow answer gives `skipped` with a reason and a counted
 * error, and a plugin never sees secret request headers.
 */
import t from 'tap'
import { mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { loadComparator } from '../../src/compare/plugin.js'
import { compareDirect, exchange, resp, route } from './helpers.js'
import { runComparison } from '../../src/compare/pipeline.js'

const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), 'fixtures')
const cwd = process.cwd()
t.before(() => process.chdir(FIXTURES)) // compareDirect compiles routes relative to the cwd
t.teardown(() => process.chdir(cwd))

const order = (total: number, name = 'a'): unknown => ({ name, total, items: [{ price: total }] })

t.test('money within one cent is a match, decided by the plugin', async (t) => {
  const r = await compareDirect(exchange(resp(order(10.004)), resp(order(10.01))), { comparators: ['status', 'json', './money.js'] })
  t.equal(r.verdict, 'match')
  t.equal(r.decidedBy, 'money')
  t.same(r.fields, [])
})

t.test('money off by more than a cent, or another field, stays a mismatch', async (t) => {
  const far = await compareDirect(exchange(resp(order(10)), resp(order(10.5))), { comparators: ['json', './money.js'] })
  t.equal(far.verdict, 'mismatch')
  t.equal(far.decidedBy, 'chain', 'the plugin continued: it removed nothing')
  t.same(far.fields.map((f) => f.path), ['$.total', '$.items[*].price'])
  const other = await compareDirect(exchange(resp(order(10, 'a')), resp(order(10.001, 'b'))), { comparators: ['json', './money.js'] })
  t.equal(other.verdict, 'mismatch')
  t.equal(other.decidedBy, 'money')
  t.same(other.fields.map((f) => f.path), ['$.name'], 'money fields removed, the rest kept')
})

t.test('an absolute path works too', async (t) => {
  const r = await compareDirect(exchange(resp(order(1)), resp(order(1.001))), { comparators: ['json', join(FIXTURES, 'money.js')] })
  t.equal(r.verdict, 'match')
})

t.test('a throwing comparator gives skipped/comparator_error and counts an error', async (t) => {
  const rt = await route({ comparators: ['status', './throws.js'] }, false, FIXTURES)
  const out = await runComparison(exchange(resp({ a: 1 }), resp({ a: 1 })), rt)
  t.equal(out.verdict, 'skipped')
  t.equal(out.reason, 'comparator_error')
  t.same(out.counts, { status: { continue: 1, decided: 0, errors: 0 }, throws: { continue: 0, decided: 0, errors: 1 } })
})

t.test('a garbage answer is a comparator_error', async (t) => {
  const r = await compareDirect(exchange(resp({ a: 1 }), resp({ a: 1 })), { comparators: ['./garbage.js'] })
  t.equal(r.reason, 'comparator_error')
})

t.test('a slow asynchronous comparator times out', async (t) => {
  const r = await compareDirect(exchange(resp({ a: 1 }), resp({ a: 1 })), { comparators: ['./delay.js'] }, { comparatorTimeoutMs: 20 })
  t.equal(r.verdict, 'skipped')
  t.equal(r.reason, 'comparator_timeout')
})

t.test('plugins see normalized sides, earlier fields and redacted request headers', async (t) => {
  const r = await compareDirect(exchange(resp({ a: 1, t: '2024-01-01' }), resp({ a: 2, t: '2025-01-01' })), { comparators: ['json', './echo.js'], masks: ['iso8601'] })
  t.equal(r.verdict, 'mismatch')
  t.same(r.fields[0].primary, '[redacted]', 'authorization is never given to plugins')
  t.same(r.fields[0].candidate, { route: 'r', json: { a: 2, t: '<iso8601>' }, before: 1, body: 'string' })
})

t.test('bad comparator entries are refused at compile time', async (t) => {
  await t.rejects(route({ comparators: ['nope'] }), /unknown comparator "nope"/)
  await t.rejects(route({ comparators: ['./not-a-comparator.js'] }, false, FIXTURES), /must default-export/)
  await t.rejects(loadComparator('./missing.js', FIXTURES), { name: 'ExpressionError', code: 'SHADOWFIG_ERR_CONFIG', message: /comparator module not found/ })
})

t.test('an edited comparator file is picked up on reload', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'shadowfig-cmp-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  const file = join(dir, 'v.mjs')
  writeFileSync(file, "export default { name: 'v1', compare: () => 'continue' }")
  utimesSync(file, 1000, 1000)
  t.equal((await loadComparator('./v.mjs', dir)).name, 'v1')
  writeFileSync(file, "export default { name: 'v2', compare: () => 'continue' }")
  utimesSync(file, 2000, 2000)
  t.equal((await loadComparator('./v.mjs', dir)).name, 'v2')
  t.equal((await loadComparator(file, dir)).name, 'v2', 'unchanged file: same module')
})
