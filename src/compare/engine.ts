/**
 * The comparison engine the proxy talks to. `compare()` is cheap on the calling (client-
 * serving) thread: a precheck on statuses and sizes, then a task for a piscina worker pool that
 * decodes, normalizes and diffs; the result comes back for the noise model (main thread,
 * counting only) and the signature. The queue is bounded: when `threads + maxQueue` tasks are
 * pending, the exchange is `skipped`/`saturated` at once and counted, never awaited. Every task
 * has a time limit (`taskTimeoutMs`): piscina aborts it and replaces the worker, so a runaway
 * custom comparator costs one thread restart, never a stuck pool. `compare()` never rejects.
 */
import { availableParallelism } from 'node:os'
import { MessageChannel } from 'node:worker_threads'
import { extname } from 'node:path'
import { fileURLToPath } from 'node:url'
import { Piscina } from 'piscina'
import { ShadowfigError } from '../errors.js'
import type { CompareConfig } from '../config/schema.js'
import type { CapturedResponse, Exchange } from '../shadow/exchange.js'
import type { CountsByName } from './chain.js'
import { NoiseModel, type NoiseOptions } from './noise.js'
import { compileRoute, DEFAULT_LIMITS, type CompareLimits, type RouteSpec, type WorkerOutput } from './pipeline.js'
import { precheck } from './precheck.js'
import { finalize, simpleResult } from './result.js'
import type { ComparisonResult, SkipReason } from './types.js'
import type { WorkerTask } from './worker.js'

export interface CompareEngineOptions {
  /** Worker threads (default: max(1, availableParallelism() - 1)). */
  threads?: number
  /** Tasks that may wait for a thread (default 128); more pending → skipped/saturated. */
  maxQueue?: number
  /** Time limit of one task once a worker runs it, in ms (default 5000); over it → skipped/comparator_timeout. */
  taskTimeoutMs?: number
  /** Called with every result (after the promise resolves); must not throw (errors are swallowed). */
  onResult?: (result: ComparisonResult, exchange: Exchange) => void
  noise?: NoiseOptions
  limits?: Partial<CompareLimits>
  /** Old-generation heap cap per worker in MiB (default 1024): a diff that needs more ends as skipped/diff_too_large. */
  maxWorkerHeapMb?: number
}

export interface CompareEngineStats {
  queued: number
  running: number
  completed: number
  saturated: number
  comparators: CountsByName
}

export interface CompareEngine {
  /** Replace the per-route settings (called at config load and reload). configDir resolves custom comparator paths. */
  setRoutes (routes: ReadonlyArray<{ name: string, compare: CompareConfig, hasSecondary: boolean }>, configDir: string): Promise<void>
  /** Never rejects. Resolves with the verdict (skipped/saturated when the queue is full). */
  compare (exchange: Exchange): Promise<ComparisonResult>
  stats (): CompareEngineStats
  /** Paths the noise model currently explains on a route. */
  noisyPaths (route: string): string[]
  close (): Promise<void>
}

/** The worker entry next to this module: worker.ts under tsx (tests), worker.js in dist/. */
export const WORKER_URL = new URL('./worker' + extname(fileURLToPath(import.meta.url)), import.meta.url)

/**
 * Structured cloning a typed array copies its whole backing ArrayBuffer, so a body that is a
 * view into a larger buffer (a slab, a read buffer) is copied to its own exact-size bytes first.
 */
function compactBody<T extends CapturedResponse | undefined> (side: T): T {
  if (!side || side.body.byteLength === side.body.buffer.byteLength) return side
  return { ...side, body: side.body.slice() }
}

function forWorker (ex: Exchange): Exchange {
  return { ...ex, primary: compactBody(ex.primary), candidate: compactBody(ex.candidate), secondary: compactBody(ex.secondary) }
}

/** Why a task failed, from piscina's rejection: the time limit, the heap cap, or anything else. */
function failureReason (err: unknown): SkipReason {
  const e = err as { name?: string, code?: string }
  if (e.name === 'AbortError' || e.name === 'TimeoutError') return 'comparator_timeout'
  if (e.code === 'ERR_WORKER_OUT_OF_MEMORY') return 'diff_too_large'
  return 'comparator_error'
}

export function createCompareEngine (opts: CompareEngineOptions = {}): CompareEngine {
  const threads = opts.threads ?? Math.max(1, availableParallelism() - 1)
  const maxPending = threads + (opts.maxQueue ?? 128)
  const taskTimeoutMs = opts.taskTimeoutMs ?? 5000
  const limits: CompareLimits = { ...DEFAULT_LIMITS, ...opts.limits }
  const noise = new NoiseModel(opts.noise)
  const pool = new Piscina<WorkerTask, WorkerOutput>({
    filename: WORKER_URL.href,
    minThreads: threads,
    maxThreads: threads,
    idleTimeout: 60_000,
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

  const merge = (delta: CountsByName): void => {
    for (const [name, c] of Object.entries(delta)) {
      const t = counts[name] ??= { continue: 0, decided: 0, errors: 0 }
      t.continue += c.continue; t.decided += c.decided; t.errors += c.errors
    }
  }

  const deliver = (r: ComparisonResult, ex: Exchange): ComparisonResult => {
    try { opts.onResult?.(r, ex) } catch { /* a reporting bug must not turn into a rejected compare() */ }
    return r
  }

  /**
   * The time limit starts when a worker picks the task up (it says so on a private port), not
   * at submission: queue time is bounded by the queue length, and a fresh worker's start-up
   * (module loading, seconds under a TypeScript loader) must not count as a slow comparison.
   */
  const runWithLimit = async (task: Omit<WorkerTask, 'started'>): Promise<WorkerOutput> => {
    const { port1, port2 } = new MessageChannel()
    const abort = new AbortController()
    let timer: NodeJS.Timeout | undefined
    port1.once('message', () => { timer = setTimeout(() => abort.abort(), taskTimeoutMs) })
    try {
      return await pool.run({ ...task, started: port2 }, { signal: abort.signal, transferList: [port2] })
    } finally {
      clearTimeout(timer)
      port1.close()
    }
  }

  const runTask = async (ex: Exchange, route: RouteSpec): Promise<ComparisonResult> => {
    pending++
    try {
      const out = await runWithLimit({ exchange: forWorker(ex), route, generation, configDir, limits })
      merge(out.counts)
      return finalize(ex, out, noise)
    } catch (err) {
      if (closed) return simpleResult(ex, 'skipped', 'engine_closed')
      return simpleResult(ex, 'skipped', failureReason(err))
    } finally {
      pending--
      completed++
    }
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
      routes = next
      configDir = dir
      generation++
      noise.retain(new Set(next.keys()))
    },

    async compare (ex) {
      const route = routes.get(ex.route)
      if (closed || !route) return deliver(simpleResult(ex, 'skipped', closed ? 'engine_closed' : 'unknown_route'), ex)
      const pre = precheck(ex, route.compare.maxBodySize)
      if (pre) return deliver(simpleResult(ex, pre.verdict, pre.reason), ex)
      if (pending >= maxPending) {
        saturated++
        return deliver(simpleResult(ex, 'skipped', 'saturated'), ex)
      }
      return deliver(await runTask(ex, route), ex)
    },

    stats () {
      const queued = pool.queueSize
      return { queued, running: Math.max(0, pending - queued), completed, saturated, comparators: structuredClone(counts) }
    },

    noisyPaths: (route) => noise.noisyPaths(route),

    async close () {
      if (closed) return
      closed = true
      await pool.destroy()
    },
  }
}
