/**
 * `shadowfig replay CAPTURE... --config FILE [--rate N] [--concurrency N] [--allow-writes]
 *  [--header 'name: value']... [--max-skipped SHARE] [--json]`
 *
 * Re-sends recorded requests (NDJSON captures written by a route's `record:`) to each route's
 * primary and candidate, compares them with the same comparison engine the proxy uses, and
 * prints a per-route report (a table, or JSON with `--json`). Meant for CI: point it at a
 * fixed capture and a candidate build.
 *
 * Exit codes (docs/operations.md, "Replaying captures in CI"): 0 no unexplained mismatches;
 * 1 unexplained mismatches remain (verdict `mismatch` or `candidate_error`), more skipped
 * exchanges than `--max-skipped` allows, or bad input (usage, config, a capture line that is
 * not a record: reported as `file:line`); 2 runtime failure, including a replay that could
 * compare nothing (a gate must not pass on no evidence). The skipped share and its reasons
 * are printed on every run. Progress goes to stderr: a bar on a TTY, a plain line every `--progress-every`
 * records otherwise.
 */
import { existsSync } from 'node:fs'
import { dirname, resolve } from 'node:path'
import { createCompareEngine } from '../compare/engine.js'
import type { Config } from '../config/schema.js'
import { CaptureFormatError, ConfigError, UsageError } from '../errors.js'
import { defineCommand, runCommand, type CommandLine } from './command-line.js'
import { loadReplayConfig } from '../replay/config.js'
import { createProgress } from '../replay/progress.js'
import { countRecords } from '../replay/reader.js'
import { routeSpecs, runReplay, type Comparer } from '../replay/runner.js'
import type { HeaderMap } from '../http/headers.js'

export interface ReplayIO {
  stdout: { write (s: string): unknown }
  stderr: { write (s: string): unknown, isTTY?: boolean }
  env: Record<string, string | undefined>
}

/** Seams for tests and embedding; the defaults are the real loader and engine. */
export interface ReplayDeps {
  loadConfig (file: string): Promise<Config>
  createComparer (config: Config, configDir: string, concurrency: number): Promise<Comparer & { close (): Promise<void> }>
}

const REPLAY = defineCommand({
  name: 'shadowfig replay',
  synopsis: ['CAPTURE... --config FILE [options]'],
  summary: 'Re-send recorded requests (NDJSON captures) to each route\'s primary and candidate, compare them and print a per-route report.',
  positionals: true,
  options: {
    config: { type: 'string', short: 'c', value: 'FILE', help: 'the config whose routes and upstreams to replay against (default $SHADOWFIG_CONFIG)' },
    rate: { type: 'string', value: 'N', help: 'start at most N records per second (default: as fast as the concurrency allows)' },
    concurrency: { type: 'string', value: 'N', help: 'records in flight (default 8)' },
    'allow-writes': { type: 'boolean', default: false, help: 'also replay POST/PUT/PATCH/DELETE; otherwise they are reported as skipped' },
    header: { type: 'string', short: 'H', multiple: true, value: '"name: value"', help: 'add a header to every replayed request, e.g. a CI credential (repeatable)' },
    json: { type: 'boolean', default: false, help: 'print the report as JSON instead of a table' },
    'max-skipped': { type: 'string', value: 'SHARE', help: 'fail (exit 1) when more than this share of records is skipped, e.g. 5% or 0.05 (default 0)' },
    'progress-every': { type: 'string', value: 'N', help: 'a plain progress line every N records when stderr is not a TTY (default 100)' },
  },
  notes: 'Exit codes: 0 no unexplained mismatches; 1 unexplained mismatches (mismatch or candidate_error), too many skipped or bad input; 2 runtime failure or nothing compared.',
})

interface Options {
  files: string[]
  config: string
  rate: number
  concurrency: number
  allowWrites: boolean
  json: boolean
  headers: HeaderMap
  progressEvery: number
  maxSkipped: number
}

const defaultDeps: ReplayDeps = {
  loadConfig: loadReplayConfig,
  async createComparer (config, configDir, concurrency) {
    // Bounded queue sized to the replay's own concurrency: nothing may come back `saturated`.
    // decide 'end': noise is learnt over the whole capture before any exchange is judged.
    const engine = createCompareEngine({ maxQueue: concurrency * 2, decide: 'end' })
    await engine.setRoutes(routeSpecs(config), configDir)
    return engine
  },
}

export async function main (args: string[], io: ReplayIO = { stdout: process.stdout, stderr: process.stderr, env: process.env }, deps: ReplayDeps = defaultDeps): Promise<number> {
  return runCommand(REPLAY, args, io, async (line) => run(options(line, io.env), io, deps))
}

