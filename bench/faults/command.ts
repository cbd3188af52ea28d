/**
 * `npm run bench -- --faults`: runs the fault matrix (matrix.ts), prints its table and goal
 * lines, and writes bench/results/faults-<timestamp>.json (machine, commit, options, every
 * phase's raw figures and the rows). Exit code 1 only with `--check` and a failed goal.
 */
import { execFileSync } from 'node:child_process'
import { mkdirSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import { fileURLToPath } from 'node:url'
import { runFaultMatrix, type FaultMatrixOptions } from './matrix.js'
import { faultRows, faultTable, goalFailures } from './report.js'

/** Short hash of the checkout's HEAD, `+dirty` when it has uncommitted changes; `unknown` outside git. */
export function commitOf (dir: string): string {
  try {
    const hash = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: dir, encoding: 'utf8' }).trim()
    const dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], { cwd: dir, encoding: 'utf8' }).trim() !== ''
    return dirty ? `${hash}+dirty` : hash
  } catch { return 'unknown' }
}

export interface FaultsRun extends FaultMatrixOptions {
  check: boolean
  /** Where the JSON goes (a directory). */
  resultsDir: URL
  out: { write (s: string): unknown }
}

export async function faultsMain (o: FaultsRun): Promise<number> {
  const root = fileURLToPath(new URL('../..', import.meta.url))
  const started = new Date()
  const machine = { cpus: os.availableParallelism(), cpuModel: os.cpus()[0]?.model ?? 'unknown', memGiB: Math.round(os.totalmem() / 2 ** 30), node: process.version, loadavgStart: os.loadavg() }
  const commit = commitOf(root)
  o.log(`fault matrix: ${o.rate} req/s (half to the healthy route), ${o.durationMs / 1000} s recorded per phase after ${o.warmupMs / 1000} s, commit ${commit}`)
  const phases = await runFaultMatrix(o)
  const rows = faultRows(phases)
  const failures = goalFailures(rows)
  o.out.write(`\n${faultTable(rows)}\n\nGoals (against the better \`none\` phase of the same run): ${failures.length ? '' : 'every goal held'}\n`)
  for (const f of failures) o.out.write(`  FAIL ${f}\n`)
  mkdirSync(o.resultsDir, { recursive: true })
  const file = new URL(`faults-${started.toISOString().replace(/[:.]/g, '-')}.json`, o.resultsDir)
  const options = { faults: o.faults, rate: o.rate, durationMs: o.durationMs, warmupMs: o.warmupMs, entry: o.entry }
  writeFileSync(file, JSON.stringify({ started: started.toISOString(), commit, machine: { ...machine, loadavgEnd: os.loadavg() }, options, rows, phases, failures }, null, 2))
  o.log(`\nresults: ${fileURLToPath(file)}`)
  return o.check && failures.length ? 1 : 0
}
