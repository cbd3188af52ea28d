/**
 * The replay loop: for each capture record, find its route (by name, else by re-matching the
 * path against the config's route table), re-send the request to the route's primary and
 * shadow candidate (and secondary), build an `Exchange` exactly as the proxy's shadow side
 * would, and run it through the same comparison engine. Records are streamed, at most
 * `concurrency` in flight, started no faster than `rate` per second.
 *
 * Writes are only re-sent with `allowWrites`: replaying a captured POST against a real
 * primary creates real orders. Records that cannot be replayed are `skipped` with a reason
 * (`no_route`, `no_candidate`, `unsafe_method`, `unknown_upstream`), never dropped silently.
 *
 * Replay sees the whole capture, so noise is learnt over all of it before anything is judged:
 * the engine holds the exchanges it cannot decide yet (`undecided`), and once every record is
 * compared, `decideAll()` judges them with everything learnt. Only final verdicts reach the
 * report.
 */
import { performance } from 'node:perf_hooks'
import { setTimeout as sleep } from 'node:timers/promises'
import { Agent } from 'undici'
import type { Config, RouteConfig } from '../config/schema.js'
import type { ComparisonResult, FinalVerdict } from '../compare/types.js'
import type { CaptureRecord } from '../record/format.js'
import { compileRoutes, type RouteTable } from '../routing/table.js'
import type { CapturedResponse } from '../http/captured.js'
import type { Exchange } from '../shadow/exchange.js'
import type { HeaderMap } from '../http/headers.js'
import { SAFE_METHODS } from '../http/methods.js'
import { readCaptures } from './reader.js'
import { ReplayReport, type ReplayOutcome } from './report.js'
import { buildRequests, type ReplayRequests } from './request.js'
import { send } from './send.js'

/** The part of the comparison engine replay needs (src/compare/engine.ts). */
export interface Comparer {
  compare (exchange: Exchange): Promise<ComparisonResult>
  /** Final verdicts for every exchange `compare` left `undecided` (CompareEngine.decideAll). */
  decideAll? (): ComparisonResult[]
}

export interface ReplayOptions {
  config: Config
  files: readonly string[]
  comparer: Comparer
  /** Records started per second; 0 or absent: as fast as `concurrency` allows. */
  rate?: number
  concurrency?: number
  allowWrites?: boolean
  /** Headers added to every replayed request (credentials that were redacted in the capture). */
  headers?: HeaderMap
  /** Called after each record, e.g. for progress. */
  onOutcome?: (outcome: ReplayOutcome, report: ReplayReport) => void
}

export async function runReplay (opts: ReplayOptions): Promise<ReplayReport> {
  const report = new ReplayReport()
  const table = compileRoutes(opts.config.routes)
  const dispatcher = new Agent({ keepAliveTimeout: 4_000 })
  const records = readCaptures(opts.files)
  const rate = opts.rate ?? 0
  const t0 = performance.now()
  let started = 0
  const waiting = new Map<string, ReplayOutcome>()
  const done = (outcome: ReplayOutcome): void => {
    report.add(outcome)
    opts.onOutcome?.(outcome, report)
  }

  const worker = async (): Promise<void> => {
    for (;;) {
      const next = await records.next()
      if (next.done) return
      if (rate > 0) {
        const wait = t0 + (started++ * 1000) / rate - performance.now()
        if (wait > 0) await sleep(wait)
      }
      const { outcome, result } = await replayOne(next.value.record, opts, table, dispatcher)
      if (result?.verdict === 'undecided') waiting.set(result.id, outcome)
      else done(outcome)
    }
  }
  try {
    const results = await Promise.allSettled(Array.from({ length: Math.max(1, opts.concurrency ?? 8) }, worker))
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected')
    if (failed) throw failed.reason
    for (const r of opts.comparer.decideAll?.() ?? []) {
      const o = waiting.get(r.id)
      if (o) { waiting.delete(r.id); done(withResult(o, r)) }
    }
    // A comparer without decideAll never leaves anything undecided; if one did, say so.
    for (const o of waiting.values()) done({ ...o, verdict: 'skipped', reason: 'undecided' })
  } finally {
    await dispatcher.close()
  }
  return report
}

