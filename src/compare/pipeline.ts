/**
 * One comparison, as run inside a worker: decode ► normalize ► comparator chain ► redaction
 * (a mismatch also carries both sides' normalized and raw bodies for its sample),
 * plus what the main-thread noise model needs (the primary-vs-secondary paths, or a primary
 * fingerprint for repeated requests). Pure apart from the chain's custom comparators; tests call
 * it directly, the worker calls it per task. Assumes `precheck` found nothing.
 */
import type { CompareConfig } from '../config/schema.js'
import { headerValue } from '../http/headers.js'
import { redactFields, redactHeaders, redactJson, redactTarget, scrubValues, secretHeaderValues } from '../logging/redact.js'
import type { CapturedResponse } from '../http/captured.js'
import type { Exchange } from '../shadow/exchange.js'
import { runChain, compileChain, type CountsByName, type Step } from './chain.js'
import type { BuiltinContext, PreparedSide } from './comparators/context.js'
import { decodeBody } from './decode.js'
import { DEFAULT_MAX_FIELDS, FieldSet } from './field-set.js'
import { fingerprint, type Fingerprint } from './fingerprint.js'
import { DEFAULT_MAX_LCS_CELLS } from './json-diff.js'
import { normalizeHeaders, normalizeOwned } from './normalize.js'
import { compilePlan, type Plan } from './plan.js'
import { rawBody, type RawRedaction } from './raw-body.js'
import type { FieldDiff, ForgivenField, RawBody, SkipReason } from './types.js'

export interface RouteSpec { name: string, compare: CompareConfig, hasSecondary: boolean }

export interface CompiledRoute {
  spec: RouteSpec
  plan: Plan
  steps: Step[]
  /** Whether any comparator of the chain reads bodies; when none does, bodies are not decoded. */
  readsBodies: boolean
  /** Only built-in comparators: the two sides may share one decoded body (nothing mutates it). */
  builtinOnly: boolean
}

/** Built-ins that look at status and headers only. Custom comparators see bodies (their view has them). */
const BODYLESS = new Set(['status', 'headers'])

export async function compileRoute (spec: RouteSpec, configDir: string): Promise<CompiledRoute> {
  const steps = await compileChain(spec.compare.comparators, configDir)
  return {
    spec,
    plan: compilePlan(spec.compare),
    steps,
    readsBodies: steps.some((s) => s.kind === 'custom' || !BODYLESS.has(s.name)),
    builtinOnly: steps.every((s) => s.kind === 'builtin'),
  }
}

export interface CompareLimits {
  /** Upper bound of jsondiffpatch's LCS matrix cells per exchange (diff_too_large above). */
  maxLcsCells: number
  /** Fields kept in a result (all grouping paths are kept regardless). */
  maxFields: number
  /** Time budget of one asynchronous custom comparator call. */
  comparatorTimeoutMs: number
  /** Decoded bodies larger than this are summarized, not copied, into `normalized`. */
  maxSampleBytes: number
}

export const DEFAULT_COMPARE_LIMITS: CompareLimits = { maxLcsCells: DEFAULT_MAX_LCS_CELLS, maxFields: DEFAULT_MAX_FIELDS, comparatorTimeoutMs: 1000, maxSampleBytes: 256 * 1024 }

/** Decoded bodies may be this many times the route's maxBodySize (compressed JSON is often 5-10x). */
export const DECODE_FACTOR = 8

export interface SideSummary { status: number, headers: Record<string, string>, body: unknown }

export interface WorkerOutput {
  verdict: 'match' | 'mismatch' | 'skipped' | 'candidate_error'
  reason?: SkipReason
  decidedBy?: string
  fields: FieldDiff[]
  /** Every distinct grouping path that differs (fields may be capped). */
  paths: string[]
  /** Differences a custom comparator forgave (mismatches only; redacted). */
  forgiven?: ForgivenField[]
  /** Redacted normalized sides, for non-match verdicts. */
  normalized?: { primary: SideSummary, candidate: SideSummary }
  /** Redacted, capped raw bodies, beside `normalized` (raw-body.ts). */
  raw?: { primary: RawBody, candidate: RawBody }
  /** Grouping paths where the secondary differs from the primary (when a secondary answered). */
  secondaryPaths?: string[]
  /** Primary fingerprint for the repeated-request noise check (no secondary on the route). */
  fingerprint?: Fingerprint
}

