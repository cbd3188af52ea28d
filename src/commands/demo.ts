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
import { parseArgs } from 'node:util'
import { startDemo, type DemoStack } from '../demo/stack.js'
import { formatSummary, startSummary, type SummaryOutput } from '../demo/summary.js'
import { Traffic } from '../demo/traffic.js'

export const DIFFS_FILE = join(tmpdir(), 'shadowfig-demo', 'diffs.ndjson')

const USAGE = `Usage: shadowfig demo [--duration SECONDS] [--port N] [--admin-port N] [--rate N] [--no-traffic] [--diffs FILE]

  --duration SECONDS  stop after this long (default: run until Ctrl-C)
  --port N            proxy port (default 8080; 0 = any free port)
  --admin-port N      admin port: report, API, metrics (default 9901; 0 = any free port)
  --rate N            demo requests per second (default 20)
  --no-traffic        send no traffic: drive the proxy yourself (curl, a browser, wrk)
  --diffs FILE        diff events of this run, one NDJSON line per non-match (emptied at start;
                      default ${DIFFS_FILE})`

interface DemoArgs { duration?: number, port?: number, adminPort?: number, rate: number, traffic: boolean, diffs: string }

/** Parsed options, or an error message for the user. */
export function parseDemoArgs (args: string[]): DemoArgs | { help: true } | { error: string } {
  let values
  try {
    ({ values } = parseArgs({
      args,
      options: {
        duration: { type: 'string' },
        port: { type: 'string' },
        'admin-port': { type: 'string' },
        rate: { type: 'string' },
        'no-traffic': { type: 'boolean' },
        diffs: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: false,
    }))
  } catch (err) {
    return { error: (err as Error).message }
  }
  if (values.help === true) return { help: true }
  const num = (v: string | undefined, name: string, ok: (n: number) => boolean, what: string): number | undefined | string => {
    if (v === undefined) return undefined
    const n = Number(v)
    return v.trim() !== '' && ok(n) ? n : `${name} takes ${what} (found "${v}")`
  }
  const duration = num(values.duration, '--duration', (n) => n > 0 && Number.isFinite(n), 'a number of seconds above 0')
  const port = num(values.port, '--port', isPort, 'a port number 0..65535')
  const adminPort = num(values['admin-port'], '--admin-port', isPort, 'a port number 0..65535')
  const rate = num(values.rate, '--rate', (n) => n > 0 && n <= 10_000, 'requests per second, above 0 and at most 10000')
  for (const v of [duration, port, adminPort, rate]) if (typeof v === 'string') return { error: v }
  return {
    duration: duration as number | undefined,
    port: port as number | undefined,
    adminPort: adminPort as number | undefined,
    rate: (rate as number | undefined) ?? 20,
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
  request_id differs on every call of every service: once the secondary has shown that
  (50 user requests, about 10 s), it is reported as noise instead of a mismatch.
  ${o.traffic ? `Sending ${o.rate} requests/s through the proxy.` : 'No traffic (--no-traffic): send your own requests to the proxy.'} ${o.duration !== undefined ? `Stopping after ${o.duration} s.` : 'Ctrl-C to stop.'}
`
}

type SignalSource = Pick<NodeJS.EventEmitter, 'on' | 'off'>

/** Where the demo writes and which signals stop it: the process's own unless a caller embeds it. */
export interface DemoIO { out: SummaryOutput, err: { write (s: string): unknown }, signals: SignalSource }

export async function main (args: string[], io: DemoIO = { out: process.stdout, err: process.stderr, signals: process }): Promise<number> {
  const { out, err: errOut } = io
  const parsed = parseDemoArgs(args)
  if ('help' in parsed) { out.write(USAGE + '\n'); return 0 }
  if ('error' in parsed) { errOut.write(`shadowfig demo: ${parsed.error}\n\n${USAGE}\n`); return 1 }

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
