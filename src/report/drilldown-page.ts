/**
 * One stored sample as a page (`/report/samples/:id`): the request with its redacted headers,
 * both sides' status, time and normalized body side by side, the field diffs, the verdict and
 * why (reason, fields explained as noise, differences a custom comparator forgave, marked as
 * such in the body diff), and links back to its route and signature. A sample
 * no longer stored gets a page that says so and why that happens.
 */
import { bodiesBlock, fieldTable } from './report-page.js'
import { esc, htmlPage } from './report-sections.js'
import type { Sample } from './samples.js'

const back = '<a href="/report">← report</a>'

export function renderSamplePage (s: Sample, endpoint: string | undefined): string {
  const headers = Object.entries(s.request.headers).map(([k, v]) =>
    `<tr><td><code>${esc(k)}</code></td><td><code>${esc(Array.isArray(v) ? v.join(', ') : v)}</code></td></tr>`).join('')
  const side = (name: 'primary' | 'candidate'): string => `<div class="side ${name}"><h3>${name}</h3>
<p>status <b>${s.status[name]}</b> · ${esc(s.durationMs[name].toFixed(1))} ms</p>
${s.bodies === undefined ? '<p class="empty">No normalized body (not JSON, or omitted for size).</p>' : `<pre><code>${esc(JSON.stringify(s.bodies[name], null, 2))}</code></pre>`}</div>`
  const forgiven = s.forgiven ?? []
  const why = [
    s.reason === undefined ? '' : `<li>reason <code>${esc(s.reason)}</code></li>`,
    s.noise.length === 0 ? '' : `<li>explained as noise (ignored after the noise check): ${s.noise.map((n) => `<code>${esc(n)}</code>`).join(' ')}</li>`,
    s.fields.length === 0 ? '' : `<li>${s.fields.length} differing field${s.fields.length === 1 ? '' : 's'} left after normalization, masks and comparators</li>`,
    forgiven.length === 0 ? '' : `<li>${forgiven.length} difference${forgiven.length === 1 ? '' : 's'} forgiven by ${[...new Set(forgiven.map((f) => f.by))].map((b) => `<code>${esc(b)}</code>`).join(' ')}: found, then not counted (marked in the body diff)</li>`,
  ].join('')
  const main = `<section><h2><span class="verdict ${esc(s.verdict)}">${esc(s.verdict.replace('_', ' '))}</span> <code>${esc(s.request.method)} ${esc(s.request.path)}</code></h2>
<p>route <a href="/report#route-${esc(s.route)}">${esc(s.route)}</a>${endpoint === undefined ? '' : ` · endpoint <code>${esc(endpoint)}</code>`} · signature <code class="sig">${esc(s.signature)}</code> · ${esc(new Date(s.time).toISOString())}${s.traceId === undefined ? '' : ` · trace <code>${esc(s.traceId)}</code>`} · <a href="/api/diffs/${encodeURIComponent(s.id)}">JSON</a></p>
${why === '' ? '' : `<ul class="why">${why}</ul>`}
<h3>Field diffs</h3>
${s.fields.length === 0 ? '<p class="empty">No field diffs.</p>' : fieldTable(s.fields)}
${forgiven.length === 0 ? '' : `<h3>Forgiven <small>by custom comparators; not failures</small></h3>\n${fieldTable(forgiven)}`}
<h3>Request headers <small>redacted</small></h3>
<table class="headers"><tbody>${headers}</tbody></table>
<h3>Responses <small>normalized</small></h3>
<div class="sides">${side('primary')}${side('candidate')}</div>
${bodiesBlock(s)}</section>`
  return htmlPage(`sample ${s.id}`, `<h1>sample ${esc(s.id)}</h1><p>${back}</p>`, main)
}

export function renderEvictedPage (id: string, retention: string): string {
  return htmlPage(`sample ${id}`, `<h1>sample ${esc(id)}</h1><p>${back}</p>`,
    `<section class="evicted"><h2>This sample is no longer stored</h2><p>Sample <code>${esc(id)}</code> was evicted or expired, or was never stored. ${esc(retention)}</p>
<p>The signature it belonged to is still counted in the <a href="/report">report</a>; a newer sample of it may be stored there.</p></section>`)
}
