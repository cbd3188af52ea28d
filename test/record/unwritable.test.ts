/**
 * A capture file that cannot be written is said, not only counted: a warning with the path
 * and the reason when the writer starts, again each interval while it persists (and not per
 * dropped record), and a note when it works again. Tests run as root, where a read-only mode
 * stops nothing: the directory here is under a regular file, so mkdir fails with ENOTDIR.
 */
import t from 'tap'
import { mkdir, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { CaptureWriter } from '../../src/record/capture.js'
import { recordSchema } from '../../src/config/schema.js'
import type { ComparisonResult } from '../../src/compare/types.js'
import type { Exchange } from '../../src/shadow/exchange.js'
import { tempDir } from './helpers.js'

interface Line { level: 'warn' | 'info', obj: Record<string, unknown>, msg: string }

function logRecorder () {
  const lines: Line[] = []
  const push = (level: Line['level']) => (obj: object, msg: string): void => { lines.push({ level, obj: obj as Record<string, unknown>, msg }) }
  return { lines, log: { warn: push('warn'), info: push('info') } }
}

/** Resolves once `done()` holds (the alarm's timer is unref'd: this one keeps the test alive). */
function waitFor (done: () => boolean): Promise<void> {
  return new Promise((resolve) => {
    const poll = setInterval(() => { if (done()) { clearInterval(poll); resolve() } }, 10)
  })
}

const exchange: Exchange = {
  id: 'e1',
  route: 'orders',
  startedAt: 0,
  request: { method: 'GET', path: '/x', headers: {} },
  primary: { status: 200, headers: {}, body: new Uint8Array(0), truncated: false, durationMs: 1 },
  candidate: { status: 500, headers: {}, body: new Uint8Array(0), truncated: false, durationMs: 1 },
}
const result: ComparisonResult = {
  id: 'e1', route: 'orders', verdict: 'candidate_error', reason: '5xx', fields: [], noise: [], signature: '',
  status: { primary: 200, candidate: 500 }, durationMs: { primary: 1, candidate: 1 },
}

t.test('a directory under a regular file: warned at start, each interval while it persists, and on recovery', async (t) => {
  const dir = await tempDir(t)
  const blocker = join(dir, 'file.txt')
  await writeFile(blocker, 'not a directory')
  const file = join(blocker, 'capture.ndjson')
  const rec = logRecorder()
  const w = new CaptureWriter({ route: 'orders', record: recordSchema.parse({ file }), log: rec.log, alarmIntervalMs: 40 })
  t.teardown(() => w.close())

  await w.ready
  t.equal(rec.lines.length, 1, 'one warning at start')
  t.equal(rec.lines[0].level, 'warn')
  t.match(rec.lines[0].obj, { event: 'shadowfig.capture.unwritable', route: 'orders', file, reason: /ENOTDIR|EEXIST/ })
  t.match(rec.lines[0].msg, file)

  // Records keep failing: counted as io_error, but not one warning each.
  for (let i = 0; i < 5; i++) w.consider(exchange, result)
  await w.flush()
  t.equal(w.stats.dropped.io_error, 5)
  t.equal(rec.lines.length, 1, 'dropped records add no warning of their own')

  await waitFor(() => rec.lines.length >= 2)
  t.match(rec.lines[1], { level: 'warn', obj: { event: 'shadowfig.capture.unwritable', file } }, 'reminded while it persists')

  await rm(blocker)
  await mkdir(blocker)
  await waitFor(() => rec.lines.some((l) => l.level === 'info'))
  const n = rec.lines.length
  t.match(rec.lines[n - 1], { level: 'info', obj: { event: 'shadowfig.capture.writable', route: 'orders', file } })
  t.ok(w.consider(exchange, result))
  await w.flush()
  t.equal(w.stats.written, 1, 'written again')
  await new Promise((resolve) => setTimeout(resolve, 120)) // three intervals: room for a wrong reminder
  t.equal(rec.lines.length, n, 'no reminder once writable')
})

t.test('a writable file: no warning; a later write failure warns once', async (t) => {
  const dir = await tempDir(t)
  const file = join(dir, 'sub', 'capture.ndjson')
  const rec = logRecorder()
  const w = new CaptureWriter({ route: 'orders', record: recordSchema.parse({ file }), log: rec.log, alarmIntervalMs: 60_000 })
  t.teardown(() => w.close())
  await w.ready
  t.equal(rec.lines.length, 0)
  t.ok(w.consider(exchange, result))
  await w.flush()
  t.equal(w.stats.written, 1)

  // The directory goes away and a regular file takes its place: the next write fails.
  await w.close()
  const w2 = new CaptureWriter({ route: 'orders', record: recordSchema.parse({ file }), log: rec.log, alarmIntervalMs: 60_000 })
  t.teardown(() => w2.close())
  await w2.ready
  await rm(join(dir, 'sub'), { recursive: true })
  await writeFile(join(dir, 'sub'), 'x')
  w2.consider(exchange, result)
  w2.consider(exchange, result)
  await w2.flush()
  t.equal(w2.stats.dropped.io_error, 2)
  t.equal(rec.lines.length, 1, 'one warning for the failure')
  t.match(rec.lines[0].obj, { event: 'shadowfig.capture.unwritable', reason: /ENOTDIR|EEXIST/ })
})

t.test('without a log, nothing is probed', async (t) => {
  const dir = await tempDir(t)
  const w = new CaptureWriter({ route: 'orders', record: recordSchema.parse({ file: join(dir, 'a', 'c.ndjson') }) })
  await w.ready
  await w.close()
  const { readdir } = await import('node:fs/promises')
  t.same(await readdir(dir), [], 'no file created')
})
