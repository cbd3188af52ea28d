/**
 * The two pino loggers of the process:
 *  - `log`: operational lines at the configured level (per-request lines only at `debug`).
 *    pino's own `redact` censors secret headers wherever a line carries `req`, `res`,
 *    `request`, `response` or bare `headers` objects, so a careless `log.debug({ req })`
 *    cannot leak a token.
 *  - `diffs`: one NDJSON line per non-match (docs/metrics.md, "Diff events"). Always at least
 *    `info` so a quiet `--log-level error` never silences the diff stream; no pid/hostname
 *    bindings so the line has exactly the documented shape. Written to stdout, or to
 *    `diffsFile` (appended, asynchronous sonic-boom destination, parent directory created).
 * `flush()` drains both before a graceful exit; `close()` also releases the file descriptor.
 */
import { pino, type DestinationStream, type Logger } from 'pino'
import { REDACTED, secretHeaderNames } from './redact.js'

export interface LoggerOptions {
  level: string
  /** NDJSON file for diff events; stdout when absent. */
  diffsFile?: string
  /** Extra header names to censor in log lines (from config). */
  redactHeaders?: readonly string[]
  /** Where `log` writes instead of stdout (tests, embedding). */
  logStream?: DestinationStream
}

export interface Loggers {
  log: Logger
  diffs: Logger
  flush (): Promise<void>
  close (): Promise<void>
}

const HOLDERS = ['req', 'res', 'request', 'response', '*.req', '*.res', '*.request', '*.response']

/** pino redact paths for every secret header under every object that usually holds headers. */
export function logRedactPaths (extra: readonly string[] = []): string[] {
  const out: string[] = []
  for (const name of secretHeaderNames(extra)) {
    const key = /^[A-Za-z_$][\w$]*$/.test(name) ? `.${name}` : `[${JSON.stringify(name)}]`
    out.push(`headers${key}`)
    for (const holder of HOLDERS) out.push(`${holder}.headers${key}`)
  }
  return out
}

export function createLoggers (opts: LoggerOptions): Loggers {
  const log = pino({
    level: opts.level,
    redact: { paths: logRedactPaths(opts.redactHeaders), censor: REDACTED },
  }, opts.logStream ?? pino.destination({ dest: 1, sync: false }))

  const diffDest = opts.diffsFile === undefined
    ? pino.destination({ dest: 1, sync: false })
    : pino.destination({ dest: opts.diffsFile, sync: false, mkdir: true, append: true })
  const diffs = pino({ level: 'info', base: undefined }, diffDest)
  let closed = false

  // The callback gets an error once the stream is destroyed: nothing more can be written
  // then, and shutdown must not fail on it, so it resolves either way.
  const flushOne = (l: Logger): Promise<void> => new Promise((resolve) => { l.flush(() => resolve()) })
  const flush = async (): Promise<void> => { await Promise.all([flushOne(log), flushOne(diffs)]) }

  return {
    log,
    diffs,
    flush,
    async close () {
      await flush()
      // A late verdict after shutdown must be dropped, not thrown at the caller: writing to an
      // ended destination throws, a silent logger does not write.
      log.level = 'silent'
      diffs.level = 'silent'
      if (opts.diffsFile !== undefined && !closed) {
        closed = true
        await new Promise<void>((resolve) => {
          diffDest.once('close', () => resolve())
          diffDest.end()
        })
      }
    },
  }
}
