/** Real loopback servers and raw clients for tests. Everything listens on port 0. */
import http, { type RequestListener } from 'node:http'
import net, { type AddressInfo } from 'node:net'

export interface Started<T> { server: T, port: number, url: string, close (): Promise<void> }

export async function httpServer (handler: RequestListener, opts: http.ServerOptions = {}): Promise<Started<http.Server>> {
  const server = http.createServer(opts, handler)
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const port = (server.address() as AddressInfo).port
  return {
    server, port, url: `http://127.0.0.1:${port}`,
    close: () => new Promise((resolve) => { server.closeAllConnections(); server.close(() => resolve()) }),
  }
}

/** A raw TCP server: `onSocket` writes whatever bytes it likes. */
export async function netServer (onSocket: (s: net.Socket) => void): Promise<Started<net.Server>> {
  const sockets = new Set<net.Socket>()
  const server = net.createServer((s) => { sockets.add(s); s.on('close', () => sockets.delete(s)); s.on('error', () => {}); onSocket(s) })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const port = (server.address() as AddressInfo).port
  return {
    server, port, url: `http://127.0.0.1:${port}`,
    close: () => new Promise((resolve) => { for (const s of sockets) s.destroy(); server.close(() => resolve()) }),
  }
}

/** A port with nothing listening (bound, then released). */
export async function closedPort (): Promise<number> {
  const s = net.createServer()
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve))
  const port = (s.address() as AddressInfo).port
  await new Promise((resolve) => s.close(resolve))
  return port
}

/**
 * Sends raw bytes and returns everything the server sent until it closed the connection
 * (requests should carry `Connection: close`), or until `idleMs` without data.
 */
export function rawExchange (port: number, request: string | Buffer, idleMs = 2000): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    const s = net.connect(port, '127.0.0.1', () => s.write(request))
    s.setTimeout(idleMs, () => s.destroy())
    s.on('data', (c) => chunks.push(c))
    s.on('close', () => resolve(Buffer.concat(chunks)))
    s.on('error', reject)
  })
}

/** Splits a raw HTTP/1.1 response into head lines and body bytes. */
export function splitResponse (raw: Buffer): { statusLine: string, headers: Array<[string, string]>, body: Buffer } {
  const end = raw.indexOf('\r\n\r\n')
  const head = raw.subarray(0, end).toString('latin1').split('\r\n')
  const headers = head.slice(1).map((l) => { const i = l.indexOf(':'); return [l.slice(0, i), l.slice(i + 1).trim()] as [string, string] })
  return { statusLine: head[0], headers, body: raw.subarray(end + 4) }
}

/** Decodes a chunked body (with optional trailers) from raw bytes. */
export function dechunk (body: Buffer): { body: Buffer, trailers: string[] } {
  const out: Buffer[] = []
  let i = 0
  for (;;) {
    const eol = body.indexOf('\r\n', i)
    if (eol === -1) throw new Error('truncated chunked body')
    const size = parseInt(body.subarray(i, eol).toString('latin1'), 16)
    i = eol + 2
    if (size === 0) break
    out.push(body.subarray(i, i + size))
    i += size + 2
  }
  const rest = body.subarray(i).toString('latin1').split('\r\n').filter(Boolean)
  return { body: Buffer.concat(out), trailers: rest }
}

/** Status line, end-to-end headers (hop-by-hop dropped) and decoded body of a raw response. */
export function semantic (raw: Buffer): { statusLine: string, headers: Array<[string, string]>, body: Buffer, trailers: string[] } {
  const r = splitResponse(raw)
  const chunked = r.headers.some(([k, v]) => k.toLowerCase() === 'transfer-encoding' && /chunked/i.test(v))
  const hop = new Set(['connection', 'keep-alive', 'transfer-encoding'])
  const { body, trailers } = chunked ? dechunk(r.body) : { body: r.body, trailers: [] }
  return { statusLine: r.statusLine, headers: r.headers.filter(([k]) => !hop.has(k.toLowerCase())), body, trailers }
}
