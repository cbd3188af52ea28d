/**
 * Browser sessions for the report pages off loopback (docs/admin-api.md, "Browser sign-in"):
 * signing in with the admin token yields a random session id in an HttpOnly, SameSite=Strict
 * cookie scoped to `/report`. A session opens only the report pages (GET), never `/api/*`
 * or a mutation: those keep needing the Bearer header, so a stolen or CSRF-ridden cookie can
 * read the report at worst. Sessions live in memory (a restart signs everyone out), expire,
 * and are bounded in number: past `max`, signing in evicts the oldest session. Wrong tokens
 * are limited to `maxFailures` a minute for the whole process (not per client: behind a
 * proxy every client has its address, and a per-address table would grow with them): past
 * that, sign-in refuses without looking at the token until the minute has passed. Scripts
 * with the header and loopback browsers are not affected.
 */
import { randomBytes } from 'node:crypto'
import type { IncomingMessage } from 'node:http'
import { readCookie } from '../routing/cohort.js'

export const SESSION_COOKIE = 'shadowfig_session'

export interface SessionOptions {
  /** Sessions kept at once (default 64). */
  max?: number
  /** Lifetime of a session, ms (default 12 h). */
  ttlMs?: number
  /** Wrong tokens accepted per minute before sign-in pauses (default 10). */
  maxFailures?: number
  now?: () => number
}

export class Sessions {
  readonly max: number
  readonly ttlMs: number
  readonly maxFailures: number
  private readonly now: () => number
  /** Times of the recent wrong tokens, oldest first (at most maxFailures). */
  private failures: number[] = []
  /** id → expiry; insertion order is age order, so the first key is the oldest. */
  private readonly live = new Map<string, number>()

  constructor (opts: SessionOptions = {}) {
    this.max = opts.max ?? 64
    this.ttlMs = opts.ttlMs ?? 12 * 3600_000
    this.maxFailures = opts.maxFailures ?? 10
    this.now = opts.now ?? Date.now
  }

  /** True while `maxFailures` wrong tokens came within the last minute. */
  throttled (): boolean {
    const since = this.now() - 60_000
    this.failures = this.failures.filter((t) => t > since)
    return this.failures.length >= this.maxFailures
  }

  failed (): void {
    this.failures.push(this.now())
    if (this.failures.length > this.maxFailures) this.failures.shift()
  }

  get size (): number { return this.live.size }

  create (): string {
    // 256 random bits: ids are unguessable, so the map lookup needs no constant-time compare.
    const id = randomBytes(32).toString('base64url')
    while (this.live.size >= this.max) this.live.delete(this.live.keys().next().value as string)
    this.live.set(id, this.now() + this.ttlMs)
    return id
  }

  /** The request's session id when it is live; expired ones are dropped on sight. */
  valid (req: IncomingMessage): boolean {
    const id = sessionId(req)
    if (id === undefined) return false
    const expires = this.live.get(id)
    if (expires === undefined) return false
    if (expires > this.now()) return true
    this.live.delete(id)
    return false
  }

  end (req: IncomingMessage): void {
    const id = sessionId(req)
    if (id !== undefined) this.live.delete(id)
  }
}

export function sessionId (req: IncomingMessage): string | undefined {
  return readCookie(req.headers.cookie ?? '', SESSION_COOKIE)
}

/** TLS to us, or a TLS-terminating proxy in front saying so: then the cookie is Secure. */
export function cameOverTls (req: IncomingMessage): boolean {
  const proto = req.headers['x-forwarded-proto']
  const first = (Array.isArray(proto) ? proto[0] : proto)?.split(',')[0]?.trim().toLowerCase()
  return (req.socket as { encrypted?: boolean }).encrypted === true || first === 'https'
}

export function sessionCookie (id: string, maxAgeMs: number, secure: boolean): string {
  return `${SESSION_COOKIE}=${id}; Path=/report; Max-Age=${Math.floor(maxAgeMs / 1000)}; HttpOnly; SameSite=Strict${secure ? '; Secure' : ''}`
}
