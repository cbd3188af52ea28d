/**
 * Load generator. Two modes over one undici `Pool` (keep-alive, pipelining 1):
 *  - `open`: requests leave on a fixed schedule (see schedule.ts) whatever the server does;
 *    latency runs from each request's *scheduled* send time, so stalls are charged in full
 *    (no coordinated omission). The pool is sized so the schedule is never short of sockets;
 *    when it is anyway, undici queues the request and its queueing time is still counted.
 *    A pacer thread (pacer.ts) wakes the loop when sends are due: Node's own timers have a
 *    millisecond tick, and the generator's lateness is part of every latency it reports
 *    (`sendLatenessMs` says how late it was).
 *  - `closed`: `connections` loops, each sending its next request when the last completes;
 *    latency from the actual send. Used for the saturation (max throughput) figure.
 * Latency is taken with process.hrtime.bigint and recorded in microseconds in an HDR
 * histogram (3 significant digits). Only requests scheduled after the warm-up are recorded.
 *
 * Run it in its own process (`spawnLoadgen`) so it never shares an event loop with the
 * proxy or the backends: `node --import tsx bench/loadgen.ts '<LoadOptions JSON>'` prints one
 * JSON `LoadResult` line on stdout.
 */
import { extname } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Worker } from 'node:worker_threads'
import { Pool, type Dispatcher } from 'undici'
import hdr from 'hdr-histogram-js'
import { startEntryThread } from '../src/compare/thread-pool.js'
import { makeSchedule, dueCount, offsetNs, type Schedule } from './schedule.js'

export interface LoadOptions {
  /** Full URL of the target, e.g. http://127.0.0.1:8080/json/2048. */
  url: string
  mode: 'open' | 'closed'
  /** Requests per second (open mode only). */
  rate?: number
  /** Pool size (open) or number of concurrent loops (closed). */
  connections: number
  durationMs: number
  warmupMs: number
  /** Per-request headers and body timeout; default 10 s. */
  timeoutMs?: number
}

/** Milliseconds, microsecond resolution. */
export interface LatencySummary {
  p50: number
  p90: number
  p99: number
  p999: number
  max: number
  mean: number
}

export interface LoadResult {
  mode: 'open' | 'closed'
  url: string
  rate: number | null
  connections: number
  durationMs: number
  /** Every request sent, warm-up included (for CPU cost per request). */
  sentTotal: number
  /** Recorded (post-warm-up) requests sent, completed with 2xx/3xx, and failed. */
  sent: number
  completed: number
  errors: number
  /** Failure counts by error code or `status_<n>`. */
  errorKinds: Record<string, number>
  /** Completed recorded requests per second of measured window. */
  achievedRate: number
  latencyMs: LatencySummary
  /**
   * Open loop: how late the generator itself sent the recorded requests (send − scheduled
   * instant), already included in `latencyMs`; null in closed mode.
   */
  sendLatenessMs: LatencySummary | null
  /** Most requests outstanding at once (open mode: must stay below `connections`). */
  maxInFlight: number
  /** Mean response body size seen, in bytes. */
  bytesPerResponse: number
}

/** µs histogram, 3 significant digits, up to 120 s. */
const histogram = (): hdr.Histogram => hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 120_000_000, numberOfSignificantValueDigits: 3, useWebAssembly: false })

/** The state of one run that every in-flight request reports back to. */
class Run {
  readonly hist = histogram()
  /** Open loop: send − scheduled instant of recorded requests, µs. */
  readonly lateness = histogram()
  readonly errorKinds: Record<string, number> = {}
  sentTotal = 0
  sent = 0
  completed = 0
  errors = 0
  bytes = 0
  responses = 0
  inFlight = 0
  maxInFlight = 0
  lastEndNs = 0n
  private idle: (() => void) | undefined

  constructor (readonly pool: Pool, readonly path: string, readonly origin: string) {}

  send (scheduledNs: bigint, recorded: boolean, then?: () => void): void {
    this.sentTotal++
    if (recorded) this.sent++
    if (++this.inFlight > this.maxInFlight) this.maxInFlight = this.inFlight
    this.pool.dispatch({ origin: this.origin, path: this.path, method: 'GET' }, new Request(this, scheduledNs, recorded, then))
  }

  finish (req: Request, failure: string | undefined): void {
    const end = process.hrtime.bigint()
    this.inFlight--
    if (req.recorded) {
      if (failure === undefined) {
        this.completed++
        this.hist.recordValue(Math.max(1, Number((end - req.scheduledNs) / 1000n)))
        if (end > this.lastEndNs) this.lastEndNs = end
      } else {
        this.errors++
        this.errorKinds[failure] = (this.errorKinds[failure] ?? 0) + 1
      }
    }
    req.then?.()
    if (this.inFlight === 0 && this.idle) this.idle()
  }

  /** Resolves once nothing is in flight. */
  drained (): Promise<void> {
    if (this.inFlight === 0) return Promise.resolve()
    return new Promise((resolve) => { this.idle = resolve })
  }
}

/** One request: a handler object rather than closures, so the generator itself stays cheap. */
class Request implements Dispatcher.DispatchHandler {
  status = 0
  constructor (readonly run: Run, readonly scheduledNs: bigint, readonly recorded: boolean, readonly then: (() => void) | undefined) {}
  onRequestStart (): void {}
  onResponseStart (_c: Dispatcher.DispatchController, status: number): void { this.status = status }
  onResponseData (_c: Dispatcher.DispatchController, chunk: Buffer): void { this.run.bytes += chunk.length }
  onResponseEnd (): void {
    this.run.responses++
    this.run.finish(this, this.status >= 200 && this.status < 400 ? undefined : `status_${this.status}`)
  }

