/** `status`: the status codes must be equal. */
import type { BuiltinComparator } from './context.js'

export const statusComparator: BuiltinComparator = {
  name: 'status',
  run (ctx) {
    const p = ctx.primary.status
    const c = ctx.candidate.status
    if (p !== c) ctx.fields.add({ path: 'status', concretePath: 'status', kind: 'changed', primary: p, candidate: c })
    return 'continue'
  },
}
