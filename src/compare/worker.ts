/**
 * Comparison thread entry (thread-pool.ts): one *batch* of comparisons per task. A task per
 * exchange cost the client-serving thread more than the comparison itself (measured at 1,000
 * req/s: ~0.19 ms of CPU per exchange for the hand-off, two thread wake-ups and a start-signal
 * channel, against ~0.1 ms for the JSON work); a batch pays that once for up to `maxBatch`
 * exchanges.
 *
 * Compiled routes (plans, loaded custom comparators) are cached per config generation, so each
 * worker compiles a route once per reload. Task input (task.ts) is plain data (structured
 * clone) plus one shared Int32Array through which the engine's watchdog sees which exchange is
 * being compared, so a runaway comparator is stopped and blamed alone (see engine.ts).
 */
import { isMainThread } from 'node:worker_threads'
import type { Exchange } from '../shadow/exchange.js'
import { addCounts } from './chain.js'
import { compileRoute, runComparison, type CompiledRoute, type ComparisonOutput, type RouteSpec } from './pipeline.js'
import { PROGRESS_INDEX, PROGRESS_THREAD, type BatchResult, type WorkerBatch } from './task.js'
import { serveTasks } from './thread-pool.js'
import { COMPARE_THREAD_NICE, lowerThreadPriority } from './thread-priority.js'

/** This thread's kernel id (Linux), for the engine's watchdog to read its CPU time; 0: unknown. */
let threadTid = 0
// Imported on a main thread (tests, tools) this module must leave that thread's priority alone.
if (!isMainThread) threadTid = lowerThreadPriority(COMPARE_THREAD_NICE) ?? 0

const compiled = new Map<string, Promise<CompiledRoute>>()
let currentGeneration = -1

function routeFor (batch: WorkerBatch, name: string): Promise<CompiledRoute> {
  if (batch.generation !== currentGeneration) {
    compiled.clear()
    currentGeneration = batch.generation
  }
  let r = compiled.get(name)
  if (!r) {
    r = compileRoute(batch.routes[name] as RouteSpec, batch.configDir)
    compiled.set(name, r)
    // A failed compile (say, a comparator file removed after the reload) is retried next batch.
    r.catch(() => compiled.delete(name))
  }
  return r
}

/**
 * How long a comparison thread compares before it steps aside, and for how long (ms). Nice 10
 * is not enough on its own: under the kernel's EEVDF scheduler a running thread keeps its core
 * for the rest of its slice (~1.5 ms on 2 CPUs), so a client-serving thread that wakes on a
 * busy machine waits behind a batch. Sleeping briefly (a futex timeout: ~20 µs plus the
 * kernel's 50 µs timer slack) between comparisons hands the core over. Measured at 1,000
 * req/s, 2 KiB, alternating builds of `--only mirror-2k` (docs/architecture.md, rule 9): p99
 * overhead lower in all 8 rounds (this rule: 1.05 · 0.36 · 0.62 ms against 1.32 · 1.33 · 0.99),
 * CPU per 1k requests 0.39–0.48 s against 0.39–0.41. Not free at saturation: the threads
 * compare less while clients are served more.
 */
const STEP_ASIDE_AFTER_MS = 0.1
const STEP_ASIDE_FOR_MS = 0.02
const nap = new Int32Array(new SharedArrayBuffer(4))

async function compareOne (batch: WorkerBatch, ex: Exchange): Promise<ComparisonOutput> {
  try {
    return await runComparison(ex, await routeFor(batch, ex.route), batch.limits)
  } catch {
    // A route whose comparators cannot load here (the chain itself catches comparator throws).
    return { verdict: 'skipped', reason: 'comparator_error', fields: [], paths: [], counts: {} }
  }
}

export default async function compareBatch (batch: WorkerBatch): Promise<BatchResult> {
  const result: BatchResult = { outputs: new Array(batch.exchanges.length), counts: {} }
  Atomics.store(batch.progress, PROGRESS_THREAD, threadTid)
  let busySince = performance.now()
  for (let i = 0; i < batch.exchanges.length; i++) {
    Atomics.store(batch.progress, PROGRESS_INDEX, i + 1)
    const { counts, ...out } = await compareOne(batch, batch.exchanges[i] as Exchange)
    addCounts(result.counts, counts)
    result.outputs[i] = out
    if (i + 1 < batch.exchanges.length && performance.now() - busySince >= STEP_ASIDE_AFTER_MS) {
      Atomics.wait(nap, 0, 0, STEP_ASIDE_FOR_MS) // nothing ever notifies `nap`: a plain short sleep
      busySince = performance.now()
    }
  }
  return result
}

// In a pool thread, answer the engine's batches (a no-op when imported on a main thread).
serveTasks(compareBatch)
