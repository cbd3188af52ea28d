import t from 'tap'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { configSchema } from '../../src/config/schema.js'
import { createCompareEngine } from '../../src/compare/engine.js'
import { CAPTURE_VERSION, type CaptureRecord } from '../../src/record/format.js'
import { routeSpecs, runReplay } from '../../src/replay/runner.js'
import { startServer, tempDir } from '../record/helpers.js'

t.test('secondary, request bodies, host re-matching and unknown upstreams', async (t) => {
  const got: Array<{ role: string, method: string, body: string, url: string }> = []
  const server = (role: string) => startServer(t, (req, res) => {
    let body = ''
    req.on('data', (c: Buffer) => { body += c.toString() })
    req.on('end', () => {
      got.push({ role, method: req.method ?? '', body, url: req.url ?? '' })
      res.setHeader('content-type', 'application/json')
      res.end(JSON.stringify({ ok: true, role: role === 'candidate' ? 'x' : 'p' }))
    })
  })
  const [p, c, s] = [await server('primary'), await server('candidate'), await server('secondary')]
  // Parsed with the schema only: the loader would refuse the dangling reference we test here.
  const config = configSchema.parse({
    upstreams: { p: { url: p }, c: { url: c }, s: { url: s } },
    routes: [
      { name: 'noisy', match: { pathPrefix: '/n', host: 'shop.example' }, primary: 'p', shadow: { candidate: 'c', secondary: 's', methods: ['GET', 'POST'], allowWrites: true } },
      { name: 'dangling', match: { pathPrefix: '/d' }, primary: 'p', shadow: { candidate: 'c', secondary: 'gone' } },
    ],
  })
  const record = (id: string, route: string, method: string, path: string, extra: Partial<CaptureRecord['request']> = {}): string => JSON.stringify({
    v: CAPTURE_VERSION, id, time: 0, route, verdict: 'match', fields: [],
    request: { method, path, headers: { host: ['shop.example'], 'content-type': 'application/json' }, ...extra },
    primary: { status: 200, headers: {} },
    candidate: { status: 200, headers: {} },
  } satisfies CaptureRecord)
  const file = join(await tempDir(t), 'c.ndjson')
  await writeFile(file, [
    record('a', 'renamed-since', 'POST', '/n/1', { bodyBase64: Buffer.from('{"q":1}').toString('base64') }),
    record('b', 'dangling', 'GET', '/d/1'),
  ].join('\n') + '\n')
  const engine = createCompareEngine({ threads: 1 })
  t.teardown(() => engine.close())
  await engine.setRoutes(routeSpecs(config), process.cwd())

  const report = await runReplay({ config, files: [file], comparer: engine, allowWrites: true, concurrency: 1 })
  t.equal(report.total, 2)
  const json = report.toJSON()
  // The exchange has its own secondary answer: its verdict is final at once, in record order.
  t.same(json.routes.map((r) => [r.route, r.mismatch, r.skipped]), [['noisy', 1, 0], ['dangling', 0, 1]], 're-matched by host and path; dangling upstream skipped')
  t.same(got.map((g) => [g.role, g.method, g.body, g.url]).sort(), [
    ['candidate', 'POST', '{"q":1}', '/n/1'],
    ['primary', 'POST', '{"q":1}', '/n/1'],
    ['secondary', 'POST', '{"q":1}', '/n/1'],
  ], 'the recorded body reaches all three')
  t.same(json.failures.map((f) => [f.id, f.reason ?? '', f.fields]), [['a', '', ['$.role']]])
})
