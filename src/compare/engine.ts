/**
 * The comparison engine the proxy talks to. `compare()` is cheap on the calling (client-
 * serving) thread: a precheck on statuses and sizes, then the exchange joins a batch for a
 * comparison thread (thread-pool.ts) that decodes, normalizes and diffs; the results come back
 * for the noise model (main thread, counting only) and the signature. A batch leaves when it
 * holds `maxBatch` exchanges or `batchWindowMs` after its first one, so at any rate the
 * hand-off to a worker (structured clone, two thread wake-ups) is paid per batch, not per
 * request. The queue is bounded: when `threads + maxQueue` exchanges are pending, the next is
 * `skipped`/`saturated` at once and counted, never awaited; `room()` tells the proxy before it
 * mirrors. Every comparison has a time limit (`taskTimeoutMs`, see batch.ts): over it, the
 * batch's task is cancelled and its thread replaced, so a runaway custom comparator costs one
 * thread restart and its own verdict, never a stuck pool. `compare()` never rejects.
 */
import { availableParallelism } from 'node:os'
import { extname } from 'node:path'
import { fileURLToPath } from 'node:url'
import { ShadowfigError } from '../errors.js'
import type { CompareConfig } from '../config/schema.js'
import type { CapturedResponse } from '../http/captured.js'
import type { Exchange } from '../shadow/exchange.js'
import { addCounts, type CountsByName } from './chain.js'
import { NoiseModel, type NoiseOptions } from './noise.js'
import { compileRoute, DEFAULT_COMPARE_LIMITS, type CompareLimits, type RouteSpec, type WorkerOutput } from './pipeline.js'
import { precheck } from './precheck.js'
import { finalize, judge, simpleResult, type Pending } from './result.js'
import { UndecidedStore, type Held, type UndecidedOptions } from './undecided.js'
import type { ComparisonResult, SkipReason } from './types.js'
import { Batch, watchdogPeriod, type Waiting } from './batch.js'
import type { BatchResult, WorkerBatch } from './task.js'
import { ThreadPool } from './thread-pool.js'

export interface CompareEngineOptions {
  /** Worker threads (default: max(1, availableParallelism() - 1)). */
  threads?: number
  /** Exchanges that may wait for a thread (default 128); more pending → skipped/saturated. */
  maxQueue?: number
  /** Time limit of one comparison once a worker starts it, in ms (default 5000); over it → skipped/comparator_timeout. */
  taskTimeoutMs?: number
  /** Most exchanges per worker task (default 32). */
  maxBatch?: number
  /** How long a batch waits for more exchanges after its first, in ms (default 10). */
  batchWindowMs?: number
  /** Called with every result, before compare() resolves; must not throw (errors are swallowed). */
  onResult?: (result: ComparisonResult, exchange: Exchange) => void
  noise?: NoiseOptions
  /**
   * Which mismatches are held (`undecided`) and when they are judged: `warm-up` (the proxy)
   * holds only a mismatch whose every unexplained path the route's noise model is learning
   * about, on an exchange without a secondary answer (result.ts, `learning`), and judges it
   * once the route's window has its samples or the store's bounds say so; `end` (replay,
   * which sees the whole capture) holds every mismatch that has a reference and judges it on
   * `decideAll()`, with everything learnt; `at-once` never holds.
   */
  decide?: 'warm-up' | 'end' | 'at-once'
  undecided?: UndecidedOptions
  limits?: Partial<CompareLimits>
  /** Old-generation heap cap per worker in MiB (default 1024): a diff that needs more ends as skipped/diff_too_large. */
  maxWorkerHeapMb?: number
}

export interface CompareEngineStats {
  /** Comparison threads running: none until a route compares (setRoutes). */
  threads: number
  queued: number
  running: number
  completed: number
  saturated: number
  /** Exchanges held `undecided`, waiting for evidence. */
  undecided: number
  comparators: CountsByName
}