/** One comparison's output with its comparator counts (the worker sums those per batch). */
export interface ComparisonOutput extends WorkerOutput {
  counts: CountsByName
}

type Prepared = { ok: true, side: PreparedSide } | { ok: false, reason: SkipReason }

const UNREAD = Object.freeze({ kind: 'unread' as const })

/**
 * A side as the comparators see it. With `readBody` false (no comparator reads bodies) the body
 * is neither decoded nor normalized. Measured on the bench's 2 KiB JSON pair in a loop: a
 * `[status]` chain went from 93 to 8 µs of CPU per exchange (the full chain: ~96-127 µs).
 */
function prepare (resp: CapturedResponse, plan: Plan, readBody = true): Prepared {
  if (!readBody) return { ok: true, side: { status: resp.status, headers: normalizeHeaders(resp.headers, plan), body: UNREAD, bytes: resp.body } }
  const d = decodeBody(resp.headers, resp.body, plan.maxBodySize * DECODE_FACTOR)
  if (!d.ok) return { ok: false, reason: d.reason }
  const side: PreparedSide = { status: resp.status, headers: normalizeHeaders(resp.headers, plan), body: d.body, bytes: d.bytes }
  // The parse is this comparison's own and nothing reads it after normalization: no copy.
  if (d.body.kind === 'json') side.json = normalizeOwned(d.body.value, plan)
  return { ok: true, side }
}

/**
 * The candidate sent the primary's very bytes, with the same content type and encoding: they
 * decode to the same body. A faithful port answers most requests so (the comparison's common
 * case); decoding and normalizing the body once instead of twice saves ~40% of a comparison
 * (the bench's 2 KiB pair, identical, in a loop: 57 µs per exchange against 93-110).
 */
function sameBody (a: CapturedResponse, b: CapturedResponse): boolean {
  return a.body.length === b.body.length &&
    headerValue(a.headers, 'content-type') === headerValue(b.headers, 'content-type') &&
    headerValue(a.headers, 'content-encoding') === headerValue(b.headers, 'content-encoding') &&
    Buffer.from(a.body.buffer, a.body.byteOffset, a.body.byteLength).equals(b.body)
}

/** The candidate's side with the primary's decoded body (its own status and headers). */
function sharing (primary: PreparedSide, resp: CapturedResponse, plan: Plan): Prepared {
  return { ok: true, side: { ...primary, status: resp.status, headers: normalizeHeaders(resp.headers, plan) } }
}

/** The side with its body decoded: a chain of status and headers did not read it, the mismatch's sample still shows it. */
function readSide (compared: PreparedSide, resp: CapturedResponse, plan: Plan, maxBytes: number): PreparedSide {
  if (compared.body.kind !== 'unread' || resp.body.length > maxBytes) return compared
  const full = prepare(resp, plan)
  return full.ok ? full.side : compared
}

/** `secrets`: the exchange's secret header values (`secretHeaderValues`), scrubbed out of what is left. */
function summary (side: PreparedSide, plan: Plan, maxBytes: number, secrets: readonly string[]): SideSummary {
  const body = side.bytes.length > maxBytes
    ? { omitted: 'larger than the sample cap', length: side.bytes.length }
    : side.body.kind === 'json'
    ? redactJson(side.json, plan.redaction.paths)
    : side.body.kind === 'text' ? side.body.text
    : side.body.kind === 'binary' ? { sha256: side.body.sha256, length: side.body.length }
    : { omitted: 'not decodable', length: side.bytes.length }
  const headers = redactHeaders(side.headers, plan.redaction.headers, plan.redaction.query) as Record<string, string>
  return { status: side.status, headers: scrubValues(headers, secrets) as Record<string, string>, body: scrubValues(body, secrets) }
}

function sideRaw (side: PreparedSide, maxBytes: number, red: RawRedaction): RawBody {
  if (side.body.kind !== 'unread') return rawBody(side.body, side.bytes, maxBytes, red)
  // Still unread (readSide): too large to decode for a sample, or its encoding is broken.
  return { omitted: side.bytes.length > maxBytes ? 'larger than the sample cap' : 'not decodable', length: side.bytes.length }
}

function builtinContext (primary: PreparedSide, candidate: PreparedSide, plan: Plan, limits: CompareLimits): BuiltinContext {
  return { plan, primary, candidate, fields: new FieldSet(limits.maxFields), maxLcsCells: limits.maxLcsCells }
}

