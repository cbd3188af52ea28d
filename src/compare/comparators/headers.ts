/**
 * `headers`: the compared headers (route include/exclude, default ignores) must be equal after
 * masks. Paths are `header:<name>`. Values of secret and `redact:` headers never leave.
 * `content-type` is compared as a media type (src/http/media-type.ts), not as text: case,
 * quoting and parameter order do not differ, nor does a charset on JSON.
 */
import { sameMediaType } from '../../http/media-type.js'
import { REDACTED } from '../../logging/redact.js'
import type { BuiltinComparator } from './context.js'

export const headersComparator: BuiltinComparator = {
  name: 'headers',
  run (ctx) {
    const p = ctx.primary.headers
    const c = ctx.candidate.headers
    const names = [...new Set([...Object.keys(p), ...Object.keys(c)])].sort()
    for (const name of names) {
      const path = `header:${name}`
      const show = (v: string): string => ctx.plan.redaction.headers.has(name) ? REDACTED : v
      if (!(name in c)) ctx.fields.add({ path, concretePath: path, kind: 'removed', primary: show(p[name]) })
      else if (!(name in p)) ctx.fields.add({ path, concretePath: path, kind: 'added', candidate: show(c[name]) })
      else if (p[name] !== c[name] && !(name === 'content-type' && sameMediaType(p[name], c[name]))) ctx.fields.add({ path, concretePath: path, kind: 'changed', primary: show(p[name]), candidate: show(c[name]) })
    }
    return 'continue'
  },
}
