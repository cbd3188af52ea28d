/**
 * Request/reply over the cluster IPC channel, primary side. `ask` sends one Request to one
 * worker and settles with its Reply (same id); it rejects when the worker answers with an
 * error, exits before answering, or stays silent past `timeoutMs`. One Fanout per primary;
 * `onMessage`/`onExit` must be fed every worker's messages and exits.
 */
import type { Worker } from 'node:cluster'
import type { Answers, Op, Reply, Request } from './protocol.js'

type Body<O extends Op> = Omit<Extract<Request, { op: O }>, 'shadowfig' | 'id'>

interface Pending { worker: number, resolve (v: unknown): void, reject (e: Error): void, timer: NodeJS.Timeout }

export class Fanout {
  private next = 1
  private readonly pending = new Map<number, Pending>()

  constructor (private readonly timeoutMs = 10_000) {}

  ask<O extends Op> (worker: Worker, body: Body<O> & { op: O }): Promise<Answers[O]> {
    const id = this.next++
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id)
        reject(new Error(`worker ${worker.id} did not answer ${body.op} within ${this.timeoutMs} ms`))
      }, this.timeoutMs)
      this.pending.set(id, { worker: worker.id, resolve: resolve as (v: unknown) => void, reject, timer })
      worker.send({ ...body, shadowfig: true, id } as Request, (err: Error | null) => {
        if (err) this.settle(id, { ok: false, error: `worker ${worker.id}: ${err.message}` })
      })
    })
  }

  onMessage (reply: Reply): void {
    this.settle(reply.id, reply)
  }

  /** A worker that exits answers nothing more: fail what it still owes. */
  onExit (workerId: number): void {
    for (const [id, p] of this.pending) {
      if (p.worker === workerId) this.settle(id, { ok: false, error: `worker ${workerId} exited before answering` })
    }
  }

  private settle (id: number, r: { ok: true, value: unknown } | { ok: false, error: string }): void {
    const p = this.pending.get(id)
    if (p === undefined) return
    this.pending.delete(id)
    clearTimeout(p.timer)
    if (r.ok) p.resolve(r.value)
    else p.reject(new Error(r.error))
  }
}