/** What `CompareEngine.setRoutes` takes, from a loaded config. */
export function routeSpecs (config: Config): Array<{ name: string, compare: RouteConfig['compare'], hasSecondary: boolean }> {
  return config.routes.map((r) => ({ name: r.name, compare: r.compare, hasSecondary: r.shadow?.secondary !== undefined }))
}

export function findRoute (record: CaptureRecord, config: Config, table: RouteTable): RouteConfig | undefined {
  const byName = config.routes.find((r) => r.name === record.route)
  if (byName) return byName
  const host = record.request.headers.host
  return table.match(record.request.method, Array.isArray(host) ? host[0] : host, record.request.path, record.request.headers)?.route
}

/** The outcome as the comparison decided it; an `undecided` one is replaced by its final verdict later. */
function withResult (base: ReplayOutcome, result: ComparisonResult): ReplayOutcome {
  const { reason: _, ...rest } = base
  return {
    ...rest,
    verdict: result.verdict as FinalVerdict, // runReplay never reports an `undecided` one
    ...(result.reason !== undefined ? { reason: result.reason } : {}),
    fields: result.fields.map((f) => f.path),
    noise: result.noise,
  }
}

interface Replayed { outcome: ReplayOutcome, result?: ComparisonResult }

async function replayOne (record: CaptureRecord, opts: ReplayOptions, table: RouteTable, dispatcher: Agent): Promise<Replayed> {
  const base = { id: record.id, method: record.request.method, path: record.request.path, recorded: record.verdict, fields: [] as string[], noise: [] as string[] }
  const skip = (route: string, reason: string): Replayed => ({ outcome: { ...base, route, verdict: 'skipped', reason } })
  const route = findRoute(record, opts.config, table)
  if (!route) return skip(record.route, 'no_route')
  const shadow = route.shadow
  if (!shadow) return skip(route.name, 'no_candidate')
  if (!SAFE_METHODS.has(record.request.method) && !opts.allowWrites) return skip(route.name, 'unsafe_method')
  const up = opts.config.upstreams
  const primaryUp = up[route.primary]
  const candidateUp = up[shadow.candidate]
  const secondaryUp = shadow.secondary !== undefined ? up[shadow.secondary] : undefined
  if (!primaryUp || !candidateUp || (shadow.secondary !== undefined && !secondaryUp)) return skip(route.name, 'unknown_upstream')

  const reqs: ReplayRequests = buildRequests(record, shadow.rewrite, secondaryUp !== undefined, opts.headers)
  const maxBodySize = route.compare.maxBodySize
  const to = (url: string, timeout: number, r: ReplayRequests['primary']): Promise<CapturedResponse> =>
    send(url, r, { timeout, maxBodySize, dispatcher })
  const startedAt = Date.now()
  const [primary, candidate, secondary] = await Promise.all([
    to(primaryUp.url, primaryUp.timeout, reqs.primary),
    to(candidateUp.url, Math.min(candidateUp.timeout, shadow.timeout), reqs.candidate),
    secondaryUp && reqs.secondary ? to(secondaryUp.url, Math.min(secondaryUp.timeout, shadow.timeout), reqs.secondary) : undefined,
  ])
  const exchange: Exchange = {
    id: record.id,
    route: route.name,
    startedAt,
    request: { method: reqs.primary.method, path: reqs.primary.path, headers: reqs.primary.headers },
    primary,
    candidate,
    ...(secondary ? { secondary } : {}),
  }
  const result = await opts.comparer.compare(exchange)
  return { outcome: withResult({ ...base, route: route.name, verdict: 'skipped' }, result), result }
}
