import t from 'tap'
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { Writable } from 'node:stream'
import { pino } from 'pino'
import { SampleFile } from '../../src/report/sample-file.js'
import { SampleStore, type Sample } from '../../src/report/samples.js'

let n = 0
const sample = (signature: string): Sample => {
  n++
  return {
    id: `s${n}`, route: 'r', signature, verdict: 'mismatch', time: 1000 + n,
    request: { method: 'GET', path: `/x/${n}`, headers: {} }, status: { primary: 200, candidate: 200 },
    durationMs: { primary: 1, candidate: 1 }, fields: [], noise: [],
  }
}
const logged = () => {
  const lines: Array<{ event: string }> = []
  return { lines, log: pino(new Writable({ write (c: Buffer, _e, cb) { lines.push(JSON.parse(c.toString()) as { event: string }); cb() } })) }
}

t.test('samples survive a restart; the file is rewritten only after a change', async (t) => {
  const dir = t.testdir({})
  const file = join(dir, 'store', 'samples.ndjson')
  const { log } = logged()
  const before = new SampleStore()
  const a = new SampleFile(before, file, log, 60_000)
  t.equal(await a.load(), 0, 'no file yet')
  a.start()
  const xs = [sample('A'), sample('A'), sample('B'), sample('A')]
  for (const x of xs) before.add(x)
  await a.close()
  t.same(readFileSync(file, 'utf8').trim().split('\n').map((l) => (JSON.parse(l) as Sample).id), xs.map((x) => x.id), 'oldest first')

  writeFileSync(file, readFileSync(file, 'utf8') + '{"cut": \n')
  const after = new SampleStore({ perGroup: 2 })
  const b = new SampleFile(after, file, log)
  t.equal(await b.load(), 4, 'a cut line is skipped')
  t.same(after.groupsOf().find((g) => g.signature === 'A')?.ids, [xs[3].id, xs[0].id], 'the same retention: first seen and latest')
  writeFileSync(file, 'untouched')
  await b.save()
  t.equal(readFileSync(file, 'utf8'), 'untouched', 'nothing changed since the load: no write')
  after.add(sample('C'))
  await b.save()
  t.match(readFileSync(file, 'utf8'), /"signature":"C"/)
})

t.test('read and write failures are logged, not thrown', async (t) => {
  const dir = t.testdir({ 'a-file': 'x' })
  mkdirSync(join(dir, 'a-dir'))
  const { lines, log } = logged()
  const store = new SampleStore()
  t.equal(await new SampleFile(store, join(dir, 'a-dir'), log).load(), 0)
  const bad = new SampleFile(store, join(dir, 'a-file', 'samples.ndjson'), log)
  store.add(sample('A'))
  await bad.save()
  t.same(lines.map((l) => l.event), ['shadowfig.samples.load_failed', 'shadowfig.samples.save_failed'])
})
