/**
 * `shadowfig demo [--duration S] [--port N] [--admin-port N] [--rate N] [--no-traffic] [--diffs FILE]`
 *
 * Starts the demo stack (monolith, secondary, candidate, shadowfig on config/demo.yaml),
 * prints where to look, drives light traffic and keeps a one-line summary up to date. Runs
 * until SIGINT/SIGTERM, or for `--duration` seconds; either way it shuts down cleanly and
 * returns 0. Exit 1 on bad options, 2 when the demo cannot start (e.g. a port in use).
 */
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startDemo, type DemoStack } from '../demo/stack.js'
import { formatSummary, startSummary, type SummaryOutput } from '../demo/summary.js'
import { Traffic } from '../demo/traffic.js'
import { UsageError } from '../errors.js'
import { defineCommand, parseCommandLine, runCommand, type CommandLine } from './command-line.js'

export const DIFFS_FILE = join(tmpdir(), 'shadowfig-demo', 'diffs.ndjson')

const DEMO = defineCommand({
  name: 'shadowfig demo',
  synopsis: ['[options]'],
  summary: 'Start a demo monolith, a second copy of it, a candidate with a few realistic bugs and shadowfig in front, send traffic and keep a summary line up to date.',
  positionals: false,
  options: {
    duration: { type: 'string', value: 'SECONDS', help: 'stop after this long (default: run until Ctrl-C)' },
    port: { type: 'string', value: 'N', help: 'proxy port (default 8080; 0 = any free port)' },
    'admin-port': { type: 'string', value: 'N', help: 'admin port: report, API, metrics (default 9901; 0 = any free port)' },
    rate: { type: 'string', value: 'N', help: 'demo requests per second (default 20)' },
    'no-traffic': { type: 'boolean', help: 'send no traffic: drive the proxy yourself (curl, a browser, wrk)' },
    diffs: { type: 'string', value: 'FILE', help: `diff events of this run, one NDJSON line per non-match, emptied at start (default ${DIFFS_FILE})` },
  },
  notes: 'Exit codes: 0 stopped cleanly (signal or --duration); 1 bad options; 2 the demo could not start (e.g. a port in use).',
})

interface DemoArgs { duration?: number, port?: number, adminPort?: number, rate: number, traffic: boolean, diffs: string }

/** The demo's settings from a command line; a value it cannot use is a UsageError. */
export function parseDemoArgs (args: string[]): DemoArgs {
  return demoArgs(parseCommandLine(DEMO, args))
}

function demoArgs ({ values }: CommandLine<typeof DEMO.options, false>): DemoArgs {
  const num = (v: string | undefined, name: string, ok: (n: number) => boolean, what: string): number | undefined => {
    if (v === undefined) return undefined
    const n = Number(v)
    if (v.trim() !== '' && ok(n)) return n
    throw new UsageError(`${name} takes ${what} (found "${v}")`)
  }
  return {
    duration: num(values.duration, '--duration', (n) => n > 0 && Number.isFinite(n), 'a number of seconds above 0'),
    port: num(values.port, '--port', isPort, 'a port number 0..65535'),
    adminPort: num(values['admin-port'], '--admin-port', isPort, 'a port number 0..65535'),
    rate: num(values.rate, '--rate', (n) => n > 0 && n <= 10_000, 'requests per second, above 0 and at most 10000') ?? 20,
    traffic: values['no-traffic'] !== true,
    diffs: values.diffs ?? DIFFS_FILE,
  }
}

function isPort (n: number): boolean {
  return Number.isInteger(n) && n >= 0 && n <= 65535
}

export function intro (stack: DemoStack, o: DemoArgs): string {
  const { urls, backends } = stack
  return `shadowfig demo — shadow traffic from a monolith to a candidate, compared field by field

  report (open me)  ${urls.report}
  report as JSON    ${urls.apiReport}
  metrics           ${urls.metrics}
  proxy             ${urls.proxy}   e.g. curl ${urls.proxy}/api/v1/orders/12
  diff events       ${o.diffs}

  monolith ${backends.monolith.url} · secondary ${backends.secondary.url} · candidate ${backends.candidate.url}
  The candidate has a rounding bug on discounted totals, a renamed field, reordered arrays,
  and fails 2% of requests; the config ignores timestamps and matches arrays by id.
  request_id differs on every call of every service: the secondary answers each user request
  too and differs there as well, so it is reported as noise from the first request.
  ${o.traffic ? `Sending ${o.rate} requests/s through the proxy.` : 'No traffic (--no-traffic): send your own requests to the proxy.'} ${o.duration !== undefined ? `Stopping after ${o.duration} s.` : 'Ctrl-C to stop.'}
`
}

type SignalSource = Pick<NodeJS.EventEmitter, 'on' | 'off'>

/** Where the demo writes and which signals stop it: the process's own unless a caller embeds it. */
export interface DemoIO { out: SummaryOutput, err: { write (s: string): unknown }, signals: SignalSource }

export async function main (args: string[], io: DemoIO = { out: process.stdout, err: process.stderr, signals: process }): Promise<number> {
  return runCommand(DEMO, args, { stdout: io.out, stderr: io.err }, async (line) => demo(demoArgs(line), io))
}

async function demo (parsed: DemoArgs, io: DemoIO): Promise<number> {
  const { out, err: errOut } = io
  let stack: DemoStack
  try {
    stack = await startDemo({ port: parsed.port, adminPort: parsed.adminPort, diffsFile: parsed.diffs })
  } catch (err) {
    // A ConfigError's message already lists every config error, one per line.
    const why = (err as Error).message
    const hint = (err as NodeJS.ErrnoException).code === 'EADDRINUSE' ? '\n(a port is taken: try --port 0 --admin-port 0)' : ''
    errOut.write(`shadowfig demo: cannot start: ${why}${hint}\n`)
    return 2
  }
  out.write(intro(stack, parsed) + '\n')

  const traffic = parsed.traffic ? new Traffic({ target: stack.urls.proxy, rate: parsed.rate }) : undefined
  traffic?.start()
  const stopSummary = startSummary({ out, line: () => formatSummary(stack.app.reporter.report(), traffic?.stats, (r) => stack.app.engine.noisyPaths(r)) })

  const reason = await waitForStop(io.signals, parsed.duration)
  await traffic?.stop()
  stopSummary()
  await stack.close()
  out.write(`demo stopped (${reason}). Diff events of this run: ${parsed.diffs}\n`)
  return 0
}

/** Resolves with what ended the demo: a signal, or the end of `--duration`. */
function waitForStop (signals: SignalSource, seconds: number | undefined): Promise<string> {
  return new Promise((resolve) => {
    let timer: NodeJS.Timeout | undefined
    // After the first signal the handlers are gone: a second Ctrl-C during shutdown stops hard.
    const done = (why: string): void => {
      clearTimeout(timer)
      signals.off('SIGINT', done)
      signals.off('SIGTERM', done)
      resolve(why)
    }
    signals.on('SIGINT', done)
    signals.on('SIGTERM', done)
    if (seconds !== undefined) timer = setTimeout(() => done('duration'), seconds * 1000)
  })
}