/** Primary vs secondary with the route's built-in comparators only (custom ones may decide, which says nothing about noise). */
function secondaryPaths (primary: PreparedSide, resp: CapturedResponse, route: CompiledRoute, limits: CompareLimits): string[] | undefined {
  const s = prepare(resp, route.plan, route.readsBodies)
  if (!s.ok) return undefined
  const ctx = builtinContext(primary, s.side, route.plan, limits)
  for (const step of route.steps) {
    if (step.kind === 'builtin' && step.impl.run(ctx) !== 'continue') return undefined
  }
  return [...ctx.fields.paths]
}

export async function runComparison (ex: Exchange, route: CompiledRoute, limits: CompareLimits = DEFAULT_COMPARE_LIMITS): Promise<ComparisonOutput> {
  const { plan } = route
  const counts: CountsByName = {}
  const p = prepare(ex.primary, plan, route.readsBodies)
  const c = p.ok && route.builtinOnly && sameBody(ex.primary, ex.candidate) ? sharing(p.side, ex.candidate, plan) : prepare(ex.candidate, plan, route.readsBodies)
  if (!p.ok) return { verdict: 'skipped', reason: p.reason, fields: [], paths: [], counts }
  if (!c.ok) {
    // The primary decoded: a candidate whose encoding is broken would break its clients too.
    return { verdict: c.reason === 'decode_error' ? 'candidate_error' : 'skipped', reason: c.reason, fields: [], paths: [], counts }
  }
  const ctx = builtinContext(p.side, c.side, plan, limits)
  const outcome = await runChain(route.steps, ctx, {
    comparatorTimeoutMs: limits.comparatorTimeoutMs,
    counts,
    view: () => ({
      route: ex.route,
      request: { method: ex.request.method, path: redactTarget(ex.request.path, plan.redaction.query), headers: redactHeaders(ex.request.headers, plan.redaction.headers, plan.redaction.query) },
      primary: publicSide(p.side),
      candidate: publicSide(c.side),
    }),
  })
  const out: ComparisonOutput = { verdict: outcome.verdict, decidedBy: outcome.decidedBy, fields: [], paths: [], counts }
  if (outcome.reason) out.reason = outcome.reason
  if (outcome.verdict === 'mismatch') {
    // A service may echo the request's credentials anywhere: in a JSON field, another header.
    const secrets = secretHeaderValues([ex.request.headers, ex.primary.headers, ex.candidate.headers], plan.redaction.headers)
    out.fields = redactFields(ctx.fields.list, plan.redaction, secrets)
    out.paths = [...ctx.fields.paths].sort()
    if (outcome.forgiven) out.forgiven = redactFields(outcome.forgiven, plan.redaction, secrets)
    const ps = readSide(p.side, ex.primary, plan, limits.maxSampleBytes)
    const cs = readSide(c.side, ex.candidate, plan, limits.maxSampleBytes)
    out.normalized = { primary: summary(ps, plan, limits.maxSampleBytes, secrets), candidate: summary(cs, plan, limits.maxSampleBytes, secrets) }
    const red = { paths: plan.redaction.paths, secrets }
    out.raw = { primary: sideRaw(ps, limits.maxSampleBytes, red), candidate: sideRaw(cs, limits.maxSampleBytes, red) }
  }
  // The references feed the noise model, which learns from matches and mismatches only
  // (result.ts `learn`): for any other verdict they would be computed and dropped unread.
  const learns = outcome.verdict === 'match' || outcome.verdict === 'mismatch'
  if (learns && route.spec.hasSecondary && ex.secondary && !ex.secondary.failure && !ex.secondary.truncated) {
    const sp = secondaryPaths(p.side, ex.secondary, route, limits)
    if (sp) out.secondaryPaths = sp
  }
  if (learns && !route.spec.hasSecondary && (ex.request.method === 'GET' || ex.request.method === 'HEAD')) {
    const fp = fingerprint(p.side)
    if (fp) out.fingerprint = fp
  }
  return out
}

function publicSide (side: PreparedSide): { status: number, headers: Record<string, string>, body: string | Uint8Array, json?: unknown } {
  // Never `unread` here: a route with a custom comparator reads bodies.
  const body = side.body.kind === 'json' || side.body.kind === 'text' ? side.body.text : side.bytes
  return side.json === undefined ? { status: side.status, headers: side.headers, body } : { status: side.status, headers: side.headers, body, json: side.json }
}