export interface CompareEngine {
  /** Replace the per-route settings (called at config load and reload). configDir resolves custom comparator paths. */
  setRoutes (routes: ReadonlyArray<{ name: string, compare: CompareConfig, hasSecondary: boolean }>, configDir: string): Promise<void>
  /** Never rejects. Resolves with the verdict (skipped/saturated when the queue is full). */
  compare (exchange: Exchange): Promise<ComparisonResult>
  /** compare() for callers that only need `onResult`: no promise kept per exchange (the proxy's path). */
  submit (exchange: Exchange): void
  /**
   * How many more exchanges the queue takes now; past that they are skipped as `saturated`.
   * The proxy asks before mirroring (ExchangeSink.room), so that under overload it sheds the
   * mirror itself instead of paying for requests whose answers it cannot compare.
   */
  room (): number
  stats (): CompareEngineStats
  /** Paths the noise model currently explains on a route. */
  noisyPaths (route: string): string[]
  /** Exchanges held `undecided` on a route. */
  undecided (route: string): number
  /**
   * Judges every held exchange now with the evidence there is; each final result goes to
   * `onResult` (with `revised: true`) and is returned. Replay calls it after the whole capture.
   */
  decideAll (): ComparisonResult[]
  close (): Promise<void>
}

/** The worker entry next to this module: worker.ts under tsx (tests), worker.js in dist/. */
export const WORKER_URL = new URL('./worker' + extname(fileURLToPath(import.meta.url)), import.meta.url)

/**
 * Structured cloning a typed array copies its whole backing ArrayBuffer. Captures own theirs
 * (shadow/owned-bytes.ts); a body that is a view into a larger buffer (a slab, a read buffer:
 * exchanges built by other code, tests, replays) is copied to its own exact-size bytes first.
 */
function compact<T extends Uint8Array | undefined> (body: T): T {
  if (body === undefined || body.byteLength === body.buffer.byteLength) return body
  return body.slice() as T
}

function compactSide<T extends CapturedResponse | undefined> (side: T): T {
  if (!side) return side
  const body = compact(side.body)
  return body === side.body ? side : { ...side, body }
}

function forWorker (ex: Exchange): Exchange {
  const body = compact(ex.request.body)
  const request = body === ex.request.body ? ex.request : { ...ex.request, body }
  const primary = compactSide(ex.primary)
  const candidate = compactSide(ex.candidate)
  const secondary = compactSide(ex.secondary)
  if (request === ex.request && primary === ex.primary && candidate === ex.candidate && secondary === ex.secondary) return ex
  return { ...ex, request, primary, candidate, secondary }
}

/**
 * Why a task failed, from the pool's error: the heap cap, or anything else. (The time limit and
 * close() are known without it: the engine cancelled those tasks itself.)
 */
function failureReason (err: unknown): SkipReason {
  return (err as { code?: string } | undefined)?.code === 'ERR_WORKER_OUT_OF_MEMORY' ? 'diff_too_large' : 'comparator_error'
}

