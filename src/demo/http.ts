/**
 * The demo backends' shared plumbing: a node:http server that answers every request with the
 * JSON its handler returns, on a loopback port (0 = any free port), and closes for good
 * (keep-alive sockets from the proxy's pools included) so a demo or test can exit cleanly.
 */
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'

export interface JsonReply { status: number, body: unknown }
/** `url` is the request's path and query parsed against a dummy origin. */
export type JsonHandler = (method: string, url: URL) => JsonReply

export interface Backend {
  readonly name: string
  readonly url: string
  readonly port: number
  close (): Promise<void>
}

export interface BackendOptions { port?: number, host?: string }

export async function serveJson (name: string, handler: JsonHandler, opts: BackendOptions = {}): Promise<Backend> {
  const host = opts.host ?? '127.0.0.1'
  const server = createServer((req, res) => {
    let reply: JsonReply
    try {
      // method and url are always set on a request an http.Server received (node docs).
      reply = handler(req.method as string, new URL(req.url as string, 'http://demo.invalid'))
    } catch (err) {
      // A bug in a demo handler must show up as what it is (a 500), not kill the demo.
      reply = { status: 500, body: { error: 'internal', message: (err as Error).message } }
    }
    const body = JSON.stringify(reply.body)
    res.writeHead(reply.status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body), 'x-served-by': name })
    res.end(req.method === 'HEAD' ? undefined : body)
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(opts.port ?? 0, host, () => { server.off('error', reject); resolve() })
  })
  const port = (server.address() as AddressInfo).port
  return {
    name,
    port,
    url: `http://${host}:${port}`,
    close: () => new Promise((resolve) => {
      server.close(() => resolve())
      server.closeAllConnections()
    }),
  }
}

export const notFound = (what: string): JsonReply => ({ status: 404, body: { error: 'not_found', message: `${what} not found` } })

/** The numeric `:id` at the end of `path` after `prefix`, or undefined. */
export function idAfter (path: string, prefix: string): number | undefined {
  if (!path.startsWith(prefix)) return undefined
  const rest = path.slice(prefix.length)
  return /^[1-9]\d{0,8}$/.test(rest) ? Number(rest) : undefined
}
