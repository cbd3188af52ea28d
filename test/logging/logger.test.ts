import t from 'tap'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Writable } from 'node:stream'
import { createLoggers, logRedactPaths } from '../../src/logging/logger.js'

function sink (): { stream: Writable, lines: () => Record<string, unknown>[] } {
  const chunks: string[] = []
  const stream = new Writable({ write (c, _e, cb) { chunks.push(String(c)); cb() } })
  return { stream, lines: () => chunks.join('').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l)) }
}

t.test('log lines censor secret headers wherever they sit', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'sf-log-'))
  t.teardown(() => rm(dir, { recursive: true, force: true }))
  const out = sink()
  const l = createLoggers({ level: 'debug', logStream: out.stream, diffsFile: join(dir, 'd.ndjson'), redactHeaders: ['X-Tenant-Secret'] })
  l.log.debug({
    req: { headers: { authorization: 'Bearer s3cret', cookie: 'sid=s3cret', 'x-api-key': 's3cret', 'x-tenant-secret': 's3cret', accept: '*/*' } },
    res: { headers: { 'set-cookie': ['a=s3cret'] } },
    headers: { 'proxy-authorization': 's3cret' },
  }, 'request')
  l.log.trace('not at debug')
  await l.close()
  const [line] = out.lines()
  t.equal(out.lines().length, 1, 'trace is below debug')
  t.notMatch(JSON.stringify(line), /s3cret/)
  t.match(line, { req: { headers: { authorization: '[redacted]', accept: '*/*' } }, res: { headers: { 'set-cookie': '[redacted]' } }, msg: 'request' })
})

t.test('diffs logger writes NDJSON of the documented shape to a file, independent of log level', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'sf-log-'))
  t.teardown(() => rm(dir, { recursive: true, force: true }))
  const file = join(dir, 'sub', 'diffs.ndjson')
  const out = sink()
  const l = createLoggers({ level: 'error', diffsFile: file, logStream: out.stream })
  l.diffs.warn({ event: 'shadowfig.diff', id: 'x1' }, 'shadow mismatch')
  l.diffs.warn({ event: 'shadowfig.diff', id: 'x2' }, 'shadow mismatch')
  await l.flush()
  await l.close()
  await l.close() // idempotent
  await l.flush() // after close: resolves, writes nothing
  const lines = (await readFile(file, 'utf8')).trim().split('\n').map((s) => JSON.parse(s))
  t.equal(lines.length, 2)
  t.match(lines[0], { level: 40, msg: 'shadow mismatch', event: 'shadowfig.diff', id: 'x1' })
  t.type(lines[0].time, 'number')
  t.notOk('pid' in lines[0] || 'hostname' in lines[0], 'no pid/hostname bindings')
})

t.test('stdout destinations can be flushed and closed', async (t) => {
  const l = createLoggers({ level: 'silent' })
  await l.flush()
  await l.close()
  t.pass('no throw')
})

t.test('logRedactPaths quotes names that are not identifiers', async (t) => {
  const paths = logRedactPaths(['x-a'])
  t.ok(paths.includes('req.headers.authorization'))
  t.ok(paths.includes('req.headers["set-cookie"]'))
  t.ok(paths.includes('headers["x-a"]'))
})
