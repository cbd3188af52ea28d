/**
 * Sections of the `/report` page built from the windowed statistics: the window selector, the
 * readiness verdict per route, the latency comparison, the endpoints table, and the live split
 * state with each route's climb. Plain HTML, everything from traffic escaped.
 */
import type { EndpointReport } from './route-stats.js'
import type { LatencyReport } from './latency.js'
import type { Readiness } from './readiness.js'
import { percent } from './readiness.js'
import { WINDOW_NAMES, type WindowName } from './windows.js'

const ESC: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }

/** HTML-escapes text for element content and quoted attributes. */
export function esc (value: unknown): string {
  return String(value).replace(/[&<>"']/g, (c) => ESC[c])
}

/**
 * The id of an endpoint row or a signature block on `/report`, so a sample page can link there:
 * the route and key percent-encoded (`%` and `.` spelt with `.`, so ids stay plain and two
 * different pairs never share one). Valid unescaped in an id and in a URL fragment.
 */
export function anchorId (kind: 'endpoint' | 'sig', route: string, key: string): string {
  return `${kind}-${encodeURIComponent(`${route}\n${key}`).replace(/[.%]/g, (c) => c === '.' ? '.2E' : '.')}`
}

/** The page shell shared by the report, the sample pages and the sign-in page (stylesheets only, no script). */
export function htmlPage (title: string, header: string, main: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)}</title>
<link rel="stylesheet" href="/assets/jsondiffpatch.css">
<link rel="stylesheet" href="/assets/report.css">
</head>
<body>
<header>${header}</header>
<main>
${main}
</main>
</body>
</html>
`
}

const STATE_LABEL: Record<Readiness['state'], string> = { ready: 'ready', not_ready: 'not ready', insufficient_data: 'not enough data' }

export function windowSelector (current: WindowName): string {
  return `<nav class="windows" aria-label="time window">window: ${WINDOW_NAMES.map((w) => w === current
    ? `<b class="window current">${w}</b>`
    : `<a class="window" href="/report?window=${w}">${w}</a>`).join(' ')}</nav>`
}

export function readinessBlock (r: Readiness): string {
  const reasons = r.reasons.length === 0 ? '' : `<ul class="reasons">${r.reasons.map((x) => `<li>${esc(x.message)}</li>`).join('')}</ul>`
  const bound = r.bound === undefined ? '' : `<p class="bound">${esc(r.bound.text)}</p>`
  return `<div class="readiness ${r.state}"><span class="state">${STATE_LABEL[r.state]}</span>${reasons}${bound}</div>`
}

const msText = (v: number | null): string => v === null ? '—' : `${v < 10 ? v.toFixed(2) : v.toFixed(1)} ms`

function latencyCells (l: LatencyReport): string {
  return `<td class="num">${msText(l.primary.p50)}</td><td class="num">${msText(l.candidate.p50)}</td><td class="num">${msText(l.primary.p99)}</td><td class="num">${msText(l.candidate.p99)}</td><td class="num${l.slower ? ' slower' : ''}">${l.ratio === null ? '—' : `×${l.ratio.toFixed(2)}`}</td>`
}

const LATENCY_HEAD = '<th class="num">p50 primary</th><th class="num">p50 candidate</th><th class="num">p99 primary</th><th class="num">p99 candidate</th><th class="num">p99 ratio</th>'

export function latencyTable (l: LatencyReport): string {
  if (l.samples === 0) return '<p class="empty">No measured exchange in this window.</p>'
  return `<table class="latency"><thead><tr><th class="num">measured</th>${LATENCY_HEAD}</tr></thead><tbody><tr><td class="num">${l.samples}</td>${latencyCells(l)}</tr></tbody></table>`
}

export function endpointsTable (route: string, endpoints: readonly EndpointReport[]): string {
  if (endpoints.length === 0) return '<p class="empty">No exchange in this window.</p>'
  return `<table class="endpoints"><thead><tr><th>endpoint</th><th class="num">total</th><th class="num">mismatch</th><th class="num">noise</th><th class="num">error</th><th class="num">mismatch rate</th>${LATENCY_HEAD}<th>top fields</th></tr></thead><tbody>${
    endpoints.map((e) => `<tr id="${esc(anchorId('endpoint', route, e.endpoint))}"><td><code>${esc(e.endpoint)}</code></td><td class="num">${e.total}</td><td class="num${e.verdicts.mismatch > 0 ? ' mismatch' : ''}">${e.verdicts.mismatch}</td><td class="num">${e.verdicts.noise}</td><td class="num${e.verdicts.candidate_error > 0 ? ' candidate_error' : ''}">${e.verdicts.candidate_error}</td><td class="num">${percent(e.mismatchRate)}</td>${latencyCells(e.latency)}<td>${
      e.topFields.map((f) => `<code>${esc(f.field)}</code>&nbsp;${f.count}`).join(', ')
    }</td></tr>`).join('')
  }</tbody></table>`
}

/** The live split state of one route, as the split registry reports it. */
interface LiveSplit {
  to?: string
  weight?: number
  fileWeight?: number
  tripped?: { reason: string, at: number } | null | boolean
  samples?: number
  candidateErrorRate?: number
  mismatches?: number
  p99?: { primary: number | null, candidate: number | null }
  state?: Readiness['state']
  reasons?: Readiness['reasons']
  windowMs?: number
  climb?: unknown
}

const LIVE_COLUMNS = 10

export function liveSection (live: Record<string, unknown>): string {
  const routes = Object.entries(live)
  if (routes.length === 0) return ''
  const rows = routes.map(([route, raw]) => {
    const v = (typeof raw === 'object' && raw !== null ? raw : {}) as LiveSplit
    const trip = v.tripped
    const guard = trip === null || trip === false || trip === undefined
      ? '<span class="guard ok">armed</span>'
      : `<span class="guard tripped">tripped${typeof trip === 'object' ? ` (${esc(trip.reason)}, ${esc(new Date(trip.at).toISOString())})` : ''}</span>`
    const state = v.state === undefined ? '—' : `<span class="readiness-badge ${v.state}">${STATE_LABEL[v.state]}</span>${
      (v.reasons ?? []).map((r) => `<div class="reason">${esc(r.message)}</div>`).join('')}`
    const weight = (w: number | undefined): string => w === undefined ? '—' : percent(w)
    return `<tr><td>${esc(route)}</td><td>${v.to === undefined ? '—' : esc(v.to)}</td><td class="num">${weight(v.weight)}</td><td class="num">${weight(v.fileWeight)}</td><td>${guard}</td><td class="num">${v.samples ?? '—'}</td><td class="num">${v.candidateErrorRate === undefined ? '—' : percent(v.candidateErrorRate)}</td><td class="num">${v.mismatches ?? '—'}</td><td class="num">${msText(v.p99?.primary ?? null)} / ${msText(v.p99?.candidate ?? null)}</td><td>${state}</td></tr>${climbRow(v.climb, v.fileWeight, v.weight, LIVE_COLUMNS)}`
  }).join('')
  return `<section><h2>Live split</h2><table class="live"><thead><tr><th>route</th><th>candidate</th><th class="num">live weight</th><th class="num">file weight</th><th>guard</th><th class="num">samples</th><th class="num">error rate</th><th class="num">mismatches</th><th class="num">p99 primary / candidate</th><th>readiness</th></tr></thead><tbody>${rows}</tbody></table></section>\n`
}

/** A route's climb, as `live[route].climb` of /api/report has it (`ClimbStatus`, src/split/climb.ts). */
interface LiveClimb {
  steps?: number[]
  approval?: string
  step?: number | null
  atWeightMs?: number
  samplesAtWeight?: number
  next?: number | null
  awaitingApproval?: boolean
  stopped?: 'tripped' | 'rolled_back' | null
  waitingFor?: string[]
}

/** "45 s", "3 min 20 s", "2 h 5 min": the time at a step, to the unit that matters. */
export function spanText (ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000))
  if (s < 60) return `${s} s`
  if (s < 3600) return `${Math.floor(s / 60)} min${s % 60 === 0 ? '' : ` ${s % 60} s`}`
  const m = Math.floor(s / 60) % 60
  return `${Math.floor(s / 3600)} h${m === 0 ? '' : ` ${m} min`}`
}

/**
 * The row under a route's live split row when it climbs: the ladder from the file weight (the
 * live weight in bold), the step, the time and the samples at it, and what the next step waits
 * for. '' for a route without a climb.
 */
export function climbRow (raw: unknown, fileWeight: number | undefined, weight: number | undefined, columns: number): string {
  if (typeof raw !== 'object' || raw === null) return ''
  const c = raw as LiveClimb
  const steps = c.steps ?? []
  const ladder = [...fileWeight === undefined ? [] : [fileWeight], ...steps]
    .map((w) => w === weight ? `<b>${percent(w)}</b>` : percent(w)).join(' → ')
  const at = c.step === undefined ? '' : c.step === null
    ? 'off the ladder (weight set by an operator)'
    : c.step === 0 ? 'starting weight' : `step ${c.step} of ${steps.length}`
  const facts = [
    at,
    c.atWeightMs === undefined ? '' : `${spanText(c.atWeightMs)} at it`,
    c.samplesAtWeight === undefined ? '' : `${c.samplesAtWeight} samples at it`,
    c.approval === undefined ? '' : `approval ${esc(c.approval)}`,
  ].filter((f) => f !== '').join(' · ')
  const waits = (c.waitingFor ?? []).map((w) => `<li>${esc(w)}</li>`).join('')
  const next = typeof c.next === 'number' ? percent(c.next) : undefined
  const state = c.stopped === 'tripped' ? 'stopped: guard tripped'
    : c.stopped === 'rolled_back' ? 'stopped: rolled back'
      : c.next === null ? 'at the top of its climb'
        : next === undefined ? ''
          : c.awaitingApproval === true ? `awaiting approval for ${next}`
            : `next ${next}${waits === '' ? ': due on the next sample' : ' waits for:'}`
  return `<tr class="climb"><td colspan="${columns}">climb ${ladder}${facts === '' ? '' : ` · ${facts}`}${
    state === '' ? '' : ` <span class="climb-state">${state}</span>`}${waits === '' ? '' : `<ul class="waiting">${waits}</ul>`}</td></tr>`
}
