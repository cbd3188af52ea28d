/**
 * The field tree on the report page: nested `<details>` (open and close without script), one
 * line per JSON path node with its diff count, the share of compared exchanges where it fails,
 * and the share where it differed but was explained as noise, side by side.
 */
import type { FieldNodeReport } from './field-tree.js'
import { esc } from './report-sections.js'

const pct = (r: number): string => r === 0 ? '0%' : `${(r * 100).toFixed(r < 0.001 ? 3 : 1)}%`

/** The node's own step: `$.items[*].price` under `$.items[*]` shows `.price`. */
const label = (n: FieldNodeReport): string => n.parent === null ? n.path : n.path.slice(n.parent.length)

export function fieldTreeHtml (nodes: readonly FieldNodeReport[]): string {
  if (nodes.length === 0) return '<p class="empty">No differing fields.</p>'
  const children = new Map<string | null, FieldNodeReport[]>()
  for (const n of nodes) children.set(n.parent, [...(children.get(n.parent) ?? []), n])
  const line = (n: FieldNodeReport): string => `<span class="row"><span class="node"><code>${esc(label(n))}</code></span><span class="num">${n.diffs}</span><span class="num${n.failing > 0 ? ' failing' : ''}">${pct(n.failingRate)}</span><span class="num${n.noise > 0 ? ' noisy' : ''}">${pct(n.noiseRate)}</span></span>`
  const render = (n: FieldNodeReport, depth: number): string => {
    const kids = children.get(n.path)
    if (kids === undefined) return `<div class="leaf" title="${esc(n.path)}">${line(n)}</div>`
    return `<details${depth === 0 ? ' open' : ''}><summary title="${esc(n.path)}">${line(n)}</summary>${kids.map((k) => render(k, depth + 1)).join('')}</details>`
  }
  return `<div class="field-tree"><div class="head"><span class="row"><span>field</span><span class="num">diffs</span><span class="num">failing</span><span class="num">noise</span></span></div>${
    (children.get(null) ?? []).map((n) => render(n, 0)).join('')}</div>`
}