export function createCompareEngine (opts: CompareEngineOptions = {}): CompareEngine {
  const threads = opts.threads ?? Math.max(1, availableParallelism() - 1)
  const maxPending = threads + (opts.maxQueue ?? 128)
  const taskTimeoutMs = opts.taskTimeoutMs ?? 5000
  const maxBatch = Math.max(1, opts.maxBatch ?? 32)
  const batchWindowMs = opts.batchWindowMs ?? 10
  const limits: CompareLimits = { ...DEFAULT_COMPARE_LIMITS, ...opts.limits }
  const noise = new NoiseModel(opts.noise)
  const held = new UndecidedStore(opts.undecided)
  const atEnd = opts.decide === 'end'
  const pool = new ThreadPool<WorkerBatch, BatchResult>({
    entry: WORKER_URL,
    threads,
    // jsondiffpatch needs ~90x the body size in heap (a 5 MB pair peaked near 460 MB): cap it
    // so one pathological pair costs a worker restart, not the process.
    resourceLimits: { maxOldGenerationSizeMb: opts.maxWorkerHeapMb ?? 1024 },
  })
  const counts: CountsByName = {}
  let routes = new Map<string, RouteSpec>()
  let generation = 0
  let configDir = process.cwd()
  let pending = 0
  let completed = 0
  let saturated = 0
  let closed = false
  let open: Waiting[] = []
  let flushTimer: NodeJS.Timeout | undefined
  const running = new Set<Batch>()
  const watchdog = setInterval(() => {
    const now = performance.now()
    for (const b of running) if (b.check(now, taskTimeoutMs) && b.job) pool.cancel(b.job)
    if (!atEnd) decide(held.expired())
    keepAlive()
  }, watchdogPeriod(taskTimeoutMs))
  // Referenced only while exchanges are pending: a caller awaiting compare() (replay, tests)
  // must not see the process exit while its batch waits for a worker that is still starting.
  watchdog.unref()
  /**
   * The watchdog also ends held exchanges' waits, so it keeps the process alive while
   * comparisons are pending or (warm-up mode) exchanges are held.
   */
  const keepAlive = (): void => {
    if (pending > 0 || (!atEnd && held.count() > 0)) watchdog.ref()
    else watchdog.unref()
  }

  const deliver = (r: ComparisonResult, ex: Exchange): ComparisonResult => {
    try { opts.onResult?.(r, ex) } catch { /* a reporting bug must not turn into a rejected compare() */ }
    return r
  }

  /** Final verdicts for held exchanges, delivered in the order they came on each route. */
  function decide (list: readonly Held[]): ComparisonResult[] {
    return list.map((h) => {
      let r: ComparisonResult
      try {
        r = judge(h.ex, h.out, noise)
      } catch {
        r = simpleResult(h.ex, 'skipped', 'comparator_error')
      }
      r.revised = true
      return deliver(r, h.ex)
    })
  }

  /** What a mismatch the evidence cannot explain yet does (result.ts, `Pending`). */
  const unexplained: Pending = opts.decide === 'at-once' ? 'decide' : atEnd ? 'all' : 'learning'

  const completedResult = (ex: Exchange, out: WorkerOutput): ComparisonResult => {
    try {
      const r = finalize(ex, out, noise, unexplained)
      if (r.verdict === 'undecided') overflow.push(...held.add(ex, out))
      return r
    } catch {
      return simpleResult(ex, 'skipped', 'comparator_error') // a bug here must not leave compare() pending
    }
  }

  /** Ends one accepted exchange: reported, counted, its compare() resolved. */
  const settle = (w: Waiting, r: ComparisonResult): void => {
    --pending
    keepAlive()
    completed++
    const result = deliver(r, w.exchange)
    w.resolve?.(result)
  }

  const enqueue = (w: Waiting): void => {
    open.push(w)
    if (open.length >= maxBatch) flush()
    else flushTimer ??= setTimeout(flush, batchWindowMs)
  }

  /**
   * A task that failed took down its worker: the exchange it was comparing gets the failure's
   * reason; the others did nothing wrong and are compared again (once).
   */
  const failed = (b: Batch, err: unknown): void => {
    const reason: SkipReason = closed ? 'engine_closed' : b.timedOut ? 'comparator_timeout' : failureReason(err)
    const culprit = b.current() - 1
    b.items.forEach((w, i) => {
      if (closed || i === culprit || w.retried) { settle(w, simpleResult(w.exchange, 'skipped', reason)); return }
      w.retried = true
      enqueue(w)
    })
  }

  function flush (): void {
    clearTimeout(flushTimer)
    flushTimer = undefined
    const taken = open
    open = []
    const b = new Batch()
    const task: WorkerBatch = { exchanges: [], routes: {}, generation, configDir, limits, progress: b.progress }
    for (const w of taken) {
      const route = routes.get(w.exchange.route)
      if (!route) { settle(w, simpleResult(w.exchange, 'skipped', 'unknown_route')); continue } // removed by a reload meanwhile
      task.routes[route.name] = route
      task.exchanges.push(forWorker(w.exchange))
      b.items.push(w)
    }
    if (b.items.length === 0) return
    running.add(b)
    b.job = pool.run(task, (err, res) => {
      running.delete(b)
      if (err !== undefined || res === undefined) { failed(b, err); return }
      addCounts(counts, res.counts)
      b.items.forEach((w, i) => { settle(w, completedResult(w.exchange, res.outputs[i] as WorkerOutput)) })
      release(new Set(b.items.map((w) => w.exchange.route)))
    })
  }

  /** Held exchanges pushed out by the store's bound, decided after the batch's own results. */
  const overflow: Held[] = []

  /** After a batch: the overflow, then every route whose model now has its samples. */
  function release (touched: ReadonlySet<string>): void {
    decide(overflow.splice(0))
    if (atEnd) return
    for (const r of touched) if (held.count(r) > 0 && noise.settled(r)) decide(held.take(r))
  }

  /** The verdict when no worker is needed: engine closed, unknown route, precheck, full queue. */
  const immediateResult = (ex: Exchange): ComparisonResult | undefined => {
    const route = routes.get(ex.route)
    if (closed || !route) return simpleResult(ex, 'skipped', closed ? 'engine_closed' : 'unknown_route')
    const pre = precheck(ex, route.compare.maxBodySize)
    if (pre) return simpleResult(ex, pre.verdict, pre.reason)
    if (pending >= maxPending) {
      saturated++
      return simpleResult(ex, 'skipped', 'saturated')
    }
    return undefined
  }

  /** Every exchange ends in exactly one result: now, or when its batch comes back. */
  const accept = (ex: Exchange, resolve: Waiting['resolve']): void => {
    const now = immediateResult(ex)
    if (now !== undefined) {
      const result = deliver(now, ex) // not inside `resolve?.(…)`: that skips its argument for submit()
      resolve?.(result)
      return
    }
    pending++
    keepAlive()
    enqueue({ exchange: ex, resolve, retried: false })
  }

  return {
    async setRoutes (list, dir) {
      const next = new Map<string, RouteSpec>()
      for (const r of list) {
        const spec: RouteSpec = { name: r.name, compare: r.compare, hasSecondary: r.hasSecondary }
        try {
          await compileRoute(spec, dir) // validate here so a bad reload keeps the last good config
        } catch (err) {
          throw new ShadowfigError('SHADOWFIG_ERR_CONFIG', `route ${r.name}: compare: ${(err as Error).message}`, { cause: err })
        }
        next.set(r.name, spec)
      }
      configDir = dir
      generation++
      // Threads only once a route compares: a proxy with no shadow route (the shipped default
      // config) runs none. Measured: an idle comparison thread is ~11 MiB of resident memory.
      if (next.size > 0) pool.start()
      for (const r of routes.keys()) if (!next.has(r)) decide(held.take(r))
      routes = next
      noise.retain(new Set(next.keys()))
    },

    compare (ex) {
      return new Promise((resolve) => { accept(ex, resolve) })
    },

    submit (ex) {
      accept(ex, undefined)
    },

    room: () => Math.max(0, maxPending - pending),

    stats () {
      let queued = open.length
      let busy = 0
      for (const b of running) {
        const cur = b.current()
        queued += b.items.length - cur
        if (cur > 0) busy++
      }
      return { threads: pool.size, queued, running: busy, completed, saturated, undecided: held.count(), comparators: structuredClone(counts) }
    },

    noisyPaths: (route) => noise.noisyPaths(route),

    undecided: (route) => held.count(route),

    decideAll: () => decide(held.all()),

    async close () {
      if (closed) return
      closed = true
      clearInterval(watchdog)
      clearTimeout(flushTimer)
      const left = open
      open = []
      for (const w of left) settle(w, simpleResult(w.exchange, 'skipped', 'engine_closed'))
      await pool.close()
      decide(held.all()) // nothing held is lost: it ends with the evidence there is
    },
  }
}
