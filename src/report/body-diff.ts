/**
 * The body diff of a sample page: jsondiffpatch's HTML formatter, with the differences the
 * comparator chain forgave (a custom comparator dropped them before deciding) marked as
 * forgiven, not struck through as failures. A node is forgiven when a forgiven field has its
 * grouping path, kind and values: the display diff does not know the comparison's paths, so it
 * matches on what both show.
 */
import { diff, type Delta } from 'jsondiffpatch'
import HtmlFormatter from 'jsondiffpatch/formatters/html'
import type { DeltaType, NodeType } from 'jsondiffpatch/formatters/base'
import stringify from 'fast-json-stable-stringify'
import { formatPath, type Segment } from '../compare/jsonpath.js'
import type { ForgivenField } from '../compare/types.js'
import { esc } from './report-sections.js'

type Context = Parameters<HtmlFormatter['nodeBegin']>[0]

/** Grouping path of a node of the displayed value: a sample's side is `{ status, headers, body }` or the body itself. */
function groupingPath (segs: readonly Segment[], wrapped: boolean): string | undefined {
  if (!wrapped) return formatPath(segs, true)
  const [head, ...rest] = segs
  if (head === 'body') return formatPath(rest, true)
  if (head === 'headers' && rest.length === 1) return `header:${String(rest[0])}`
  return head === 'status' && rest.length === 0 ? 'status' : undefined
}

const same = (a: unknown, b: unknown): boolean => stringify(a ?? null) === stringify(b ?? null)

function matches (f: ForgivenField, type: DeltaType, delta: unknown): boolean {
  const d = delta as unknown[]
  if (type === 'modified') return (f.kind === 'changed' || f.kind === 'type') && same(f.primary, d[0]) && same(f.candidate, d[1])
  if (type === 'added') return f.kind === 'added' && same(f.candidate, d[0])
  if (type === 'deleted') return f.kind === 'removed' && same(f.primary, d[0])
  return false
}

class ForgivingFormatter extends HtmlFormatter {
  private readonly path: Segment[] = []
  private delta: unknown

  constructor (private readonly forgiven: readonly ForgivenField[], private readonly wrapped: boolean) { super() }

  override recurse (...args: Parameters<HtmlFormatter['recurse']>): undefined {
    const [, delta, , key, leftKey] = args
    // array items group as [*]: any number stands for the index
    if (key !== undefined) this.path.push(typeof leftKey === 'number' ? 0 : key)
    this.delta = delta
    try {
      return super.recurse(...args)
    } finally {
      if (key !== undefined) this.path.pop()
    }
  }

  override nodeBegin (context: Context, key: string, leftKey: string | number, type: DeltaType, nodeType: NodeType): void {
    const at = groupingPath(this.path, this.wrapped)
    const f = at === undefined ? undefined : this.forgiven.find((x) => x.path === at && matches(x, type, this.delta))
    if (f === undefined) { super.nodeBegin(context, key, leftKey, type, nodeType); return }
    const label = typeof leftKey === 'number' && key.startsWith('_') ? key.slice(1) : key
    context.out(`<li class="jsondiffpatch-${type} forgiven" data-key="${esc(key)}" title="forgiven by ${esc(f.by)}">` +
      `<div class="jsondiffpatch-property-name">${esc(label)} <span class="forgiven-by">forgiven by ${esc(f.by)}</span></div>`)
  }
}

/** HTML of the diff of two displayed sides, or undefined when they are equal. */
export function bodyDiffHtml (primary: unknown, candidate: unknown, forgiven: readonly ForgivenField[] = []): string | undefined {
  const delta: Delta = diff(primary, candidate)
  if (delta === undefined) return undefined
  const wrapped = typeof primary === 'object' && primary !== null && 'status' in primary && 'headers' in primary && 'body' in primary
  return new ForgivingFormatter(forgiven, wrapped).format(delta, primary)
}
