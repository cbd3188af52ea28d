/**
 * The `/report` page: plain server-rendered HTML, no script, no build step, no CDN. Routes
 * with verdict counts and rates, top differing fields, and per signature one stored sample:
 * its field diffs as a table and its normalized bodies through jsondiffpatch's HTML
 * formatter (changed values side by side, old → new). Every value that came from traffic
 * (paths, headers, bodies, route-visible strings) goes through `esc`; the formatter escapes
 * its own output. The stylesheets are served by the admin server (`ASSETS`), and the CSP
 * there forbids scripts, so even a missed escape could not run code.
 */
import { readFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import type { FieldDiff, ForgivenField } from '../compare/types.js'
import type { SignatureReport } from './aggregates.js'
import { bodyDiffHtml } from './body-diff.js'
import { VERDICTS } from './aggregates.js'
import { REPORT_CSS } from './report-css.js'
import type { Report, ReportRoute } from './reporter.js'
import type { Sample, SampleStore } from './samples.js'
import { fieldTreeHtml } from './field-tree-html.js'
import { anchorId, endpointsTable, esc, htmlPage, latencyTable, liveSection, readinessBlock, windowSelector } from './report-sections.js'

export interface Asset { type: string, body (): Promise<string> }

let jdpCss: Promise<string> | undefined

export const ASSETS: Record<string, Asset> = {
  'report.css': { type: 'text/css; charset=utf-8', body: async () => REPORT_CSS },
  'jsondiffpatch.css': {
    type: 'text/css; charset=utf-8',
    // createRequire().resolve honours the package's exports map under any loader
    // (import.meta.resolve under ts-node's loader appends `.js` to the .css path).
    body: () => (jdpCss ??= readFile(createRequire(import.meta.url).resolve('jsondiffpatch/formatters/styles/html.css'), 'utf8')),
  },
}

export { esc }

const pct = (r: number): string => `${(r * 100).toFixed(r > 0 && r < 0.001 ? 3 : 1)}%`
const json = (v: unknown): string => v === undefined ? '—' : JSON.stringify(v)
/** Signatures shown per route; the JSON API has them all. */
const MAX_SIGNATURES = 20

/** `headerExtra`: trusted markup for the header (the admin server's sign-out form). */
export function renderReportPage (report: Report & { live?: Record<string, unknown> }, samples: SampleStore, headerExtra = ''): string {
  const body = report.routes.length === 0
    ? '<p class="empty">No comparisons yet. Send traffic through a route with <code>shadow:</code> configured.</p>'
    : summaryTable(report.routes) + report.routes.map((r) => routeSection(r, samples)).join('\n')
  const live = liveSection(report.live ?? {})
  const window = report.window ?? 'all'
  return htmlPage('shadowfig report', `<h1>shadowfig report</h1><p>Generated ${esc(report.generatedAt)} · ${window === 'all' ? 'counts since process start' : `last ${window}`} ·
<a href="/api/report?window=${window}">JSON</a> · <a href="/metrics">metrics</a></p>${headerExtra}${windowSelector(window)}`, `${live}${body}`)
}


function summaryTable (routes: readonly ReportRoute[]): string {
  const rows = routes.map((r) => `<tr><td><a href="#route-${esc(r.route)}">${esc(r.route)}</a></td><td class="num">${r.total}</td>${
    VERDICTS.map((v) => `<td class="num${r.verdicts[v] > 0 && v !== 'match' ? ' ' + v : ''}">${r.verdicts[v]}</td>`).join('')
  }<td class="num rate">${pct(r.mismatchRate)}</td><td class="num">${pct(r.errorRate)}</td><td>${r.readiness === undefined ? '—' : `<span class="readiness-badge ${r.readiness.state}">${esc(r.readiness.state.replace('_', ' '))}</span>`}</td></tr>`).join('\n')
  return `<section><h2>Routes</h2><table class="summary"><thead><tr><th>route</th><th>total</th>${
    VERDICTS.map((v) => `<th>${v.replace('_', ' ')}</th>`).join('')
  }<th>mismatch rate</th><th>error rate</th><th>readiness</th></tr></thead><tbody>
${rows}
</tbody></table></section>`
}

function routeSection (r: ReportRoute, samples: SampleStore): string {
  const fields = r.topFields.length === 0
    ? '<p class="empty">No differing fields.</p>'
    : `<table class="fields"><thead><tr><th>field</th><th>mismatches</th><th>rate</th></tr></thead><tbody>${
      r.topFields.map((f) => `<tr><td><code>${esc(f.field)}</code></td><td class="num">${f.count}</td><td class="num">${pct(f.rate)}</td></tr>`).join('')
    }</tbody></table>`
  const sigs = r.signatures.slice(0, MAX_SIGNATURES).map((s) => signatureBlock(r.route, s, samples)).join('\n')
  const more = r.signatures.length > MAX_SIGNATURES ? `<p class="note">${r.signatures.length - MAX_SIGNATURES} more signatures in <a href="/api/report">the JSON report</a>.</p>` : ''
  return `<section class="route" id="route-${esc(r.route)}">
<h2>${esc(r.route)} <small>${r.total} compared · ${pct(r.mismatchRate)} mismatch${(r.undecided ?? 0) > 0 ? ` · ${r.undecided} undecided (waiting for noise evidence, in no count yet)` : ''}</small></h2>
${r.readiness === undefined ? '' : readinessBlock(r.readiness)}
${r.latency === undefined ? '' : `<h3>Latency</h3>\n${latencyTable(r.latency)}`}
${r.endpoints === undefined ? '' : `<h3>Endpoints</h3>\n${endpointsTable(r.route, r.endpoints)}`}
<h3>Top differing fields <small>since start</small></h3>
${fields}
${r.fieldTree === undefined ? '' : `<h3>Fields by JSON path <small>since start · % of compared exchanges failing, and explained as noise</small></h3>
${fieldTreeHtml(r.fieldTree)}${(r.endpoints ?? []).filter((e) => e.fieldTree.length > 0).map((e) =>
  `<details class="endpoint-tree"><summary>endpoint <code>${esc(e.endpoint)}</code></summary>${fieldTreeHtml(e.fieldTree)}</details>`).join('')}`}
<h3>Signatures</h3>
${sigs || '<p class="empty">No non-match verdicts.</p>'}${more}
</section>`
}

function signatureBlock (route: string, s: SignatureReport, samples: SampleStore): string {
  // Shown: the oldest sample still stored, which is the signature's first seen while memory
  // allows (samples.ts keeps it longest), so the link stays good while newer samples replace
  // the latest; the other stored samples are linked below it, newest first.
  const stored = s.sampleIds.map((id) => samples.get(id)).filter((x): x is Sample => x !== undefined)
  const sample = stored[stored.length - 1]
  const head = `<h4><span class="verdict ${esc(s.verdict)}">${esc(s.verdict.replace('_', ' '))}</span> ×${s.count}
<code class="sig">${esc(s.signature.slice(0, 12))}</code> <span class="paths">${s.fields.map((f) => `<code>${esc(f)}</code>`).join(' ')}</span>
<small>last ${esc(new Date(s.lastSeen).toISOString())}</small></h4>`
  const others = stored.slice(0, -1)
  const more = others.length === 0
    ? ''
    : `<p class="note">Also stored: ${others.map((o) => `<a class="sample-also" href="/report/samples/${encodeURIComponent(o.id)}">${esc(o.id)}</a>`).join(' · ')}</p>`
  return `<article class="signature" id="${esc(anchorId('sig', route, s.signature))}">${head}${sample ? sampleBlock(sample) + more : '<p class="empty">No stored sample (evicted or expired).</p>'}</article>`
}

function sampleBlock (s: Sample): string {
  const status = `${s.status.primary} / ${s.status.candidate}${s.status.secondary !== undefined ? ` / ${s.status.secondary}` : ''}`
  const meta = `<p class="request"><code>${esc(s.request.method)} ${esc(s.request.path)}</code> · status primary/candidate ${esc(status)}
· ${esc(s.durationMs.primary.toFixed(1))} ms / ${esc(s.durationMs.candidate.toFixed(1))} ms${s.reason ? ` · reason <code>${esc(s.reason)}</code>` : ''}
· <a class="sample-link" href="/report/samples/${encodeURIComponent(s.id)}">sample ${esc(s.id)}</a> (<a href="/api/diffs/${encodeURIComponent(s.id)}">JSON</a>)</p>`
  return meta + fieldTable(s.fields) + bodiesBlock(s)
}

/** Field diffs as a table; forgiven fields (they carry `by`) get their own style and a column naming the comparator. */
export function fieldTable (fields: ReadonlyArray<FieldDiff | ForgivenField>): string {
  if (fields.length === 0) return ''
  const shown = fields.slice(0, 50)
  const forgiven = shown.some((f) => 'by' in f)
  return `<table class="diff${forgiven ? ' forgiven' : ''}"><thead><tr><th>path</th><th>kind</th><th>primary</th><th>candidate</th>${forgiven ? '<th>forgiven by</th>' : ''}</tr></thead><tbody>${
    shown.map((f) => `<tr class="${esc(f.kind)}"><td><code>${esc(f.concretePath)}</code></td><td>${esc(f.kind)}</td><td class="val primary"><code>${esc(json(f.primary))}</code></td><td class="val candidate"><code>${esc(json(f.candidate))}</code></td>${'by' in f ? `<td><code>${esc(f.by)}</code></td>` : ''}</tr>`).join('')
  }</tbody></table>${fields.length > shown.length ? `<p class="note">${fields.length - shown.length} more fields in the sample JSON.</p>` : ''}`
}

export function bodiesBlock (s: Sample): string {
  if (s.bodiesOmitted) return '<p class="note">Bodies omitted from this sample (too large).</p>'
  if (s.bodies === undefined) return ''
  const html = bodyDiffHtml(s.bodies.primary, s.bodies.candidate, s.forgiven)
  if (html === undefined) return '<p class="note">Bodies are equal after normalization.</p>'
  // A CSS-only toggle (the page runs no script): unchanged values hidden until asked for.
  const id = `u-${esc(s.id)}`
  return `<details class="bodies" open><summary>Body diff (primary → candidate, normalized)</summary>
<input type="checkbox" class="toggle" id="${id}"><label for="${id}">show unchanged fields</label>
<div class="jdp">${html}</div></details>`
}
