/** `bytes`: the decoded bodies must be byte-identical; compared and reported as sha256 + length. */
import { createHash } from 'node:crypto'
import type { BuiltinComparator, PreparedSide } from './context.js'

function digest (side: PreparedSide): { sha256: string, length: number } {
  if (side.body.kind === 'binary') return { sha256: side.body.sha256, length: side.body.length }
  return { sha256: createHash('sha256').update(side.bytes).digest('hex'), length: side.bytes.length }
}

export const bytesComparator: BuiltinComparator = {
  name: 'bytes',
  run (ctx) {
    const p = digest(ctx.primary)
    const c = digest(ctx.candidate)
    if (p.sha256 !== c.sha256) ctx.fields.add({ path: 'body', concretePath: 'body', kind: 'changed', primary: p, candidate: c })
    return 'continue'
  },
}