  onResponseError (_c: Dispatcher.DispatchController, err: Error): void {
    // Every undici and socket error carries a code (UND_ERR_*, ECONNREFUSED, HPE_*).
    this.run.finish(this, String((err as { code?: unknown }).code))
  }
}

function latencySummary (h: hdr.Histogram): LatencySummary {
  const ms = (us: number): number => Math.round(us) / 1000
  const empty = h.totalCount === 0
  return {
    p50: empty ? 0 : ms(h.getValueAtPercentile(50)),
    p90: empty ? 0 : ms(h.getValueAtPercentile(90)),
    p99: empty ? 0 : ms(h.getValueAtPercentile(99)),
    p999: empty ? 0 : ms(h.getValueAtPercentile(99.9)),
    max: empty ? 0 : ms(h.maxValue),
    mean: empty ? 0 : ms(h.mean),
  }
}

function summarize (run: Run, opts: LoadOptions, windowNs: number): LoadResult {
  return {
    mode: opts.mode,
    url: opts.url,
    rate: opts.mode === 'open' ? opts.rate as number : null,
    connections: opts.connections,
    durationMs: opts.durationMs,
    sentTotal: run.sentTotal,
    sent: run.sent,
    completed: run.completed,
    errors: run.errors,
    errorKinds: run.errorKinds,
    achievedRate: windowNs > 0 ? run.completed / (windowNs / 1e9) : 0,
    latencyMs: latencySummary(run.hist),
    sendLatenessMs: opts.mode === 'open' ? latencySummary(run.lateness) : null,
    maxInFlight: run.maxInFlight,
    bytesPerResponse: run.responses === 0 ? 0 : Math.round(run.bytes / run.responses),
  }
}

function openPool (opts: LoadOptions): { pool: Pool, run: Run } {
  const u = new URL(opts.url)
  const timeout = opts.timeoutMs ?? 10_000
  const pool = new Pool(u.origin, { connections: opts.connections, pipelining: 1, headersTimeout: timeout, bodyTimeout: timeout, keepAliveTimeout: 30_000 })
  return { pool, run: new Run(pool, u.pathname + u.search, u.origin) }
}

/** The pacer thread's module, started like the comparison threads (under tsx or tap's loader). */
const PACER = new URL('./pacer' + extname(fileURLToPath(import.meta.url)), import.meta.url)

export interface Pacer {
  worker: Worker
  /**
   * The schedule's start (process.hrtime.bigint()), taken once the thread has loaded: a
   * thread's start-up (tens of ms, most of a second under a test loader) is not charged as
   * lateness. Due counts arrive as messages after it resolves.
   */
  started: Promise<bigint>
}

/** Starts a pacer thread (pacer.ts) for schedule `s`. */
export function startPacer (s: Schedule): Pacer {
  const clock = new BigInt64Array(new SharedArrayBuffer(8))
  const worker = startEntryThread(PACER, { workerData: { schedule: s, clock } })
  const started = new Promise<bigint>((resolve, reject) => {
    worker.once('error', reject)
    worker.once('message', () => { // "loaded": start the clock and wake the thread
      const start = process.hrtime.bigint()
      Atomics.store(clock, 0, start)
      Atomics.notify(clock, 0)
      resolve(start)
    })
  })
  return { worker, started }
}

async function openLoop (opts: LoadOptions, run: Run): Promise<number> {
  if (!opts.rate) throw new RangeError('open mode needs a rate')
  const s: Schedule = makeSchedule(opts.rate, opts.durationMs, opts.warmupMs)
  let next = 0
  // The pacer only wakes this loop; what is due is decided here, by this thread's clock.
  const { worker: pacer, started } = startPacer(s)
  let start = 0n
  try {
    start = await started
    await new Promise<void>((resolve, reject) => {
      pacer.on('error', reject)
      pacer.on('message', () => {
        const now = process.hrtime.bigint()
        const due = dueCount(s, Number(now - start))
        for (; next < due; next++) {
          const scheduled = start + BigInt(offsetNs(s, next))
          const recorded = next >= s.recordFrom
          if (recorded) run.lateness.recordValue(Math.max(1, Number((now - scheduled) / 1000n)))
          run.send(scheduled, recorded)
        }
        if (next >= s.total) resolve()
      })
    })
  } finally {
    await pacer.terminate()
  }
  await run.drained()
  // The measured window runs from the first recorded send slot to the last completion
  // (the nominal duration when nothing completed, e.g. a refused connection).
  if (run.lastEndNs === 0n) return opts.durationMs * 1e6
  return Number(run.lastEndNs - (start + BigInt(offsetNs(s, s.recordFrom))))
}

async function closedLoop (opts: LoadOptions, run: Run): Promise<number> {
  const start = process.hrtime.bigint()
  const recordAt = start + BigInt(opts.warmupMs) * 1_000_000n
  const stopAt = recordAt + BigInt(opts.durationMs) * 1_000_000n
  const loop = (): void => {
    const now = process.hrtime.bigint()
    if (now >= stopAt) return
    run.send(now, now >= recordAt, loop)
  }
  for (let i = 0; i < opts.connections; i++) loop()
  await run.drained()
  return Number(stopAt - recordAt)
}

/** Runs one load in this process. Prefer `spawnLoadgen` for measurements. */
export async function runLoad (opts: LoadOptions): Promise<LoadResult> {
  const { pool, run } = openPool(opts)
  try {
    const windowNs = opts.mode === 'open' ? await openLoop(opts, run) : await closedLoop(opts, run)
    return summarize(run, opts, windowNs)
  } finally {
    await pool.destroy()
  }
}
