import t from 'tap'
import { appendFile, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { main, type ReplayDeps, type ReplayIO } from '../../src/commands/replay.js'
import { loadReplayConfig } from '../../src/replay/config.js'
import { fixture, recordTraffic, type Fixture } from './fixture.js'

/** The real loader, and the fixture's engine (one worker pool per test keeps the file fast). */
function shared (f: Fixture): ReplayDeps {
  return { loadConfig: (file) => loadReplayConfig(file, {}), createComparer: async () => ({ compare: (e) => f.engine.compare(e), close: async () => {} }) }
}

function io (tty = false): ReplayIO & { out: () => string, err: () => string } {
  let out = ''
  let err = ''
  return {
    stdout: { write: (s: string) => { out += s } },
    stderr: { write: (s: string) => { err += s }, isTTY: tty },
    env: {},
    out: () => out,
    err: () => err,
  }
}

const TRAFFIC = ['1', '2', '3'].map((id) => ({ id: `r${id}`, path: `/api/orders/${id}` }))

// One fixture (backends, config, one comparison worker pool) for the whole file: pools are slow to start.
const f = await fixture(t)
t.beforeEach(() => f.reset())

t.test('exit 0 with a table when the candidate agrees; plain progress lines off a TTY', async (t) => {
  await recordTraffic(f, TRAFFIC)
  const o = io()
  t.equal(await main([f.capture, '--config', f.configFile, '--progress-every', '2', '--concurrency', '2'], o), 0)
  t.match(o.out(), /^route\s+total\s+match\s+mismatch\s+noise\s+candidate_error\s+skipped\s+changed$/m)
  t.match(o.out(), /^order-by-id\s+3\s+3\s+0\s+0\s+0\s+0\s+0$/m)
  t.match(o.out(), /ok: 3 replayed, no unexplained mismatches/)
  t.equal(o.err(), 'replay: 2/3 done, 0 unexplained\nreplay: 3/3 done, 0 unexplained\n')
})

t.test('exit 1 and JSON naming the field on a seeded regression; a bar on a TTY', async (t) => {
  await recordTraffic(f, TRAFFIC)
  f.bugs.totalFor = '2'
  f.bugs.errorFor = '3'
  const o = io(true)
  t.equal(await main([f.capture, '--config', f.configFile, '--json', '--rate', '500'], o, shared(f)), 1)
  const json = JSON.parse(o.out())
  t.equal(json.unexplained, 2)
  t.same(json.routes[0].topFields, [{ path: '$.total', count: 1 }])
  t.match(o.err(), /\r\[#+\.*\] 1\/3 33%/)
  t.match(o.err(), /\r\[#{30}\] 3\/3 100%  unexplained 2\nskipped: 0 of 3 \(0\.0%\)\n$/)
  const text = io()
  t.equal(await main([f.capture, '--config', f.configFile], text, shared(f)), 1)
  t.match(text.out(), /top differing fields in order-by-id:\n\s+1\s+\$\.total/)
  t.match(text.out(), /^mismatch order-by-id GET \/api\/orders\/2 \(id r2, recorded match\): \$\.total$/m)
  t.match(text.out(), /^candidate_error order-by-id GET \/api\/orders\/3 \(id r3, recorded match\) /m)
  t.match(text.out(), /FAIL: 2 of 3 replayed exchanges have unexplained mismatches/)
})

t.test('writes only with --allow-writes; --header restores a redacted credential; unroutable records are skipped', async (t) => {
  await recordTraffic(f, [
    { id: 'w1', method: 'POST', path: '/api/orders/7', headers: { authorization: 'Bearer secret' } },
    { id: 'g1', path: '/api/orders/8', headers: { authorization: 'Bearer secret' } },
  ])
  const lines = (await readFile(f.capture, 'utf8')).trim().split('\n').map((l) => JSON.parse(l))
  const other = (over: Record<string, unknown>, req: Record<string, unknown>): string => JSON.stringify({ ...lines[1], ...over, request: { ...lines[1].request, ...req } })
  await appendFile(f.capture, '\n' + other({ id: 'p1', route: 'gone' }, { path: '/plain/x' }) + '\n' + other({ id: 'n1', route: 'gone' }, { path: '/nowhere' }) + '\n')

  f.seen.length = 0
  const strict = io()
  t.equal(await main([f.capture, '--config', f.configFile], strict, shared(f)), 1, 'skips fail the run by default (--max-skipped 0)')
  t.match(strict.out(), /^skipped: 3 of 4 \(75\.0%\): no_candidate 1, no_route 1, unsafe_method 1$/m)
  t.match(strict.err(), /75\.0% skipped, more than --max-skipped 0\.0%/)
  f.seen.length = 0
  const o = io()
  t.equal(await main([f.capture, '--config', f.configFile, '--json', '--max-skipped', '75%'], o, shared(f)), 0)
  t.match(o.err(), /^skipped: 3 of 4 \(75\.0%\)/m, 'the skipped share is reported with --json too')
  const json = JSON.parse(o.out())
  t.same(json.routes.map((r: { route: string, total: number, match: number, skipped: number }) => [r.route, r.total, r.match, r.skipped]),
    [['order-by-id', 2, 1, 1], ['plain', 1, 0, 1], ['gone', 1, 0, 1]], 'POST skipped, re-matched by path, no route')
  t.same(f.seen.map((s) => s.method), ['GET'])
  t.notOk('authorization' in f.seen[0].headers)

  f.seen.length = 0
  const w = io()
  t.equal(await main([f.capture, '--config', f.configFile, '--allow-writes', '-H', 'Authorization: Bearer ci-token', '--concurrency', '1', '--max-skipped', '0.5'], w, shared(f)), 0)
  t.same(f.seen.map((s) => [s.method, s.headers.authorization]), [['POST', 'Bearer ci-token'], ['GET', 'Bearer ci-token']])
})

t.test('bad input exits 1 with the reason', async (t) => {
  await recordTraffic(f, TRAFFIC)
  const bad = join(f.dir, 'bad.ndjson')
  const good = (await readFile(f.capture, 'utf8')).trim().split('\n')
  await writeFile(bad, `${good[0]}\n\n{"v":1,"id":"x"}\n${good[1]}\n`)
  await writeFile(join(f.dir, 'badcfg.yaml'), 'upstreams: {}\nroutes: []\n')
  await writeFile(join(f.dir, 'badref.yaml'), 'upstreams: { m: { url: "http://127.0.0.1:1" } }\nroutes: [{ name: r, match: { pathPrefix: / }, primary: m, shadow: { candidate: nope } }]\n')
  const cases: Array<[string[], RegExp, Record<string, string>?]> = [
    [[bad, '--config', f.configFile], new RegExp(`bad capture record at ${bad.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:3 not a v1 capture record: time: `)],
    [[join(f.dir, 'torn.ndjson'), '--config', f.configFile], /capture file .*torn\.ndjson does not exist/],
    [['--config', f.configFile], /no CAPTURE file given/],
    [[f.capture], /--config FILE is required/],
    [[f.capture, '--config', f.configFile, '--rate', 'fast'], /--rate must be a positive number, got "fast"/],
    [[f.capture, '--config', f.configFile, '--concurrency', '1.5'], /--concurrency must be a positive integer/],
    [[f.capture, '--config', f.configFile, '--header', 'nocolon'], /--header wants "name: value"/],
    [[f.capture, '--config', f.configFile, '--max-skipped', '150%'], /--max-skipped must be a share between 0 and 1/],
    [[f.capture, '--config', join(f.dir, 'missing.yaml')], /missing\.yaml:1:1 .*ENOENT/],
    [[f.capture], /invalid config\n.*badcfg\.yaml:2:9 routes: expected at least one/, { SHADOWFIG_CONFIG: join(f.dir, 'badcfg.yaml') }],
    [[f.capture, '--config', join(f.dir, 'badref.yaml')], /badref\.yaml:2:80 routes\[0\]\.shadow\.candidate:[^]*nope/],
    [[f.capture, '--config', bad], /Unexpected flow-map-start/],
  ]
  for (const [args, pattern, env] of cases) {
    const o = io()
    o.env = env ?? {}
    t.equal(await main(args, o, shared(f)), 1, args.join(' '))
    t.match(o.err(), pattern)
  }
  await writeFile(bad, good[0] + '\nnot json\n')
  const o = io()
  t.equal(await main([bad, '--config', f.configFile], o, shared(f)), 1)
  t.match(o.err(), /:2 not JSON: /)
})

t.test('a runtime failure exits 2', async (t) => {
  await recordTraffic(f, TRAFFIC)
  const o = io()
  let closed = false
  const code = await main([f.capture, '--config', f.configFile], o, {
    loadConfig: async () => f.config,
    createComparer: async () => ({ compare: async () => { throw new Error('engine exploded') }, close: async () => { closed = true } }),
  })
  t.equal(code, 2)
  t.match(o.err(), /engine exploded/)
  t.ok(closed, 'the comparer is closed on failure too')
})

t.test('a loader or engine that fails oddly still gets a clear exit code', async (t) => {
  await recordTraffic(f, TRAFFIC)
  const o = io()
  t.equal(await main([f.capture, '--config', f.configFile], o, { ...shared(f), loadConfig: async () => { throw new Error('disk on fire') } }), 1)
  t.equal(o.err(), 'shadowfig replay: disk on fire\n')
  const s = io()
  t.equal(await main([f.capture, '--config', f.configFile], s, { ...shared(f), createComparer: async () => { throw 'not an Error' } }), 2)
  t.match(s.err(), /shadowfig replay: not an Error/)
})

/** Requests that repeat (the model learns from repeated identical requests on a route without a secondary). */
const REPEATED = Array.from({ length: 60 }, (_, i) => ({ id: `n${i}`, path: `/api/orders/${(i % 3) + 1}` }))

t.test('noise is learnt over the whole capture before judging: noise only exits 0, a regression exits 1 and names its field', async (t) => {
  f.bugs.nonce = true
  await recordTraffic(f, REPEATED)
  const o = io()
  t.equal(await main([f.capture, '--config', f.configFile, '--json'], o), 0, 'a field new on every call of every service is noise, from the first exchange on')
  const json = JSON.parse(o.out())
  t.match(json, { total: 60, unexplained: 0, compared: 60, skipped: {} })
  t.match(json.routes[0], { noise: 60, mismatch: 0, noisyFields: [{ path: '$.nonce', count: 60 }] })

  f.bugs.totalFor = '2'
  const bad = io()
  t.equal(await main([f.capture, '--config', f.configFile], bad), 1)
  t.match(bad.out(), /top differing fields in order-by-id:\n\s+20\s+\$\.total/)
  t.match(bad.out(), /noise in order-by-id \(differs on the primary by itself, not counted\):\n\s+60\s+\$\.nonce/, 'noisy fields are listed, never dropped')
  t.match(bad.out(), /FAIL: 20 of 60 replayed/)
})

t.test('a replay that compared nothing exits 2 with the reason', async (t) => {
  await recordTraffic(f, TRAFFIC)
  const down = join(f.dir, 'down.yaml')
  await writeFile(down, (await readFile(f.configFile, 'utf8')).replace(/url: "http:\/\/[^"]+"/g, 'url: "http://127.0.0.1:1"'))
  const o = io()
  t.equal(await main([f.capture, '--config', down], o), 2)
  t.match(o.out(), /^skipped: 3 of 3 \(100\.0%\): primary_error 3$/m)
  t.match(o.err(), /nothing was compared \(skipped: 3 of 3 \(100\.0%\): primary_error 3\): no evidence to pass on/)
})
