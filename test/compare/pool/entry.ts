/** A pool-thread entry for thread-pool.test.ts: each task names what the thread should do. */
import { threadId } from 'node:worker_threads'
import { serveTasks } from '../../../src/compare/thread-pool.js'

export type PoolTestTask =
  | { op: 'echo', value: number }
  | { op: 'reject' }
  | { op: 'exit' }
  | { op: 'crash' }
  | { op: 'spin' }
  | { op: 'wait', ms: number }

export interface PoolTestReply { value: number, threadId: number }

serveTasks(async (task: PoolTestTask): Promise<PoolTestReply> => {
  switch (task.op) {
    case 'echo': return { value: task.value, threadId }
    case 'reject': throw new Error('the handler said no')
    case 'exit': process.exit(3)
    // An error thrown outside the task's promise chain: the thread dies of it.
    case 'crash': setTimeout(() => { throw new Error('uncaught in a timer') }, 0); return await new Promise(() => {})
    case 'spin': for (;;) { /* runs until the thread is terminated */ }
    case 'wait': await new Promise((resolve) => setTimeout(resolve, task.ms)); return { value: task.ms, threadId }
  }
})
