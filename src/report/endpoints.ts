/**
 * Endpoints within a route: method + path template. A route whose `match.path` is a template
 * (`/orders/:id`) has exactly that one path; otherwise the template is inferred from the
 * request path, each segment that looks like an identifier becoming `:id` (all digits, a UUID,
 * hex of 8+ characters, or 20+ characters mixing letters and digits, such as opaque tokens).
 * At most `maxPerRoute` endpoints per route; later ones count in one `other` bucket, so
 * high-cardinality paths that escape the rules cannot grow memory.
 */
import { queryStart } from '../routing/path.js'

export const OTHER_ENDPOINT = 'other'

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i
const HEX = /^(?=.*\d)[0-9a-f]{8,}$/i
const TOKEN = /^(?=.*\d)(?=.*[A-Za-z])[\w.~%-]{20,}$/

/** `:id` for a segment that identifies a resource rather than naming one. */
function templateSegment (segment: string): string {
  if (/^\d+$/.test(segment) || UUID.test(segment) || HEX.test(segment) || TOKEN.test(segment)) return ':id'
  return segment
}

/** The inferred template of a request target (query dropped). */
export function inferTemplate (target: string): string {
  const path = target.slice(0, queryStart(target))
  return path.split('/').map(templateSegment).join('/')
}

export class EndpointGrouper {
  private readonly maxPerRoute: number
  private readonly templates = new Map<string, string>()
  private readonly seen = new Map<string, Set<string>>()

  constructor (maxPerRoute = 50) {
    this.maxPerRoute = maxPerRoute
  }

  /** Route name → its `match.path` template, for routes that have one (call on every config load). */
  setTemplates (templates: ReadonlyMap<string, string>): void {
    this.templates.clear()
    for (const [route, t] of templates) this.templates.set(route, t)
  }

  /** `GET /orders/:id`, or `other` once the route has `maxPerRoute` endpoints. */
  endpoint (route: string, method: string, target: string): string {
    const key = `${method} ${this.templates.get(route) ?? inferTemplate(target)}`
    let seen = this.seen.get(route)
    if (seen === undefined) this.seen.set(route, seen = new Set())
    if (seen.has(key)) return key
    if (seen.size >= this.maxPerRoute) return OTHER_ENDPOINT
    seen.add(key)
    return key
  }
}
