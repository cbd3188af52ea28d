/**
 * Header rules for a faithful HTTP/1.1 intermediary (RFC 9110 §7.6.1, RFC 9112 §9.6).
 * Headers travel as flat raw arrays `[name, value, name, value, …]` so that order, case and
 * multiplicity (repeated set-cookie) survive the hop; nothing here builds an object per request.
 */

import { HOP_BY_HOP } from './headers.js'

/**
 * Fields that never cross the proxy: the connection-specific ones, and the proxy
 * authentication pair (RFC 9110 §11.7), which concerns one proxy hop, not the origin.
 */
const NOT_FORWARDED: ReadonlySet<string> = new Set([...HOP_BY_HOP, 'proxy-authenticate', 'proxy-authorization'])

/** Request fields the proxy owns: host is set per upstream, expect is answered locally. */
const REQUEST_OWNED = new Set(['host', 'expect', 'x-forwarded-for', 'x-forwarded-proto', 'x-forwarded-host'])

/**
 * Extra field names listed in `Connection: a, b` (also hop-by-hop), or undefined. Names that
 * are hop-by-hop anyway are left out, so the usual `Connection: keep-alive` costs no Set: this
 * runs twice per request (its request and its response).
 */
function connectionListed (raw: readonly string[]): Set<string> | undefined {
  let listed: Set<string> | undefined
  for (let i = 0; i < raw.length; i += 2) {
    if (raw[i].length === 10 && raw[i].toLowerCase() === 'connection') {
      const value = raw[i + 1]
      if (value.length === 10 && value.toLowerCase() === 'keep-alive') continue
      for (const token of value.split(',')) {
        const name = token.trim().toLowerCase()
        if (name && !NOT_FORWARDED.has(name)) (listed ??= new Set()).add(name)
      }
    }
  }
  return listed
}

export interface ForwardedInfo {
  clientIp: string | undefined
  proto: 'http' | 'https'
  /** Host header as the client sent it. */
  host: string | undefined
}

/** What the X-Forwarded-* headers say about a client request (the primary's and the mirrors' alike). */
export function forwardedInfo (req: { socket: { remoteAddress?: string }, headers: { host?: string } }): ForwardedInfo {
  return { clientIp: req.socket.remoteAddress, proto: 'http', host: req.headers.host }
}

/**
 * Upstream request headers from the client's raw headers: hop-by-hop and Connection-listed
 * fields removed; `Host` set to `hostHeader` (or kept with preserveHost);
 * `X-Forwarded-For` appended with the client address; `X-Forwarded-Proto`/`-Host` kept when a
 * front load balancer already set them (they describe the original client), else set.
 * `extra` pairs are appended last (request id, role).
 */
export function upstreamRequestHeaders (
  raw: readonly string[], hostHeader: string, preserveHost: boolean, fwd: ForwardedInfo, extra?: readonly string[],
): string[] {
  const listed = connectionListed(raw)
  const out: string[] = []
  let xff: string | undefined
  let xfProto: string | undefined
  let xfHost: string | undefined
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i]
    const lower = name.toLowerCase()
    if (NOT_FORWARDED.has(lower) || listed?.has(lower)) continue
    if (REQUEST_OWNED.has(lower)) {
      const v = raw[i + 1]
      if (lower === 'x-forwarded-for') xff = xff === undefined ? v : `${xff}, ${v}`
      else if (lower === 'x-forwarded-proto') xfProto ??= v
      else if (lower === 'x-forwarded-host') xfHost ??= v
      continue
    }
    out.push(name, raw[i + 1])
  }
  out.push('host', preserveHost && fwd.host ? fwd.host : hostHeader)
  if (fwd.clientIp) out.push('x-forwarded-for', xff === undefined ? fwd.clientIp : `${xff}, ${fwd.clientIp}`)
  else if (xff !== undefined) out.push('x-forwarded-for', xff)
  out.push('x-forwarded-proto', xfProto ?? fwd.proto)
  if (xfHost !== undefined || fwd.host) out.push('x-forwarded-host', xfHost ?? (fwd.host as string))
  if (extra) for (let i = 0; i < extra.length; i++) out.push(extra[i])
  return out
}

/**
 * Client response headers from the upstream's raw headers (Buffers from undici): hop-by-hop
 * and Connection-listed fields removed, everything else in order. Node re-frames the body
 * (content-length kept when present, chunked otherwise), so the client gets the same bytes.
 */
export function clientResponseHeaders (raw: readonly Buffer[]): string[] {
  const strs: string[] = new Array(raw.length)
  for (let i = 0; i < raw.length; i++) strs[i] = raw[i].toString('latin1')
  const listed = connectionListed(strs)
  const out: string[] = []
  for (let i = 0; i < strs.length; i += 2) {
    const lower = strs[i].toLowerCase()
    if (NOT_FORWARDED.has(lower) || listed?.has(lower)) continue
    out.push(strs[i], strs[i + 1])
  }
  return out
}

/** `[name, value]` tuples for `res.addTrailers` from undici's raw trailers. */
export function trailerTuples (raw: readonly Buffer[] | null | undefined): Array<[string, string]> {
  const out: Array<[string, string]> = []
  if (!raw) return out
  for (let i = 0; i + 1 < raw.length; i += 2) out.push([raw[i].toString('latin1'), raw[i + 1].toString('latin1')])
  return out
}

/** Lower-cased header map (repeated names as arrays) from a flat raw array; for captures. */
export function headerMap (raw: readonly string[]): Record<string, string | string[]> {
  const map: Record<string, string | string[]> = {}
  for (let i = 0; i < raw.length; i += 2) {
    const k = raw[i].toLowerCase()
    const prev = map[k]
    if (prev === undefined) map[k] = raw[i + 1]
    else if (Array.isArray(prev)) prev.push(raw[i + 1])
    else map[k] = [prev, raw[i + 1]]
  }
  return map
}
