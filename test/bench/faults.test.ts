// The fault matrix (bench/faults/): its hostile backends misbehave as named, its config is one
// the proxy accepts, and a tiny real run (one fault, ~1 s per phase) prints a table whose
// counters were read from the proxy: a refused candidate shows as upstream connect errors.
import t from 'tap'
import net from 'node:net'
import { once } from 'node:events'
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { pathToFileURL } from 'node:url'
import { configSchema } from '../../src/config/schema.js'
import { startFaultServer, HUGE_BYTES, type FaultKind } from '../../bench/faults/servers.js'
import { FAULTS, chooseFaults, faultConfig, ownBackends } from '../../bench/faults/config.js'
import { counterDelta, readCounters, sumBy } from '../../bench/faults/counters.js'
import { faultsMain } from '../../bench/faults/command.js'
import { faultRows, goalFailures } from '../../bench/faults/report.js'
import type { FaultPhase } from '../../bench/faults/matrix.js'
import type { LoadResult } from '../../bench/loadgen.js'

// The proxy and backends run this repo's sources under tsx: tap's coverage hook must stay out
// of them (test/helpers/ts-loader.ts). Set before any child starts; spawnNode passes it on.
process.env._TAPJS_PROCESSINFO_COVERAGE_ = '0'

/** Sends one GET to a fault server and collects what comes back until close or `enough` bytes. */
async function exchange (kind: FaultKind, enough = Infinity): Promise<{ text: string, bytes: number, error?: string }> {
  const server = await startFaultServer({ fault: kind })
  try {
    const sock = net.connect(server.port, '127.0.0.1')
    let error: string | undefined
    sock.on('error', (err: NodeJS.ErrnoException) => { error = err.code })
    await once(sock, 'connect')
    sock.write('GET /r/x/json/2048 HTTP/1.1\r\nhost: x\r\n\r\n')
    let text = ''
    let bytes = 0
    return await new Promise((resolve) => {
      sock.on('data', (d: Buffer) => {
        if (text.length < 4096) text += d.toString('latin1')
        bytes += d.length
        if (bytes >= enough) { sock.destroy(); resolve({ text, bytes }) }
      })
      sock.on('close', () => resolve({ text, bytes, error }))
    })
  } finally {
    await server.close()
  }
}

