import t from 'tap'
import { mkdir, rename, rm, symlink, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { watchConfig, type WatchOptions } from '../../src/config/watch.js'

/** Counts onChange calls; `next()` resolves on the next one (or rejects after a generous limit, so a bug fails instead of hanging). */
function recorder () {
  let calls = 0
  let waiter: (() => void) | undefined
  return {
    get calls () { return calls },
    onChange: () => { calls++; waiter?.() },
    next: (what: string) => new Promise<void>((resolve, reject) => {
      const limit = setTimeout(() => reject(new Error(`no change noticed: ${what}`)), 10_000)
      waiter = () => { clearTimeout(limit); waiter = undefined; resolve() }
    }),
  }
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))
const FAST: WatchOptions = { debounceMs: 20, pollMs: 50 }

for (const mode of [{ name: 'fs.watch + poll', opts: FAST }, { name: 'poll only', opts: { ...FAST, fsWatch: false } }]) {
  t.test(`${mode.name}: in-place writes; identical content is no change`, async (t) => {
    const dir = t.testdir({ 'config.yaml': 'a: 1\n' })
    const file = join(dir, 'config.yaml')
    const r = recorder()
    const w = watchConfig(file, r.onChange, mode.opts)
    t.teardown(() => w.close())
    let next = r.next('in-place write')
    await writeFile(file, 'a: 2\n')
    await next
    t.equal(r.calls, 1)
    await writeFile(file, 'a: 2\n') // same bytes, new mtime
    await sleep(300) // several poll rounds and debounce windows: room for a wrong call to happen
    next = r.next('second write')
    await writeFile(file, 'a: 3\n')
    await next
    t.equal(r.calls, 2, 'the identical rewrite did not count')
  })

  t.test(`${mode.name}: rename-and-replace (vim)`, async (t) => {
    const dir = t.testdir({ 'config.yaml': 'a: 1\n' })
    const file = join(dir, 'config.yaml')
    const r = recorder()
    const w = watchConfig(file, r.onChange, mode.opts)
    t.teardown(() => w.close())
    for (const v of [2, 3]) { // twice: the watch must survive the first inode change
      const next = r.next(`replace ${v}`)
      await writeFile(join(dir, '.config.yaml.swp'), `a: ${v}\n`)
      await rename(join(dir, '.config.yaml.swp'), file)
      await next
    }
    t.equal(r.calls, 2)
  })

  t.test(`${mode.name}: Kubernetes ConfigMap symlink swap`, async (t) => {
    const dir = t.testdir({ '..2026_01': { 'config.yaml': 'a: 1\n' } })
    await symlink('..2026_01', join(dir, '..data'))
    await symlink('..data/config.yaml', join(dir, 'config.yaml'))
    const r = recorder()
    const w = watchConfig(join(dir, 'config.yaml'), r.onChange, mode.opts)
    t.teardown(() => w.close())
    for (const [i, v] of ['..2026_02', '..2026_03'].entries()) {
      const next = r.next(`swap to ${v}`)
      await mkdir(join(dir, v))
      await writeFile(join(dir, v, 'config.yaml'), `a: ${i + 2}\n`)
      await symlink(v, join(dir, '..data_tmp'))
      await rename(join(dir, '..data_tmp'), join(dir, '..data')) // atomic flip, as kubelet does
      await rm(join(dir, i === 0 ? '..2026_01' : '..2026_02'), { recursive: true })
      await next
    }
    t.equal(r.calls, 2)
  })
}

t.test('a file that appears later, and a missing file in between', async (t) => {
  const dir = t.testdir({})
  const file = join(dir, 'config.yaml')
  const r = recorder()
  const w = watchConfig(file, r.onChange, FAST)
  t.teardown(() => w.close())
  let next = r.next('created')
  await writeFile(file, 'a: 1\n')
  await next
  await rm(file)
  await sleep(200)
  t.equal(r.calls, 1, 'a missing file is not a change')
  next = r.next('recreated with other content')
  await writeFile(file, 'a: 2\n')
  await next
  t.equal(r.calls, 2)
})

