/**
 * The comparison thread pool on real worker threads: one task per thread at a time, results
 * and handler errors, a thread that dies (process.exit, an uncaught error) fails only its own
 * task and is replaced, cancel (running: the thread is replaced; queued: just removed), tasks
 * that cannot be cloned, and close().
 */
import t from 'tap'
import { ThreadPool, type PoolJob } from '../../src/compare/thread-pool.js'
import { TaskAbortedError } from '../../src/errors.js'
import type { PoolTestReply, PoolTestTask } from './pool/entry.js'

const ENTRY = new URL('./pool/entry.ts', import.meta.url)

interface Outcome { err?: Error, result?: PoolTestReply }

function start (pool: ThreadPool<PoolTestTask, PoolTestReply>, task: PoolTestTask): { job: PoolJob<PoolTestTask, PoolTestReply>, outcome: Promise<Outcome> } {
  let job!: PoolJob<PoolTestTask, PoolTestReply>
  const outcome = new Promise<Outcome>((resolve) => {
    job = pool.run(task, (err, result) => { resolve(err === undefined ? { result } : { err }) })
  })
  return { job, outcome }
}

const run = (pool: ThreadPool<PoolTestTask, PoolTestReply>, task: PoolTestTask): Promise<Outcome> => start(pool, task).outcome

t.test('runs tasks on its threads, one at a time each, in order', async (t) => {
  const pool = new ThreadPool<PoolTestTask, PoolTestReply>({ entry: ENTRY, threads: 2 })
  t.teardown(() => pool.close())
  const outcomes = await Promise.all([1, 2, 3, 4, 5].map((value) => run(pool, { op: 'echo', value })))
  t.same(outcomes.map((o) => o.result?.value), [1, 2, 3, 4, 5])
  const threads = new Set(outcomes.map((o) => o.result?.threadId))
  t.ok(threads.size >= 1 && threads.size <= 2, `at most two threads answered (${[...threads].join(', ')})`)
  t.notOk(threads.has(0), 'never the main thread')
})

t.test('a handler error fails its task only; the thread keeps serving', async (t) => {
  const pool = new ThreadPool<PoolTestTask, PoolTestReply>({ entry: ENTRY, threads: 1 })
  t.teardown(() => pool.close())
  const before = await run(pool, { op: 'echo', value: 1 })
  const failed = await run(pool, { op: 'reject' })
  t.match(failed.err, { message: 'the handler said no' })
  const after = await run(pool, { op: 'echo', value: 2 })
  t.equal(after.result?.threadId, before.result?.threadId, 'same thread')
})

t.test('a thread that dies fails its own task and is replaced', async (t) => {
  const pool = new ThreadPool<PoolTestTask, PoolTestReply>({ entry: ENTRY, threads: 1 })
  t.teardown(() => pool.close())
  const first = await run(pool, { op: 'echo', value: 1 })
  // Queued behind the dying task: it must run on the replacement thread, not be lost.
  const [exited, next] = await Promise.all([run(pool, { op: 'exit' }), run(pool, { op: 'echo', value: 2 })])
  t.match(exited.err, { message: /exited with code 3/ })
  t.equal(next.result?.value, 2)
  t.not(next.result?.threadId, first.result?.threadId, 'a new thread took over')
  const crashed = await run(pool, { op: 'crash' })
  t.match(crashed.err, { message: 'uncaught in a timer' })
  t.equal((await run(pool, { op: 'echo', value: 3 })).result?.value, 3)
})

t.test('cancel: a running task ends at once and its thread is replaced; a queued one is removed', async (t) => {
  const pool = new ThreadPool<PoolTestTask, PoolTestReply>({ entry: ENTRY, threads: 1 })
  t.teardown(() => pool.close())
  await run(pool, { op: 'echo', value: 0 }) // the thread is up
  const spin = start(pool, { op: 'spin' })
  const queued = start(pool, { op: 'echo', value: 1 })
  const dropped = start(pool, { op: 'echo', value: 2 })
  pool.cancel(dropped.job)
  t.ok((await dropped.outcome).err instanceof TaskAbortedError, 'the queued task ended without running')
  await new Promise((resolve) => setTimeout(resolve, 50)) // let the spin start
  pool.cancel(spin.job)
  const ended = await spin.outcome
  t.match(ended.err, { code: 'SHADOWFIG_ERR_TASK_ABORTED' })
  t.equal((await queued.outcome).result?.value, 1, 'the task behind it ran on a new thread')
  pool.cancel(spin.job) // already over: nothing happens
  t.equal((await run(pool, { op: 'echo', value: 3 })).result?.value, 3)
})

t.test('a task that cannot be cloned fails alone', async (t) => {
  const pool = new ThreadPool<PoolTestTask, PoolTestReply>({ entry: ENTRY, threads: 1 })
  t.teardown(() => pool.close())
  const bad = await run(pool, { op: 'echo', value: (() => 1) as unknown as number })
  t.match(bad.err, { name: 'DataCloneError' })
  t.equal((await run(pool, { op: 'echo', value: 4 })).result?.value, 4)
})

t.test('close() ends running and queued tasks, and every later one', async (t) => {
  const pool = new ThreadPool<PoolTestTask, PoolTestReply>({ entry: ENTRY, threads: 1 })
  const running = start(pool, { op: 'wait', ms: 60_000 })
  const queued = start(pool, { op: 'echo', value: 1 })
  await new Promise((resolve) => setTimeout(resolve, 50))
  await pool.close()
  t.match((await running.outcome).err, { code: 'SHADOWFIG_ERR_TASK_ABORTED', message: 'thread pool closed' })
  t.match((await queued.outcome).err, { code: 'SHADOWFIG_ERR_TASK_ABORTED', message: 'thread pool closed' })
  t.match((await run(pool, { op: 'echo', value: 2 })).err, { code: 'SHADOWFIG_ERR_TASK_ABORTED' })
  await pool.close() // twice is fine
})

t.test('the entry does nothing when imported on a main thread', async (t) => {
  await t.resolves(import('./pool/entry.js'))
})
