/** Minimal node:http client for admin tests: full control over headers (Origin, Sec-Fetch-*). */
import { request as httpRequest } from 'node:http'

export interface Reply { status: number, headers: Record<string, string | string[] | undefined>, body: string, json: () => any }

export function call (url: string, opts: { method?: string, headers?: Record<string, string>, body?: string, chunks?: string[] } = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method: opts.method ?? 'GET', headers: opts.headers, agent: false }, (res) => {
      const chunks: Buffer[] = []
      res.on('data', (c: Buffer) => chunks.push(c))
      res.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8')
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body, json: () => JSON.parse(body) })
      })
      res.on('error', reject)
    })
    req.on('error', reject)
    if (opts.chunks) for (const c of opts.chunks) req.write(c)
    req.end(opts.body)
  })
}
