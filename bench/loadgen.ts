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
 * `runRotation` shares one open-loop schedule between several targets in slices (schedule.ts
 * `slotOf`), each with its own pool and histograms: the bench's direct and proxied runs.
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
import { makeSchedule, dueCount, offsetNs, slotOf, type Rotation, type Schedule } from './schedule.js'

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

/** Several targets sharing one open-loop schedule in slices (`runRotation`). */
export interface RotationOptions {
  urls: string[]
  rate: number
  /** Pool size per target. */
  connections: number
  /** Recorded time of the whole rotation (every target's slices together). */
  durationMs: number
  warmupMs: number
  sliceMs: number
  settleMs: number
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
  /**
   * Latency from the moment the generator actually sent each request (closed loop: the same as
   * `latencyMs`). On a box where the generator shares cores with the peer, the peer's CPU use
   * makes the generator late, and `latencyMs` charges that to the peer, as it must; this one
   * shows how much of a p99 is the peer's own answer time.
   */
  fromSendMs: LatencySummary
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
  /** Latency from the actual send, µs: `hist` less the generator's own lateness. */
  readonly fromSend = histogram()
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
  /** Scheduled instant of the last recorded request sent (open loop's window). */
  lastRecordedNs = 0n
  private idle: (() => void) | undefined

  constructor (readonly pool: Pool, readonly path: string, readonly origin: string) {}

  send (scheduledNs: bigint, recorded: boolean, then?: () => void): void {
    this.sentTotal++
    if (recorded) {
      this.sent++
      this.lastRecordedNs = scheduledNs
    }
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
        this.fromSend.recordValue(Math.max(1, Number((end - req.sentNs) / 1000n)))
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
  readonly sentNs = process.hrtime.bigint()
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
    fromSendMs: latencySummary(run.fromSend),
    maxInFlight: run.maxInFlight,
    bytesPerResponse: run.responses === 0 ? 0 : Math.round(run.bytes / run.responses),
  }
}

function openRun (url: string, opts: { connections: number, timeoutMs?: number }): Run {
  const u = new URL(url)
  const timeout = opts.timeoutMs ?? 10_000
  const pool = new Pool(u.origin, { connections: opts.connections, pipelining: 1, headersTimeout: timeout, bodyTimeout: timeout, keepAliveTimeout: 30_000 })
  return new Run(pool, u.pathname + u.search, u.origin)
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

/**
 * Sends schedule `s` through the pacer; request `i` goes to `runs[pick(i).target]` and is
 * recorded when `pick` says so. Resolves once every response is in.
 */
async function openLoop (s: Schedule, runs: Run[], pick: (i: number) => { target: number, recorded: boolean }): Promise<void> {
  let next = 0
  // The pacer only wakes this loop; what is due is decided here, by this thread's clock.
  const { worker: pacer, started } = startPacer(s)
  try {
    const start = await started
    await new Promise<void>((resolve, reject) => {
      pacer.on('error', reject)
      pacer.on('message', () => {
        const now = process.hrtime.bigint()
        const due = dueCount(s, Number(now - start))
        for (; next < due; next++) {
          const scheduled = start + BigInt(offsetNs(s, next))
          const { target, recorded } = pick(next)
          const run = runs[target] as Run
          if (recorded) run.lateness.recordValue(Math.max(1, Number((now - scheduled) / 1000n)))
          run.send(scheduled, recorded)
        }
        if (next >= s.total) resolve()
      })
    })
  } finally {
    await pacer.terminate()
  }
  await Promise.all(runs.map((r) => r.drained()))
}

/**
 * An open-loop run's measured window: the schedule time of its recorded requests, plus however
 * long its last responses came after the schedule ended (a peer that fell behind shows a lower
 * rate, not only a higher latency).
 */
function openWindowNs (run: Run, rate: number): number {
  const gapNs = 1e9 / rate
  const lagNs = run.lastEndNs === 0n ? 0 : Math.max(0, Number(run.lastEndNs - run.lastRecordedNs) - gapNs)
  return run.sent * gapNs + lagNs
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

function openSchedule (opts: { rate?: number, durationMs: number, warmupMs: number }): Schedule {
  if (!opts.rate) throw new RangeError('open mode needs a rate')
  return makeSchedule(opts.rate, opts.durationMs, opts.warmupMs)
}

/** Runs one load in this process. Prefer `spawnLoadgen` for measurements. */
export async function runLoad (opts: LoadOptions): Promise<LoadResult> {
  const run = openRun(opts.url, opts)
  try {
    if (opts.mode === 'closed') return summarize(run, opts, await closedLoop(opts, run))
    const s = openSchedule(opts)
    await openLoop(s, [run], (i) => ({ target: 0, recorded: i >= s.recordFrom }))
    return summarize(run, opts, openWindowNs(run, s.rate))
  } finally {
    await run.pool.destroy()
  }
}

/**
 * One open-loop schedule shared by several targets in turn (schedule.ts `slotOf`): the bench
 * measures a direct run and the peers of a scenario group in the same seconds this way. Each
 * target has its own pool; `durationMs` is the recorded time of the whole rotation, so each
 * target gets about `durationMs / urls.length` of it. One result per url, in order.
 */
export async function runRotation (opts: RotationOptions): Promise<LoadResult[]> {
  const s = openSchedule(opts)
  const rotation: Rotation = { targets: opts.urls.length, sliceMs: opts.sliceMs, settleMs: opts.settleMs }
  const runs = opts.urls.map((url) => openRun(url, opts))
  try {
    await openLoop(s, runs, (i) => {
      const { target, settled } = slotOf(s, rotation, i)
      return { target, recorded: settled && i >= s.recordFrom }
    })
    return runs.map((run, i) => summarize(run, { ...opts, url: opts.urls[i] as string, mode: 'open' }, openWindowNs(run, s.rate)))
  } finally {
    await Promise.all(runs.map((r) => r.pool.destroy()))
  }
}
