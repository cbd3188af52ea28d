/**
 * `json`: normalized JSON bodies compared structurally. Equal canonical forms → no fields and
 * no structural diff; otherwise jsondiffpatch (see json-diff.ts) under the size cap.
 * When one side is JSON and the other is not, one field `body` of kind `type` says so. When
 * neither side is JSON the comparison falls back to `text` (or `bytes` for binary), so the
 * default chain [status, headers, json] is meaningful on every route.
 */
import { diffJson } from '../json-diff.js'
import { jsonEqual } from '../normalize.js'
import type { BuiltinComparator, PreparedSide } from './context.js'
import { textComparator } from './text.js'

function describe (side: PreparedSide): string {
  if (side.body.kind === 'text' && side.body.invalidJson) return 'invalid json'
  return side.body.kind
}

export const jsonComparator: BuiltinComparator = {
  name: 'json',
  run (ctx) {
    const pj = ctx.primary.body.kind === 'json'
    const cj = ctx.candidate.body.kind === 'json'
    if (!pj && !cj) return textComparator.run(ctx)
    if (pj !== cj) {
      ctx.fields.add({ path: 'body', concretePath: 'body', kind: 'type', primary: describe(ctx.primary), candidate: describe(ctx.candidate) })
      return 'continue'
    }
    if (jsonEqual(ctx.primary.json, ctx.candidate.json)) return 'continue'
    return diffJson(ctx.primary.json, ctx.candidate.json, ctx.plan, ctx.fields, ctx.maxLcsCells) ? 'continue' : { skip: 'diff_too_large' }
  },
}