t.test('a symlink into another directory: both directories are watched', async (t) => {
  const dir = t.testdir({ etc: { 'real.yaml': 'a: 1\n' }, run: {} })
  const link = join(dir, 'run', 'config.yaml')
  await symlink(join(dir, 'etc', 'real.yaml'), link)
  const r = recorder()
  const w = watchConfig(link, r.onChange, { debounceMs: 20, pollMs: 0 })
  t.teardown(() => w.close())
  const next = r.next('target edited in place')
  await writeFile(join(dir, 'etc', 'real.yaml'), 'a: 2\n')
  await next
  t.equal(r.calls, 1)
})

t.test('nothing after close, even with a check pending', async (t) => {
  const dir = t.testdir({ 'config.yaml': 'a: 1\n' })
  const file = join(dir, 'config.yaml')
  const r = recorder()
  const w = watchConfig(file, r.onChange, FAST)
  await writeFile(file, 'a: 2\n')
  w.close()
  await writeFile(file, 'a: 3\n')
  await sleep(300)
  t.equal(r.calls, 0)
})

t.test('a watched directory that disappears leaves the poll running', async (t) => {
  const dir = t.testdir({ cfg: { 'config.yaml': 'a: 1\n' } })
  const sub = join(dir, 'cfg')
  const r = recorder()
  const w = watchConfig(join(sub, 'config.yaml'), r.onChange, FAST)
  t.teardown(() => w.close())
  await rm(sub, { recursive: true })
  await sleep(200)
  const next = r.next('directory recreated')
  await mkdir(sub)
  await writeFile(join(sub, 'config.yaml'), 'a: 2\n')
  await next
  t.equal(r.calls, 1)
})

t.test('a missing directory at start: poll only', async (t) => {
  const dir = t.testdir({})
  const w = watchConfig(join(dir, 'nope', 'config.yaml'), () => t.fail('no change'), FAST)
  await sleep(120)
  w.close()
  t.pass('no crash')
})

/**
 * Writes `file` every 20 ms (the content `content()` says) until stopped; `running` until then.
 * Atomic (write aside, rename over), as config managers write: never a half-written file.
 */
function busyWriter (file: string, content: () => string) {
  let running = true
  const done = (async () => {
    while (running) { await writeFile(file + '.tmp', content()); await rename(file + '.tmp', file); await sleep(20) }
  })()
  return { get running () { return running }, stop: async () => { running = false; await done } }
}

for (const mode of [{ name: 'fs.watch + poll', opts: { pollMs: 50 } }, { name: 'poll only', opts: { pollMs: 50, fsWatch: false } }]) {
  t.test(`${mode.name}: a file written every 20 ms next to the config does not postpone the reload`, async (t) => {
    const dir = t.testdir({ 'config.yaml': 'a: 1\n' })
    const file = join(dir, 'config.yaml')
    const r = recorder()
    const w = watchConfig(file, r.onChange, mode.opts) // the default 100 ms debounce, longer than the writes' gap
    let n = 0
    const writer = busyWriter(join(dir, 'diffs.ndjson'), () => `line ${n++}\n`)
    t.teardown(async () => { w.close(); await writer.stop() })
    await sleep(150)
    const next = r.next('config edited while its directory is busy')
    await writeFile(file, 'a: 2\n')
    await next
    t.ok(writer.running, 'reloaded while the writer is still running')
    await writer.stop()
    t.equal(r.calls, 1)
  })
}

t.test('the config itself rewritten every 20 ms: the bounded debounce still checks', async (t) => {
  const dir = t.testdir({ 'config.yaml': 'a: 1\n' })
  const file = join(dir, 'config.yaml')
  const r = recorder()
  const w = watchConfig(file, r.onChange, { pollMs: 0 }) // the events alone, the default 100 ms debounce and 1 s bound
  let content = 'a: 1\n'
  const writer = busyWriter(file, () => content) // same bytes, over and over: events, no change
  t.teardown(async () => { w.close(); await writer.stop() })
  await sleep(150)
  t.equal(r.calls, 0, 'identical rewrites are no change')
  const next = r.next('edited among identical rewrites')
  content = 'a: 2\n'
  await next
  t.ok(writer.running, 'reloaded while the writer is still running')
  await writer.stop()
  t.equal(r.calls, 1)
})