t.test('the hostile backends misbehave as named', async (t) => {
  const reset = await exchange('reset')
  t.match(reset.text, /^HTTP\/1\.1 200 OK\r\n[^]*content-length: 2048\r\n\r\n/, 'reset: a head declaring 2 KiB')
  t.equal(reset.error, 'ECONNRESET', 'then a reset')
  t.ok(reset.bytes < 2048, 'before the body is complete')
  const garbage = await exchange('garbage')
  t.notMatch(garbage.text, /^HTTP\//, 'garbage: not HTTP')
  t.equal(garbage.error, undefined, 'then a plain close')
  const declared = await exchange('huge-declared', 1024 * 1024)
  t.match(declared.text, new RegExp(`content-length: ${HUGE_BYTES}\r\n`), 'huge-declared: 100 MiB declared')
  t.ok(declared.bytes >= 1024 * 1024, 'and streamed')
  const chunked = await exchange('huge-chunked', 1024 * 1024)
  t.match(chunked.text, /transfer-encoding: chunked\r\n\r\n10000\r\nxxx/, 'huge-chunked: 64 KiB chunks')

  const hang = await startFaultServer({ fault: 'hang' })
  const sock = net.connect(hang.port, '127.0.0.1')
  sock.on('error', () => {}) // closed with the request unread: the client may see a reset
  await once(sock, 'connect')
  let got = 0
  sock.on('data', (d: Buffer) => { got += d.length })
  sock.write('GET /r/x/json/2048 HTTP/1.1\r\nhost: x\r\n\r\n')
  const closed = new Promise((resolve) => sock.once('close', resolve))
  await hang.close()
  await closed
  t.equal(got, 0, 'hang: not one byte before the server closed the connection')
})

t.test('faults are chosen by name, and their config passes the schema', async (t) => {
  t.same(chooseFaults(['refused']).map((f) => f.name), ['none', 'refused'], '`none` always runs, first')
  t.equal(chooseFaults().length, FAULTS.length)
  t.throws(() => chooseFaults(['nope']), /unknown fault nope/)
  const faults = chooseFaults()
  const own = ownBackends(faults)
  t.equal(own.filter((s) => 'fault' in s && s.fault === 'reset').length, 1, 'one reset server for the candidate and the primary that reset')
  const cfg = configSchema.parse(faultConfig(faults, { primary: 1, candidate: 2, refused: 3, own: own.map((_, i) => 100 + i) }, 8080, 9901, '/tmp/d.ndjson'))
  t.same(cfg.routes.map((r) => r.name), ['healthy', ...FAULTS.map((f) => f.name)])
  t.equal(cfg.upstreams['refused-candidate']?.url, 'http://127.0.0.1:3')
  t.equal(cfg.upstreams['primary-reset-primary']?.url, cfg.upstreams['reset-mid-body-candidate']?.url, 'the resetting primary is the resetting candidate\'s server')
})

t.test('counters: deltas by name and labels, sums by a label', async (t) => {
  const before = readCounters('shadowfig_mirror_total{route="a",outcome="sent"} 3\nshadowfig_mirror_total{route="b",outcome="sent"} 1\nshadowfig_other{x="y"} 9\n')
  const after = readCounters('shadowfig_mirror_total{route="a",outcome="sent"} 5\nshadowfig_mirror_total{route="a",outcome="error"} 2\nshadowfig_mirror_total{route="b",outcome="sent"} 1\n')
  const d = counterDelta(before, after)
  t.equal(Object.keys(d).length, 2, 'unmoved series and other metrics are left out')
  t.same(sumBy(d, 'shadowfig_mirror_total', { route: 'a' }, 'outcome'), { sent: 2, error: 2 })
})

t.test('goal lines fail with their amounts', async (t) => {
  const load = (p99: number): LoadResult => ({ latencyMs: { p50: 1, p99 }, sentTotal: 100, errors: 0 }) as unknown as LoadResult
  const phase = (fault: string, p99: number, cpuSeconds: number, sent: number): FaultPhase => ({
    fault, description: '', healthy: load(p99), faulty: load(1), cpuSeconds, requests: 200, peakRssBytes: 2 ** 20, mirrorsLeftInFlight: 0,
    counters: readCounters(`shadowfig_mirror_total{route="healthy",outcome="sent"} ${sent}\n`),
  })
  const rows = faultRows([phase('none', 3, 0.1, 100), phase('bad', 5, 0.3, 90), phase('none', 2, 0.1, 100)])
  t.equal(rows[0]?.p99ShiftMs, 1, 'held against the better of the two runs without a fault')
  t.same(rows[1]?.goals, { p99: false, mirrors: false, cpu: false })
  t.same(goalFailures(rows), [
    'bad: healthy route p99 moved +3 ms (goal ≤ 1 ms)',
    'bad: healthy route mirrored share moved -10 points (goal ≤ 1)',
    'bad: CPU per request ×3 of the run without a fault (goal ≤ ×2)',
  ])
  t.same(faultRows([]), [])
})

t.test('a tiny real run: the table has a row per phase and the refused candidate is counted', async (t) => {
  const dir = mkdtempSync(path.join(tmpdir(), 'shadowfig-faults-test-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  let out = ''
  const code = await faultsMain({
    faults: ['refused'], rate: 100, durationMs: 1000, warmupMs: 200, settleTimeoutMs: 5000,
    check: true, resultsDir: pathToFileURL(dir + '/'), out: { write: (s: string) => { out += s } }, log: () => {},
  })
  const table = out.split('\n').filter((l) => l.startsWith('|'))
  t.equal(table.length, 2 + 3, 'header, rule, then none, refused, none')
  t.same(table.slice(2).map((l) => l.split('|')[1]?.trim()), ['none', 'refused', 'none'])
  t.ok(table.every((l) => l.split('|').length === 15), 'every row has the 13 columns')
  const files = readdirSync(dir)
  t.equal(files.length, 1, 'one JSON file')
  const json = JSON.parse(readFileSync(path.join(dir, files[0] as string), 'utf8')) as { commit: string, rows: ReturnType<typeof faultRows> }
  t.ok(json.commit.length > 0)
  const [none, refused] = json.rows
  t.ok((refused?.upstreamErrors['refused/candidate/connect'] ?? 0) > 0, 'the refused candidate\'s connect errors were read from /metrics')
  t.ok((refused?.faultMirror.sent ?? 0) > 0, 'its mirrors were counted')
  t.equal(refused?.clientErrors.healthy, 0, 'no client error on the healthy route')
  t.equal(refused?.clientErrors.fault, 0, 'nor on the refused candidate\'s route: the primary answers')
  t.ok((none?.faultMirror.sent ?? 0) > 0 && (none?.faultComparisons.match ?? 0) > 0, 'the run without a fault mirrors and matches')
  t.ok((refused?.cpuMsPerRequest ?? 0) > 0 && (refused?.peakRssMiB ?? 0) > 0, 'CPU and peak RSS read from /proc')
  // Exit code: 1 only when --check and a goal failed; timings are not asserted.
  t.equal(code, goalFailures(json.rows).length ? 1 : 0)
})
