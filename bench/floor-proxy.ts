/**
 * Bench peer: the least a Node reverse proxy on undici can cost, as a floor under shadowfig's
 * numbers (what Node's HTTP server and undici themselves take, measured in the same seconds).
 * One `http.createServer`, one undici `Pool` per upstream, a dispatch handler that streams the
 * response back with its raw headers: no routing, no header rewriting, no metrics, no limits.
 * With a candidate port it also sends a copy of each (bodiless) request there and reads the
 * answer into memory, as the mirror does, but compares nothing.
 *
 * Not a product: it skips everything a proxy in production needs (hop-by-hop headers, errors,
 * client aborts, backpressure). Run: `node --import tsx bench/floor-proxy.ts PORT PRIMARY [CANDIDATE]`;
 * it prints "ready" once listening.
 */
import http, { type ServerResponse } from 'node:http'
import { Pool, type Dispatcher } from 'undici'

class Stream implements Dispatcher.DispatchHandler {
  constructor (private readonly res: ServerResponse) {}
  // undici tells the handler API apart by this method (the older one has onConnect instead).
  onRequestStart (): void {}
  onResponseStart (controller: Dispatcher.DispatchController, status: number): void {
    const raw = (controller.rawHeaders ?? []) as Buffer[]
    const headers: string[] = []
    for (const b of raw) headers.push(b.toString('latin1'))
    this.res.writeHead(status, headers)
  }

  onResponseData (_c: Dispatcher.DispatchController, chunk: Buffer): void { this.res.write(chunk) }
  onResponseEnd (): void { this.res.end() }
  onResponseError (_c: Dispatcher.DispatchController | undefined, err: Error): void { this.res.destroy(err) }
}

/** Keeps the candidate's answer in memory, as a comparison would need it. */
class Collect implements Dispatcher.DispatchHandler {
  chunks: Buffer[] = []
  onRequestStart (): void {}
  onResponseData (_c: Dispatcher.DispatchController, chunk: Buffer): void { this.chunks.push(chunk) }
  onResponseEnd (): void { Buffer.concat(this.chunks) }
  onResponseError (): void {}
}

const [port, primaryPort, candidatePort] = process.argv.slice(2).map(Number)
const opts = { connections: 128, pipelining: 1 }
const primary = new Pool(`http://127.0.0.1:${primaryPort}`, opts)
const candidate = candidatePort ? new Pool(`http://127.0.0.1:${candidatePort}`, opts) : undefined

const server = http.createServer({ keepAlive: true }, (req, res) => {
  res.sendDate = false
  const headers = req.rawHeaders
  primary.dispatch({ method: req.method as string, path: req.url as string, headers, body: null }, new Stream(res))
  candidate?.dispatch({ method: req.method as string, path: req.url as string, headers, body: null }, new Collect())
})
server.listen(port, '127.0.0.1', () => { process.stdout.write('ready\n') })
process.on('SIGTERM', () => { server.close(); process.exit(0) })
