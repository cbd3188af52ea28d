/**
 * Benchmark backends: minimal HTTP/1.1 servers on loopback that answer `GET /json/<bytes>` (or
 * `GET /r/<route>/json/<bytes>`) with a static JSON document of exactly that many bytes (built
 * once per size and cached).
 *  - `primary`: the reference document.
 *  - `candidate`: the same order as a faithful port would serialize it, differing from the
 *    primary only where the bench's route normalizes (configs.ts `mirroredRoute`: `ignore:
 *    [$.generated_at]`, `numbers: { precision: 2 }`, `arrays: { $.items: { key: id } }`): a
 *    later `generated_at`, float noise below the 2nd decimal (`total` and every item's `price`,
 *    same serialized length), keys in another order (top level and every item), items in
 *    reverse order. Different bytes, so every comparison does the full decode → normalize →
 *    keyed diff work, and still ends in `match`. (The identical-bytes case, a candidate
 *    answering the primary's very bytes, is the `same` shadow mode: configs.ts.)
 * `latencyMs` delays every response (a slow candidate is `latencyMs: 2000`); a down candidate
 * is `closedPort()`: a port that was just free, so connecting is refused.
 */
import net from 'node:net'
import type { AddressInfo } from 'node:net'

export type Variant = 'primary' | 'candidate'

export interface BackendOptions {
  variant: Variant
  /** Delay before each response, in milliseconds (0: answer at once). */
  latencyMs?: number
  /** Port to listen on; 0 (default) picks a free one. */
  port?: number
}

export interface RunningBackend {
  port: number
  close (): Promise<void>
}

export const KiB = 1024
export const MiB = 1024 * KiB

/** Roughly the serialized size of one item, so items (not padding) fill most of the body. */
const ITEM_BYTES = 68

interface Item { id: number, sku: string, name: string, price: number, qty: number }
interface Doc { id: number, generated_at: string, currency: string, total: number, items: Item[], pad: string }

/** The primary's document of exactly `size` bytes (at least the ~200-byte skeleton). */
function primaryDoc (size: number): Doc {
  const items: Item[] = []
  for (let i = 1; i <= Math.max(1, Math.floor((size - 200) / ITEM_BYTES)); i++) {
    // A third decimal the candidate's float noise changes (.251 ↔ .249, both .25 at 2 decimals).
    items.push({ id: i, sku: `SKU-${String(i).padStart(6, '0')}`, name: `item ${i}`, price: Number(`${i % 97}.251`), qty: 1 + (i % 3) })
  }
  const doc: Doc = { id: 42, generated_at: '2026-01-01T00:00:00.000Z', currency: 'EUR', total: 1234.564, items, pad: '' }
  // Drop trailing items until the document fits, then pad to the exact size.
  while (items.length > 1 && Buffer.byteLength(JSON.stringify(doc)) > size) items.pop()
  doc.pad = 'x'.repeat(Math.max(0, size - Buffer.byteLength(JSON.stringify(doc))))
  return doc
}

/**
 * The same document as the candidate answers it: only normalizable differences, each value
 * serialized to the same length as the primary's, so both bodies have the asked size.
 */
function candidateDoc (p: Doc): object {
  const items = p.items.map((it) => ({ qty: it.qty, price: Number(it.price.toFixed(3).replace(/251$/, '249')), name: it.name, sku: it.sku, id: it.id }))
  return { pad: p.pad, items: items.reverse(), total: 1234.561, currency: p.currency, generated_at: '2026-01-01T00:00:01.000Z', id: p.id }
}

/** A JSON order of exactly `size` bytes (at least the ~200-byte skeleton). */
export function makeBody (size: number, variant: Variant): Buffer {
  const doc = primaryDoc(size)
  return Buffer.from(JSON.stringify(variant === 'candidate' ? candidateDoc(doc) : doc))
}

/**
 * Starts one backend on 127.0.0.1. It speaks just enough HTTP/1.1 over a raw `net` server
 * (GET, keep-alive, one request at a time per connection; anything else gets 404 or a close)
 * and writes each answer from one prebuilt buffer. Why not node:http: the backends stand in
 * for services on other machines, but here they share two cores with the generator and the
 * proxy; mirroring doubles backend work, and node:http's per-request cost then showed up as
 * "mirror overhead" for every peer (nginx's mirror measured 1.5 ms p99 over direct in one run).
 */
export async function startBackend (opts: BackendOptions): Promise<RunningBackend> {
  const answers = new Map<number, Buffer>()
  const latency = opts.latencyMs ?? 0
  const respond = (status: string, type: string, body: Buffer): Buffer => Buffer.concat([
    Buffer.from(`HTTP/1.1 ${status}\r\ncontent-type: ${type}\r\ncontent-length: ${body.length}\r\nconnection: keep-alive\r\nkeep-alive: timeout=60\r\n\r\n`, 'latin1'),
    body,
  ])
  const notFound = respond('404 Not Found', 'text/plain', Buffer.from('use GET /json/<bytes>\n'))
  const answerFor = (head: string): Buffer => {
    // An optional `/r/<route>` before `/json/<bytes>`: the fault matrix (bench/faults/) tells
    // its routes apart by path, and they all reach the same backends.
    const m = /^GET (?:\/r\/[\w.-]+)?\/json\/(\d+)[ ?]/.exec(head)
    if (!m || Number(m[1]) > 64 * MiB) return notFound
    const size = Number(m[1])
    let answer = answers.get(size)
    if (!answer) answers.set(size, answer = respond('200 OK', 'application/json', makeBody(size, opts.variant)))
    return answer
  }
  return await serveSockets(opts.port ?? 0, (socket) => {
    socket.setNoDelay(true)
    socket.setEncoding('latin1')
    let pending = ''
    socket.on('data', (data: string) => {
      pending += data
      for (let end = pending.indexOf('\r\n\r\n'); end !== -1; end = pending.indexOf('\r\n\r\n')) {
        const head = pending.slice(0, end)
        pending = pending.slice(end + 4)
        const answer = answerFor(head)
        const close = /\r\nconnection:\s*close/i.test(head)
        const send = (): void => { if (close) socket.end(answer); else socket.write(answer) }
        if (latency > 0) setTimeout(send, latency)
        else send()
      }
      if (pending.length > 64 * 1024) socket.destroy() // not a request this backend understands
    })
  })
}

/**
 * A raw `net` server on 127.0.0.1:`port` (0: any free port) that hands each connection to
 * `onSocket`, ignores socket errors, and on close destroys whatever connections are left.
 */
export async function serveSockets (port: number, onSocket: (socket: net.Socket) => void): Promise<RunningBackend> {
  const sockets = new Set<net.Socket>()
  const server = net.createServer((socket) => {
    sockets.add(socket)
    socket.on('error', () => {})
    socket.on('close', () => sockets.delete(socket))
    onSocket(socket)
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(port, '127.0.0.1', resolve)
  })
  return {
    port: (server.address() as AddressInfo).port,
    close: () => new Promise<void>((resolve) => {
      server.close(() => resolve())
      for (const s of sockets) s.destroy()
    }),
  }
}

/** A loopback port with nothing listening: connecting to it is refused. */
export async function closedPort (): Promise<number> {
  const s = net.createServer()
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve))
  const port = (s.address() as AddressInfo).port
  await new Promise<void>((resolve) => s.close(() => resolve()))
  return port
}
