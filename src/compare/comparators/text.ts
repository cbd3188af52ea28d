/**
 * `text`: bodies compared as text with runs of whitespace collapsed and masks applied. Binary
 * bodies fall back to `bytes`. A difference is one field `body` showing an excerpt of each side
 * around the first differing character (bodies can be large; the sample store keeps them whole).
 */
import { maskString } from '../masks.js'
import { bytesComparator } from './bytes.js'
import type { BuiltinComparator, BuiltinContext, PreparedSide } from './context.js'

const EXCERPT = 60

export function normalizeText (text: string, ctx: BuiltinContext): string {
  const collapsed = text.replace(/\s+/g, ' ').trim()
  return ctx.plan.masks.strings.length > 0 ? maskString(collapsed, ctx.plan.masks) : collapsed
}

function excerpt (s: string, at: number): string {
  const start = Math.max(0, at - EXCERPT)
  return (start > 0 ? '…' : '') + s.slice(start, at + EXCERPT) + (at + EXCERPT < s.length ? '…' : '')
}

function textOf (side: PreparedSide): string | undefined {
  return side.body.kind === 'binary' || side.body.kind === 'unread' ? undefined : side.body.text
}

export const textComparator: BuiltinComparator = {
  name: 'text',
  run (ctx) {
    const pt = textOf(ctx.primary)
    const ct = textOf(ctx.candidate)
    if (pt === undefined || ct === undefined) return bytesComparator.run(ctx)
    const p = normalizeText(pt, ctx)
    const c = normalizeText(ct, ctx)
    if (p === c) return 'continue'
    let i = 0
    while (i < p.length && p[i] === c[i]) i++
    ctx.fields.add({ path: 'body', concretePath: 'body', kind: 'changed', primary: excerpt(p, i), candidate: excerpt(c, i) })
    return 'continue'
  },
}
