/**
 * Piscina worker entry: one comparison per task. Compiled routes (plans, loaded custom
 * comparators) are cached per config generation, so each worker compiles a route once per
 * reload. Task input is plain data (structured clone): the exchange and the route's settings.
 */
import type { MessagePort } from 'node:worker_threads'
import type { Exchange } from '../shadow/exchange.js'
import { compileRoute, runComparison, type CompareLimits, type CompiledRoute, type RouteSpec, type WorkerOutput } from './pipeline.js'

export interface WorkerTask {
  exchange: Exchange
  route: RouteSpec
  generation: number
  configDir: string
  limits: CompareLimits
  /** Told when this task starts running, so the engine's time limit excludes queueing and worker start-up. */
  started?: MessagePort
}

const compiled = new Map<string, Promise<CompiledRoute>>()
let currentGeneration = -1

function routeFor (task: WorkerTask): Promise<CompiledRoute> {
  if (task.generation !== currentGeneration) {
    compiled.clear()
    currentGeneration = task.generation
  }
  let r = compiled.get(task.route.name)
  if (!r) {
    r = compileRoute(task.route, task.configDir)
    compiled.set(task.route.name, r)
    // A failed compile (say, a comparator file removed after the reload) is retried next task.
    r.catch(() => compiled.delete(task.route.name))
  }
  return r
}

export default async function compareTask (task: WorkerTask): Promise<WorkerOutput> {
  task.started?.postMessage(1)
  task.started?.close()
  return runComparison(task.exchange, await routeFor(task), task.limits)
}
