/**
 * Admin API access rules (docs/admin-api.md, "Access"):
 *  - with a token configured, token endpoints need `Authorization: Bearer <token>`, compared
 *    in constant time over SHA-256 digests (equal lengths, so neither the token's length nor
 *    a matching prefix leaks through timing);
 *  - without a token, token endpoints answer only to loopback clients (that also name a
 *    loopback Host, against DNS rebinding);
 *  - `/report` and its sample pages (opened in a browser, which cannot add the header) also
 *    open to loopback clients when a token is configured, and to a browser holding a session
 *    from signing in with the token (sessions.ts);
 *  - mutating endpoints refuse cross-origin browser requests (`Origin` not naming the admin
 *    host, or `Sec-Fetch-Site: cross-site`): a page elsewhere must not be able to make a
 *    loopback admin port roll back a split.
 */
import { createHash, timingSafeEqual } from 'node:crypto'
import type { IncomingMessage } from 'node:http'
import { isIP } from 'node:net'
import type { ErrorCode } from '../errors.js'
import type { Sessions } from './sessions.js'

export type AccessLevel = 'open' | 'token' | 'token-or-loopback'

export function isLoopback (address: string | undefined): boolean {
  if (address === undefined) return false
  const a = address.startsWith('::ffff:') && isIP(address.slice(7)) === 4 ? address.slice(7) : address
  return a === '::1' || (isIP(a) === 4 && a.startsWith('127.'))
}

/**
 * A Host header naming loopback: `localhost` and `*.localhost` (RFC 6761 §6.3), 127/8, ::1.
 * Absent Host (HTTP/1.0 tools) is fine: a browser always sends one.
 */
export function isLoopbackHost (host: string | undefined): boolean {
  if (host === undefined) return true
  let name: string
  try { name = new URL(`http://${host}`).hostname } catch { return false }
  if (name.startsWith('[')) name = name.slice(1, -1)
  return name === 'localhost' || name.endsWith('.localhost') || isLoopback(name)
}

const digest = (s: string): Buffer => createHash('sha256').update(s).digest()

export interface AdminAuthOptions {
  /** Browser sessions that open `token-or-loopback` endpoints. */
  sessions?: Sessions
  /**
   * Whether a loopback client (and Host) counts as trusted (default true). False treats every
   * client as remote, which is how tests drive the off-loopback paths over 127.0.0.1.
   */
  trustLoopback?: boolean
}

export class AdminAuth {
  private readonly tokenDigest: Buffer | undefined
  private readonly trustLoopback: boolean
  private readonly sessions: Sessions | undefined

  constructor (token: string | undefined, opts: AdminAuthOptions = {}) {
    this.tokenDigest = token === undefined || token === '' ? undefined : digest(token)
    this.trustLoopback = opts.trustLoopback ?? true
    this.sessions = opts.sessions
  }

  get hasToken (): boolean { return this.tokenDigest !== undefined }

  /** Constant-time: both sides are SHA-256 digests of equal length. */
  matches (token: string): boolean {
    return this.tokenDigest !== undefined && timingSafeEqual(digest(token), this.tokenDigest)
  }

  /** Undefined when allowed; otherwise the error code to answer with. */
  check (req: IncomingMessage, level: AccessLevel): ErrorCode | undefined {
    if (level === 'open') return undefined
    // DNS rebinding: a page on evil.example re-resolved to 127.0.0.1 talks to us from
    // loopback, same-origin in the browser's eyes; only its Host header gives it away.
    const loopback = this.trustLoopback && isLoopback(req.socket.remoteAddress) && isLoopbackHost(req.headers.host)
    if (this.tokenDigest === undefined) return loopback ? undefined : 'SHADOWFIG_ERR_FORBIDDEN'
    if (level === 'token-or-loopback' && (loopback || this.sessions?.valid(req) === true)) return undefined
    const m = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '')
    if (m === null) return 'SHADOWFIG_ERR_UNAUTHORIZED'
    return this.matches(m[1]) ? undefined : 'SHADOWFIG_ERR_UNAUTHORIZED'
  }
}

/** True when a browser says this request comes from another site than the admin host. */
export function isCrossOrigin (req: IncomingMessage): boolean {
  if (req.headers['sec-fetch-site'] === 'cross-site') return true
  const origin = req.headers.origin
  if (origin === undefined) return false
  try {
    return new URL(origin).host !== req.headers.host
  } catch {
    return true // `Origin: null` (sandboxed frames, file://) or garbage: not our page
  }
}