async function run (opts: Options, io: ReplayIO, deps: ReplayDeps): Promise<number> {
  let config: Config
  try {
    config = await deps.loadConfig(opts.config)
  } catch (err) {
    io.stderr.write(`shadowfig replay: ${err instanceof ConfigError ? 'invalid config\n' : ''}${(err as Error).message}\n`)
    return 1
  }
  let comparer: Comparer & { close (): Promise<void> }
  try {
    comparer = await deps.createComparer(config, dirname(resolve(opts.config)), opts.concurrency)
  } catch (err) {
    return runtimeFailure(io, err)
  }
  let code: number
  try {
    code = await replay(opts, config, comparer, io)
  } catch (err) {
    code = err instanceof CaptureFormatError ? badInput(io, `bad capture record at ${err.message}`) : runtimeFailure(io, err)
  }
  await comparer.close()
  return code
}

async function replay (opts: Options, config: Config, comparer: Comparer, io: ReplayIO): Promise<number> {
  const progress = createProgress(io.stderr, await countRecords(opts.files), opts.progressEvery)
  const report = await runReplay({
    config,
    files: opts.files,
    comparer,
    rate: opts.rate,
    concurrency: opts.concurrency,
    allowWrites: opts.allowWrites,
    headers: opts.headers,
    onOutcome: (_o, r) => progress.tick(r.unexplained),
  })
  progress.done()
  io.stdout.write(opts.json ? JSON.stringify(report.toJSON(), null, 2) + '\n' : report.formatText())
  if (opts.json) io.stderr.write(report.skippedLine() + '\n')
  if (report.compared === 0) {
    io.stderr.write(`shadowfig replay: nothing was compared (${report.skippedLine()}): no evidence to pass on\n`)
    return 2
  }
  if (report.skippedShare > opts.maxSkipped) {
    io.stderr.write(`shadowfig replay: ${(report.skippedShare * 100).toFixed(1)}% skipped, more than --max-skipped ${(opts.maxSkipped * 100).toFixed(1)}%\n`)
    return 1
  }
  return report.unexplained > 0 ? 1 : 0
}

function badInput (io: ReplayIO, message: string): 1 {
  io.stderr.write(`\nshadowfig replay: ${message}\n`)
  return 1
}

function runtimeFailure (io: ReplayIO, err: unknown): 2 {
  io.stderr.write(`\nshadowfig replay: ${err instanceof Error ? err.stack : String(err)}\n`)
  return 2
}

/** `5%` or `0.05`, between 0 and 1. */
function share (text: string | undefined): number {
  if (text === undefined) return 0
  const n = text.endsWith('%') ? Number(text.slice(0, -1)) / 100 : Number(text)
  if (text.trim() === '' || !Number.isFinite(n) || n < 0 || n > 1) throw new UsageError(`--max-skipped must be a share between 0 and 1 or 0% and 100%, got ${JSON.stringify(text)}`)
  return n
}

function positiveNumber (name: string, text: string | undefined, fallback: number, integer: boolean): number {
  if (text === undefined) return fallback
  const n = Number(text)
  if (!Number.isFinite(n) || n <= 0 || (integer && !Number.isInteger(n))) throw new UsageError(`--${name} must be a positive ${integer ? 'integer' : 'number'}, got ${JSON.stringify(text)}`)
  return n
}

/** The checks parseArgs cannot make; each failure is a UsageError (one line, exit 1). */
function options ({ values, positionals }: CommandLine<typeof REPLAY.options, true>, env: Record<string, string | undefined>): Options {
  if (positionals.length === 0) throw new UsageError('no CAPTURE file given')
  for (const f of positionals) if (!existsSync(f)) throw new UsageError(`capture file ${f} does not exist`)
  const config = values.config ?? env.SHADOWFIG_CONFIG
  if (!config) throw new UsageError('--config FILE is required (or set SHADOWFIG_CONFIG)')
  const headers: HeaderMap = {}
  for (const h of values.header ?? []) {
    const i = h.indexOf(':')
    if (i <= 0) throw new UsageError(`--header wants "name: value", got ${JSON.stringify(h)}`)
    headers[h.slice(0, i).trim().toLowerCase()] = h.slice(i + 1).trim()
  }
  return {
    files: positionals,
    config,
    rate: positiveNumber('rate', values.rate, 0, false),
    concurrency: positiveNumber('concurrency', values.concurrency, 8, true),
    allowWrites: values['allow-writes'],
    json: values.json,
    headers,
    progressEvery: positiveNumber('progress-every', values['progress-every'], 100, true),
    maxSkipped: share(values['max-skipped']),
  }
}
