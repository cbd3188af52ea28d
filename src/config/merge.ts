/**
 * `defaults.shadow` and `defaults.compare` merged under every route, on the raw (parsed,
 * not yet validated) object, so that zod's own defaults never mask the file's defaults.
 *
 * - The route's keys win. Nested mappings (`circuit`, `headers`, `numbers`, `arrays`) merge
 *   key by key; lists (`methods`, `ignore`, `masks`, `comparators`) are replaced, not appended.
 * - `defaults.shadow` only applies to routes that have a `shadow:` block: a default never
 *   turns mirroring on by itself (`shadow: {}` takes everything from the defaults).
 * - `defaults.compare` applies to every route.
 */

export type Plain = Record<string, unknown>

export function isPlain (v: unknown): v is Plain {
  return v !== null && typeof v === 'object' && !Array.isArray(v)
}

function mergeUnder (defaults: Plain, own: Plain): Plain {
  const out: Plain = { ...defaults }
  for (const [k, v] of Object.entries(own)) {
    const d = defaults[k]
    out[k] = isPlain(d) && isPlain(v) ? { ...d, ...v } : v
  }
  return out
}

/** A new object with the defaults merged in; the input is not modified. Non-objects pass through for zod to report. */
export function mergeDefaults (raw: unknown): unknown {
  if (!isPlain(raw) || !Array.isArray(raw.routes)) return raw
  const defaults = isPlain(raw.defaults) ? raw.defaults : {}
  const shadow = isPlain(defaults.shadow) ? defaults.shadow : undefined
  const compare = isPlain(defaults.compare) ? defaults.compare : undefined
  if (!shadow && !compare) return raw
  const routes = raw.routes.map((r: unknown) => {
    if (!isPlain(r)) return r
    const out: Plain = { ...r }
    if (shadow && isPlain(r.shadow)) out.shadow = mergeUnder(shadow, r.shadow)
    if (compare && (r.compare === undefined || isPlain(r.compare))) out.compare = mergeUnder(compare, isPlain(r.compare) ? r.compare : {})
    return out
  })
  return { ...raw, routes }
}
