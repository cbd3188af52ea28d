/**
 * `npm run bench [-- options]`: starts the backends, runs every scenario side by side with a
 * direct run, prints a markdown table, writes bench/results/<timestamp>.json, and checks
 * bench/budget.json. The options and what they do are in BENCH below (`npm run bench -- --help`).
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { startBackendProcesses } from './targets.js'
import { nginxAvailable } from './nginx.js'
import { runScenario, runLatencyGroup, type BenchEnv } from './scenarios.js'
import { scenarioList, latencyGroups, rtFor, withBaseline, resolveRate } from './scenario-list.js'
import { markdownTable, measurements, floorContext, type ScenarioDef, type ScenarioResult } from './stats.js'
import { checkBudget, lineMark, parseBudget } from './budget.js'
import { entryFor } from './build.js'
import { defineCommand, readCommandLine } from '../src/commands/command-line.js'
import { faultsMain } from './faults/command.js'
import { soakMain } from './faults/soak.js'

const BENCH = defineCommand({
  name: 'npm run bench --',
  synopsis: ['[options]'],
  summary: 'Start the backends, run every scenario side by side with a direct run, print a markdown table, write bench/results/<timestamp>.json and check bench/budget.json.',
  positionals: false,
  options: {
    quick: { type: 'boolean', default: false, help: '1 repeat and shorter runs: a smoke test, its numbers are one noisy repeat' },
    check: { type: 'boolean', default: false, help: 'exit 1 when a budget line fails (each failure printed with the amount)' },
    only: { type: 'string', value: 'a,b', help: 'run only the named scenarios' },
    repeats: { type: 'string', value: 'N', help: 'repeats per scenario (default 5; 1 with --quick)' },
    duration: { type: 'string', value: 'SECONDS', help: 'measured seconds per repeat (default 2.5; 1.5 with --quick)' },
    connections: { type: 'string', default: '64', value: 'N', help: 'connections of the closed-loop scenarios (default 64)' },
    pin: { type: 'boolean', default: false, help: 'proxy on CPU 0, generator and backends on CPU 1' },
    nice: { type: 'string', default: '0', value: 'N', help: 'renice every process, e.g. --nice=-5 as root on a busy shared machine' },
    rt: { type: 'boolean', default: false, help: 'chrt -f 10 for backends and the peer and generator of open-loop scenarios (root)' },
    'no-nginx': { type: 'boolean', default: false, help: 'skip the nginx scenarios even when nginx is installed' },
    src: { type: 'boolean', default: false, help: 'run src/cli.ts under tsx instead of the production build (dist/cli.js, compiled first)' },
    'cpu-prof': { type: 'string', value: 'DIR', help: 'profile the proxy processes into DIR (summarize with bench/profile-top.ts)' },
    baseline: { type: 'string', value: 'DIR', help: 'a twin of every rotated shadowfig scenario runs DIR\'s build in the same seconds (A/B of two checkouts)' },
    faults: { type: 'boolean', default: false, help: 'the fault matrix instead of the scenarios: a healthy route beside each fault (--only names faults, --duration is per fault: default 20 s, 5 with --quick)' },
    soak: { type: 'boolean', default: false, help: 'the soak instead of the scenarios: steady load, every fault in turn, for --minutes' },
    rate: { type: 'string', default: '200', value: 'N', help: 'requests per second of --faults and --soak, both routes together (default 200)' },
    minutes: { type: 'string', default: '10', value: 'N', help: 'length of --soak (default 10)' },
  },
  notes: 'See bench/README.md for the scenarios and the budget.',
})

const line = readCommandLine(BENCH, process.argv.slice(2), process)
if (typeof line === 'number') process.exit(line)
const a = line.values

const root = fileURLToPath(new URL('..', import.meta.url))
const entry = entryFor(a.src)
const cliFile = entry === 'dist' ? `${root}dist/cli.js` : `${root}src/cli.ts`
const haveProxy = existsSync(cliFile)
// Cluster mode (--workers N) lives in src/cluster/; its scenarios run once that has landed.
const haveWorkers = haveProxy && existsSync(`${root}${entry === 'dist' ? 'dist/cluster/primary.js' : 'src/cluster/primary.ts'}`)
const log = (line: string): void => { process.stderr.write(line + '\n') }

const machine = {
  cpus: os.availableParallelism(),
  cpuModel: os.cpus()[0]?.model ?? 'unknown',
  node: process.version,
  loadavgStart: os.loadavg().map((x) => Math.round(x * 100) / 100),
}
log(`machine: ${machine.cpus} CPUs, ${machine.cpuModel}, node ${machine.node}, load average ${machine.loadavgStart.join(' ')}`)

if (a.faults || a.soak) {
  const common = {
    faults: a.only?.split(','),
    rate: Number(a.rate),
    warmupMs: a.quick ? 1000 : 2000,
    entry,
    where: { nice: Number(a.nice) },
    check: a.check,
    resultsDir: new URL('./results/', import.meta.url),
    out: process.stdout,
    log,
  }
  process.exit(a.faults
    ? await faultsMain({ ...common, durationMs: Number(a.duration ?? (a.quick ? 5 : 20)) * 1000 })
    : await soakMain({ ...common, minutes: Number(a.minutes) }))
}

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
    entry,
    closedConnections: Number(a.connections),
    cpuProfDir: a['cpu-prof'],
    log,
  }
  const groups = latencyGroups(list)
  const measured = new Set<ScenarioDef>()
  for (const def of list) {
    if (measured.has(def)) continue
    const resolved = resolveRate(def, results)
    if (!resolved) { log(`${def.name}: skipped, ${def.rateOf?.scenario} was not measured before it`); continue }
    const group = groups.find((g) => g.includes(def)) ?? [def]
    for (const d of group) { measured.add(d); log(`${d.name}: ${d.description}${d === def && resolved.rateOf ? ` (${resolved.rate} req/s)` : ''}`) }
    try {
      results.push(...groups.includes(group) ? await runLatencyGroup(group, env) : [await runScenario(resolved, env)])
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
for (const l of verdict.lines) process.stdout.write(`  ${lineMark(l)} ${l.message}\n`)
const context = floorContext(results)
if (context) process.stdout.write(`  (${context})\n`)

save(verdict)
log(`\nresults: ${fileURLToPath(file)}`)
if (a.check && !verdict.ok) exitCode = 1
process.exitCode = exitCode
