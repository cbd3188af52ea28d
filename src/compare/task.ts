/**
 * The task protocol between the engine (main thread: engine.ts, batch.ts) and a comparison
 * thread (worker.ts): what one task carries in, what it brings back, and the slots of the
 * shared progress array. Its own module so that neither side imports the other: the thread
 * need not load the watchdog, and the engine need not load the thread's entry.
 */
import type { Exchange } from '../shadow/exchange.js'
import type { CountsByName } from './chain.js'
import type { CompareLimits, RouteSpec, WorkerOutput } from './pipeline.js'

/** Slots of `WorkerBatch.progress`. */
export const PROGRESS_INDEX = 0
export const PROGRESS_THREAD = 1

export interface WorkerBatch {
  exchanges: Exchange[]
  /** The settings of every route named by an exchange of the batch. */
  routes: Record<string, RouteSpec>
  generation: number
  configDir: string
  limits: CompareLimits
  /**
   * Shared with the engine (batch.ts): this thread's id, then 1 + the index of the exchange
   * being compared (0 before the first), written before each comparison; the engine only reads.
   */
  progress: Int32Array
}

/** Per exchange only what the main thread needs; the comparator counts once for the batch. */
export interface BatchResult { outputs: WorkerOutput[], counts: CountsByName }
