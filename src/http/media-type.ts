/**
 * Media types (RFC 9110 §8.3.1) as values: `type/subtype` is case-insensitive, parameter names
 * are case-insensitive, a parameter value may be a quoted-string (`charset="utf-8"` is
 * `charset=utf-8`), and the charset value is case-insensitive. The body decoder reads the
 * essence and charset from here; the `headers` comparator compares content types by `sameMediaType`.
 */

export interface MediaType {
  /** `type/subtype`, lower-case; '' when the value has none. */
  essence: string
  /** Parameters in order, names lower-case, values unquoted (charset lower-cased). */
  params: Array<[string, string]>
}

export function parseMediaType (value: string | undefined): MediaType {
  if (!value) return { essence: '', params: [] }
  const semi = value.indexOf(';')
  const essence = (semi < 0 ? value : value.slice(0, semi)).trim().toLowerCase()
  const params: Array<[string, string]> = []
  // name=token or name="quoted \"string\""; anything unparseable ends the list
  const re = /;\s*([^\s=;]+)\s*=\s*(?:"((?:\\.|[^"\\])*)"|([^;\s]*))\s*/gy
  re.lastIndex = semi < 0 ? value.length : semi
  for (let m = re.exec(value); m !== null; m = re.exec(value)) {
    const name = (m[1] as string).toLowerCase()
    const raw = m[2] !== undefined ? m[2].replace(/\\(.)/g, '$1') : (m[3] as string)
    params.push([name, name === 'charset' ? raw.toLowerCase() : raw])
  }
  return { essence, params }
}

/** JSON media types: application/json and any `+json` suffix (RFC 6839). */
export function isJsonEssence (essence: string): boolean {
  return essence === 'application/json' || essence.endsWith('+json') || essence.endsWith('/json')
}

export function charsetOf (t: MediaType): string | undefined {
  return t.params.find(([n]) => n === 'charset')?.[1]
}

/**
 * A comparable form: essence, then the parameters sorted by name. `charset` is dropped from
 * JSON types: JSON is UTF-8 by definition (RFC 8259 §8.1 defines no charset parameter, and
 * "adding one really has no effect on compliant recipients"), so it cannot change the meaning.
 */
export function canonicalMediaType (value: string): string {
  const t = parseMediaType(value)
  const json = isJsonEssence(t.essence)
  const params = t.params.filter(([n]) => !(json && n === 'charset')).sort(([a], [b]) => a < b ? -1 : a > b ? 1 : 0)
  return [t.essence, ...params.map(([n, v]) => `${n}=${v}`)].join('; ')
}

/** True when two content-type values mean the same media type. */
export function sameMediaType (a: string, b: string): boolean {
  return a === b || canonicalMediaType(a) === canonicalMediaType(b)
}
