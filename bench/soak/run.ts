/**
 * Soak (run by hand, not in CI): shadowfig as a child process through its CLI, mirror +
 * compare on every GET, a candidate that flaps healthy → slow → down every `--flap` seconds,
 * the config file rewritten every `--reload` seconds (a real change and an identical rewrite,
 * alternately), and an open-loop generator at a steady `--rate`.
 *
 *   npx tsx bench/soak/run.ts [--minutes 10] [--rate 200] [--flap 20] [--reload 30] [--out FILE]
 *
 * Every 10 s: requests sent / answered / errors, the proxy's RSS, heap, event-loop delay p99
 * and open fds (from its own /metrics), the candidate's mode and the mirror outcomes.
 * At the end: sent = answered (nothing lost), the error count, and whether RSS plateaued
 * (prom.ts). Exit 0 when nothing was lost, no client saw an error and RSS plateaued.
 */
import { spawn } from 'node:child_process'
import { mkdtempSync, openSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { Pool, request } from 'undici'
import { closedPort, startBackend } from '../backends.js'
import { shadowfigConfig } from '../configs.js'
import { nodeCommand, stop } from '../proc.js'
import { dueCount, makeSchedule } from '../schedule.js'
import { FlappingCandidate } from './candidate.js'
import { byLabel, gauge, plateau } from './prom.js'

const { values: args } = parseArgs({
  options: {
    minutes: { type: 'string', default: '10' },
    rate: { type: 'string', default: '200' },
    flap: { type: 'string', default: '20' },
    reload: { type: 'string', default: '30' },
    out: { type: 'string' },
  },
})
const minutes = Number(args.minutes)
const rate = Number(args.rate)
const MiB = 1024 * 1024
const CLI = fileURLToPath(new URL('../../src/cli.ts', import.meta.url))

// ---- backends and config -------------------------------------------------------------
const primary = await startBackend({ variant: 'primary' })
const candidate = new FlappingCandidate(await closedPort(), 1500)
await candidate.set('healthy')
const proxyPort = await closedPort()
const adminPort = await closedPort()
const dir = mkdtempSync(join(tmpdir(), 'shadowfig-soak-'))
const file = join(dir, 'soak.yaml')
const diffs = join(dir, 'diffs.ndjson')

interface SoakConfig { logging: { level: string }, routes: Array<{ shadow: { sample: string, timeout?: string } }> }
function configText (sample: string): string {
  const cfg = shadowfigConfig({ shadow: 'healthy', upstreams: { primary: primary.port, candidate: candidate.port, slow: 0, down: 0 } }, proxyPort, adminPort, diffs) as unknown as SoakConfig
  cfg.logging.level = 'info'
  const shadow = cfg.routes[0]?.shadow as SoakConfig['routes'][number]['shadow']
  shadow.sample = sample
  shadow.timeout = '1s' // the slow candidate (1.5 s) times out
  return JSON.stringify(cfg, null, 2) + '\n' // JSON is YAML
}
writeFileSync(file, configText('100%'))

// ---- the proxy, through its CLI --------------------------------------------------------
const logFile = join(dir, 'shadowfig.log')
const logFd = openSync(logFile, 'w')
const [cmd, argv] = nodeCommand(CLI, ['--config', file])
const child = spawn(cmd, argv, { stdio: ['ignore', logFd, logFd] })
const proxyUrl = `http://127.0.0.1:${proxyPort}`
const adminUrl = `http://127.0.0.1:${adminPort}`
const startWait = Date.now()
for (;;) {
  if (child.exitCode !== null) throw new Error(`shadowfig exited with ${child.exitCode}; see ${logFile}`)
  try { if ((await request(`${adminUrl}/readyz`)).statusCode === 200) break } catch {}
  if (Date.now() - startWait > 30_000) throw new Error(`shadowfig not ready after 30 s; see ${logFile}`)
  await new Promise((resolve) => setTimeout(resolve, 100))
}

// ---- open-loop generator ---------------------------------------------------------------
const stats = { sent: 0, answered: 0, ok: 0, status4xx: 0, status5xx: 0, transport: 0, inFlight: 0 }
const transportErrors = new Map<string, number>()
const pool = new Pool(proxyUrl, { connections: 256, pipelining: 1 })
function fire (i: number): void {
  stats.sent++; stats.inFlight++
  const post = i % 10 === 9 // 10% writes: never mirrored (unsafe_method)
  pool.request({ path: '/json/2048', method: post ? 'POST' : 'GET', body: post ? `{"i":${i}}` : undefined, headersTimeout: 30_000, bodyTimeout: 30_000 })
    .then(async (r) => {
      await r.body.dump()
      stats.answered++
      if (r.statusCode < 400) stats.ok++
      else if (r.statusCode < 500) stats.status4xx++
      else stats.status5xx++
    }, (err: { code?: string }) => {
      stats.transport++
      transportErrors.set(err.code ?? 'unknown', (transportErrors.get(err.code ?? 'unknown') ?? 0) + 1)
    })
    .finally(() => { stats.inFlight-- })
}
const durationMs = minutes * 60_000
const schedule = makeSchedule(rate, durationMs)
const t0 = process.hrtime.bigint()
const elapsedSec = (): number => Number(process.hrtime.bigint() - t0) / 1e9
const ticker = setInterval(() => {
  const due = dueCount(schedule, Number(process.hrtime.bigint() - t0))
  while (stats.sent < due) fire(stats.sent)
  if (stats.sent >= schedule.total) clearInterval(ticker)
}, 2)

// ---- chaos: candidate flaps, config reloads ----------------------------------------------
const flapper = setInterval(() => { void candidate.cycle() }, Number(args.flap) * 1000)
let reloads = 0
const reloader = setInterval(() => {
  reloads++
  // Odd: a real change (new hash, new runtime); even: the same text rewritten (hash-gated).
  writeFileSync(file, configText(Math.floor((reloads + 1) / 2) % 2 === 1 ? '99%' : '100%'))
}, Number(args.reload) * 1000)

// ---- reports -----------------------------------------------------------------------------
interface Row { tSec: number, sent: number, answered: number, errors: number, inFlight: number, rssBytes: number, heapBytes: number, lagP99Ms: number, fds: number, mode: string, mirror: Record<string, number> }
const rows: Row[] = []
async function scrape (): Promise<string> {
  return await (await request(`${adminUrl}/metrics`)).body.text()
}
async function report (): Promise<void> {
  const text = await scrape()
  const row: Row = {
    tSec: Math.round(elapsedSec()),
    sent: stats.sent,
    answered: stats.answered,
    errors: stats.status5xx + stats.transport,
    inFlight: stats.inFlight,
    rssBytes: gauge(text, 'shadowfig_process_resident_memory_bytes'),
    heapBytes: gauge(text, 'shadowfig_nodejs_heap_size_used_bytes'),
    lagP99Ms: gauge(text, 'shadowfig_nodejs_eventloop_lag_p99_seconds') * 1000,
    fds: gauge(text, 'shadowfig_process_open_fds'),
    mode: candidate.mode,
    mirror: byLabel(text, 'shadowfig_mirror_total', 'outcome'),
  }
  rows.push(row)
  const m = row.mirror
  console.log([
    `${String(row.tSec).padStart(4)}s`, `sent ${row.sent}`, `answered ${row.answered}`, `errors ${row.errors}`, `in-flight ${row.inFlight}`,
    `rss ${(row.rssBytes / MiB).toFixed(1)} MiB`, `heap ${(row.heapBytes / MiB).toFixed(1)} MiB`, `loop p99 ${row.lagP99Ms.toFixed(1)} ms`,
    `fds ${row.fds}`, `candidate ${row.mode.padEnd(7)}`,
    `mirror sent/err/timeout/open ${m.sent ?? 0}/${m.error ?? 0}/${m.timeout ?? 0}/${m.circuit_open ?? 0}`,
  ].join('  '))
}
console.log(`soak: ${minutes} min at ${rate} req/s against ${proxyUrl} (admin ${adminUrl}); config ${file}; log ${logFile}`)
const reporter = setInterval(() => { void report().catch((err: Error) => console.log(`   scrape failed: ${err.message}`)) }, 10_000)

await new Promise((resolve) => setTimeout(resolve, durationMs))
clearInterval(flapper); clearInterval(reloader)
const drainStart = Date.now()
while ((stats.inFlight > 0 || stats.sent < schedule.total) && Date.now() - drainStart < 35_000) await new Promise((resolve) => setTimeout(resolve, 50))
clearInterval(reporter); clearInterval(ticker)
await report()

// ---- summary -------------------------------------------------------------------------------
const text = await scrape()
const rss = plateau(rows)
const lags = rows.map((r) => r.lagP99Ms).sort((a, b) => a - b)
const summary = {
  minutes, rate,
  sent: stats.sent, answered: stats.answered, lost: stats.sent - stats.answered - stats.transport,
  clientErrors: { status5xx: stats.status5xx, status4xx: stats.status4xx, transport: Object.fromEntries(transportErrors) },
  reloads: byLabel(text, 'shadowfig_config_reloads_total', 'result'),
  mirror: byLabel(text, 'shadowfig_mirror_total', 'outcome'),
  comparisons: byLabel(text, 'shadowfig_comparisons_total', 'verdict'),
  rejected: byLabel(text, 'shadowfig_rejected_total', 'reason'),
  rssMiB: { first: rows[0]!.rssBytes / MiB, peak: Math.max(...rows.map((r) => r.rssBytes)) / MiB, last: rows[rows.length - 1]!.rssBytes / MiB, ...rss },
  heapMiB: { first: rows[0]!.heapBytes / MiB, peak: Math.max(...rows.map((r) => r.heapBytes)) / MiB, last: rows[rows.length - 1]!.heapBytes / MiB },
  eventLoopP99Ms: { median: lags[Math.floor(lags.length / 2)], max: lags[lags.length - 1] },
  fds: { min: Math.min(...rows.map((r) => r.fds)), max: Math.max(...rows.map((r) => r.fds)), last: rows[rows.length - 1]!.fds },
  diffsFileMiB: statSync(diffs, { throwIfNoEntry: false })?.size === undefined ? 0 : statSync(diffs).size / MiB,
}
await pool.close()
await stop(child, 40_000)
summary.clientErrors = { ...summary.clientErrors, ...(child.exitCode !== 0 ? { proxyExit: child.exitCode ?? child.signalCode } : {}) } as typeof summary.clientErrors
await candidate.close()
await primary.close()
console.log(JSON.stringify(summary, null, 2))
if (args.out) writeFileSync(args.out, JSON.stringify({ summary, rows }, null, 2) + '\n')
const pass = summary.lost === 0 && summary.answered === summary.sent && stats.status5xx + stats.transport === 0 && rss.plateaued
console.log(pass ? 'PASS: nothing lost, no client errors, RSS plateaued' : 'FAIL: see the summary above')
if (pass) rmSync(dir, { recursive: true, force: true })
else console.log(`kept ${dir} (config, proxy log, diff events)`)
process.exit(pass ? 0 : 1)
