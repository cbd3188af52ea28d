/**
 * One stored sample as a page (`/report/samples/:id`): the request with its redacted headers,
 * both sides' status, time and body side by side (normalized, and raw as sent: decoded,
 * redacted, capped), the field diffs, the verdict and why (reason, fields explained as noise,
 * differences a custom comparator forgave, marked as such in the body diff), and links back to
 * its route, its endpoint's row and its signature's block on `/report`. A sample no longer
 * stored gets a page that says so and why that happens.
 */
import { bodiesBlock, fieldTable } from './report-page.js'
import { anchorId, esc, htmlPage } from './report-sections.js'
import type { Sample } from './samples.js'
import { RAW_BODY_CAP } from '../compare/raw-body.js'
import type { RawBody } from '../compare/types.js'

const back = '<a href="/report">← report</a>'

export function renderSamplePage (s: Sample): string {
  const headers = Object.entries(s.request.headers).map(([k, v]) =>
    `<tr><td><code>${esc(k)}</code></td><td><code>${esc(Array.isArray(v) ? v.join(', ') : v)}</code></td></tr>`).join('')
  // Two views per side as <details> (the page runs no script): normalized open, raw on demand.
  const side = (name: 'primary' | 'candidate'): string => `<div class="side ${name}"><h3>${name}</h3>
<p>status <b>${s.status[name]}</b> · ${esc(s.durationMs[name].toFixed(1))} ms</p>
<details class="view normalized" open><summary>normalized</summary>
${s.bodies === undefined ? `<p class="empty">No normalized body (${s.bodiesOmitted === true ? 'omitted for size' : 'not JSON'}).</p>` : `<pre><code>${esc(JSON.stringify(s.bodies[name], null, 2))}</code></pre>`}</details>
<details class="view raw"><summary>raw <small>as sent, decoded</small></summary>
${rawView(s.raw?.[name], s.bodiesOmitted === true)}</details></div>`
  const forgiven = s.forgiven ?? []
  const why = [
    s.reason === undefined ? '' : `<li>reason <code>${esc(s.reason)}</code></li>`,
    s.noise.length === 0 ? '' : `<li>explained as noise (ignored after the noise check): ${s.noise.map((n) => `<code>${esc(n)}</code>`).join(' ')}</li>`,
    s.fields.length === 0 ? '' : `<li>${s.fields.length} differing field${s.fields.length === 1 ? '' : 's'} left after normalization, masks and comparators</li>`,
    forgiven.length === 0 ? '' : `<li>${forgiven.length} difference${forgiven.length === 1 ? '' : 's'} forgiven by ${[...new Set(forgiven.map((f) => f.by))].map((b) => `<code>${esc(b)}</code>`).join(' ')}: found, then not counted (marked in the body diff)</li>`,
  ].join('')
  const main = `<section><h2><span class="verdict ${esc(s.verdict)}">${esc(s.verdict.replace('_', ' '))}</span> <code>${esc(s.request.method)} ${esc(s.request.path)}</code></h2>
<p>route <a href="/report#route-${esc(s.route)}">${esc(s.route)}</a>${s.endpoint === undefined ? '' : ` · endpoint <a class="endpoint-link" href="/report#${esc(anchorId('endpoint', s.route, s.endpoint))}"><code>${esc(s.endpoint)}</code></a>`} · signature <a class="sig-link" href="/report#${esc(anchorId('sig', s.route, s.signature))}"><code class="sig">${esc(s.signature)}</code></a> · ${esc(new Date(s.time).toISOString())}${s.traceId === undefined ? '' : ` · trace <code>${esc(s.traceId)}</code>`} · <a href="/api/diffs/${encodeURIComponent(s.id)}">JSON</a></p>
${why === '' ? '' : `<ul class="why">${why}</ul>`}
<h3>Field diffs</h3>
${s.fields.length === 0 ? '<p class="empty">No field diffs.</p>' : fieldTable(s.fields)}
${forgiven.length === 0 ? '' : `<h3>Forgiven <small>by custom comparators; not failures</small></h3>\n${fieldTable(forgiven)}`}
<h3>Request headers <small>redacted</small></h3>
<table class="headers"><tbody>${headers}</tbody></table>
<h3>Responses <small>normalized and raw, redacted</small></h3>
<div class="sides">${side('primary')}${side('candidate')}</div>
${bodiesBlock(s)}</section>`
  return htmlPage(`sample ${s.id}`, `<h1>sample ${esc(s.id)}</h1><p>${back}</p>`, main)
}

function rawView (raw: RawBody | undefined, omitted: boolean): string {
  if (raw === undefined) return `<p class="empty">No raw body (${omitted ? 'omitted for size' : 'kept for mismatches only'}).</p>`
  if ('omitted' in raw) return `<p class="empty">No raw body: ${esc(raw.omitted)} (${raw.length} bytes).</p>`
  const cut = raw.truncated === true ? `<p class="note">Cut at ${RAW_BODY_CAP / 1024} KiB of ${raw.length} bytes.</p>` : ''
  return `${cut}<pre><code>${esc(raw.text)}</code></pre>`
}

export function renderEvictedPage (id: string, retention: string): string {
  return htmlPage(`sample ${id}`, `<h1>sample ${esc(id)}</h1><p>${back}</p>`,
    `<section class="evicted"><h2>This sample is no longer stored</h2><p>Sample <code>${esc(id)}</code> was evicted or expired, or was never stored. ${esc(retention)}</p>
<p>The signature it belonged to is still counted in the <a href="/report">report</a>; a newer sample of it may be stored there.</p></section>`)
}
