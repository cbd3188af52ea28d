/**
 * `npm run bench [-- options]`: starts the backends, runs every scenario side by side with a
 * direct run, prints a markdown table, writes bench/results/<timestamp>.json, and checks
 * bench/budget.json. With --check, exits 1 when a budget line fails (each failure printed
 * with the amount). Options: --quick, --only a,b, --repeats N, --duration SECONDS,
 * --connections N (closed loop), --pin (proxy on CPU 0, generator and backends on CPU 1),
 * --nice=N (renice every process; e.g. --nice=-5 as root on a busy shared machine), --no-nginx,
 * --rt (chrt -f 10 for backends and for peer + generator of open-loop scenarios, root),
 * --dist (run dist/cli.js, after `npm run build`), --cpu-prof DIR (profile the proxy
 * processes into DIR; summarize with bench/profile-top.ts), --baseline DIR (a twin of every
 * rotated shadowfig scenario runs DIR's build in the same seconds: an A/B of two checkouts).
 */
import { parseArgs } from 'node:util'
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { startBackendProcesses } from './targets.js'
import { nginxAvailable } from './nginx.js'
import { runScenario, runLatencyGroup, type BenchEnv } from './scenarios.js'
import { scenarioList, latencyGroups, rtFor, withBaseline } from './scenario-list.js'
import { markdownTable, measurements, floorContext, type ScenarioDef, type ScenarioResult } from './stats.js'
import { checkBudget, parseBudget } from './budget.js'

const { values: a } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    check: { type: 'boolean', default: false },
    only: { type: 'string' },
    repeats: { type: 'string' },
    duration: { type: 'string' },
    connections: { type: 'string', default: '64' },
    pin: { type: 'boolean', default: false },
    nice: { type: 'string', default: '0' },
    rt: { type: 'boolean', default: false },
    'no-nginx': { type: 'boolean', default: false },
    dist: { type: 'boolean', default: false },
    'cpu-prof': { type: 'string' },
    baseline: { type: 'string' },
  },
})

const root = fileURLToPath(new URL('..', import.meta.url))
const cliFile = a.dist ? `${root}dist/cli.js` : `${root}src/cli.ts`
const haveProxy = existsSync(cliFile)
// Cluster mode (--workers N) lives in src/cluster/; its scenarios run once that has landed.
const haveWorkers = haveProxy && existsSync(`${root}${a.dist ? 'dist/cluster/primary.js' : 'src/cluster/primary.ts'}`)
const log = (line: string): void => { process.stderr.write(line + '\n') }

const machine = {
  cpus: os.availableParallelism(),
  cpuModel: os.cpus()[0]?.model ?? 'unknown',
  node: process.version,
  loadavgStart: os.loadavg().map((x) => Math.round(x * 100) / 100),
}
log(`machine: ${machine.cpus} CPUs, ${machine.cpuModel}, node ${machine.node}, load average ${machine.loadavgStart.join(' ')}`)

// Pinning is opt-in: on a dedicated machine it makes runs repeatable; on a shared one it
// confines the proxy to the one core that other work may be using.
const pin = a.pin && machine.cpus >= 2
if (pin && a.rt) {
  // Measured: real-time FIFO threads pinned to one core never yield to each other, and the
  // proxy's start-up (tsx/esbuild loader threads) then stalls for good. Use one or the other.
  process.stderr.write('--pin and --rt do not mix (the proxy cannot start); use one of them\n')
  process.exit(1)
}
const nice = Number(a.nice)
const only = a.only?.split(',')
const nginx = !a['no-nginx'] && nginxAvailable()
if (!haveProxy) log(`${cliFile} not found: shadowfig scenarios skipped`)
const chosen = scenarioList({ nginx, workers: haveWorkers })
  .filter((s) => !only || only.includes(s.name))
  .filter((s) => s.peer === 'nginx' || haveProxy)
const list = a.baseline ? withBaseline(chosen, path.resolve(a.baseline)) : chosen
// Real-time backends only when every scenario of the run is a light one: measured, RT
// backends serving the large-body and saturation runs held both cores at ~90% for minutes.
const backendCpus = { nice, rt: a.rt && list.every((s) => rtFor(s, { rt: true })), cpus: pin ? '1' : undefined }
const backends = await startBackendProcesses(backendCpus)
const results: ScenarioResult[] = []
let exitCode = 0
mkdirSync(new URL('./results/', import.meta.url), { recursive: true })
const file = new URL(`./results/${new Date().toISOString().replace(/[:.]/g, '-')}.json`, import.meta.url)
// Saved after every scenario too, so a run that is killed half-way keeps what it measured.
const save = (budget?: unknown): void => {
  writeFileSync(file, JSON.stringify({ machine: { ...machine, loadavgEnd: os.loadavg() }, options: a, results, budget }, null, 2))
}
try {
  const env: BenchEnv = {
    upstreams: backends.upstreams,
    durationMs: Number(a.duration ?? (a.quick ? 1.5 : 2.5)) * 1000,
    warmupMs: a.quick ? 1000 : 3000,
    closedWarmupMs: a.quick ? 300 : 500,
    // Five: the p99 of a 2.5 s run rests on its 25 slowest requests, and single runs on this
    // shared box moved by ±0.5 ms (bench/README.md, "Noise on a shared machine"): a median of
    // five is steadier than of three.
    repeats: Number(a.repeats ?? (a.quick ? 1 : 5)),
    pin,
    nice,
    rt: a.rt,
    entry: a.dist ? 'dist' : 'src',
    closedConnections: Number(a.connections),
    cpuProfDir: a['cpu-prof'],
    log,
  }
  const groups = latencyGroups(list)
  const measured = new Set<ScenarioDef>()
  for (const def of list) {
    if (measured.has(def)) continue
    const group = groups.find((g) => g.includes(def)) ?? [def]
    for (const d of group) { measured.add(d); log(`${d.name}: ${d.description}`) }
    try {
      results.push(...groups.includes(group) ? await runLatencyGroup(group, env) : [await runScenario(def, env)])
      save()
    } catch (err) {
      log(`  ${group.map((d) => d.name).join(', ')} failed: ${(err as Error).message}`)
    }
  }
} finally {
  await backends.stop()
}

const budget = parseBudget(JSON.parse(readFileSync(new URL('./budget.json', import.meta.url), 'utf8')))
const verdict = checkBudget(budget, measurements(results))
process.stdout.write(`\n${markdownTable(results)}\n\nBudget (bench/budget.json):\n`)
for (const l of verdict.lines) process.stdout.write(`  ${l.ok ? 'ok  ' : 'FAIL'} ${l.message}\n`)
const context = floorContext(results)
if (context) process.stdout.write(`  (${context})\n`)

save(verdict)
log(`\nresults: ${fileURLToPath(file)}`)
if (a.check && !verdict.ok) exitCode = 1
process.exitCode = exitCode
