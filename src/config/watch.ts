/**
 * Notices that the config file changed, however it was changed:
 * - in-place writes (`echo >> file`, most editors);
 * - rename-and-replace saves (vim, `sed -i`, atomic writers): the path gets a new inode, which
 *   a watch on the file itself would miss forever after;
 * - Kubernetes ConfigMap updates: `config.yaml -> ..data/config.yaml`, and `..data` is a
 *   symlink that kubelet flips atomically to a new timestamped directory.
 *
 * How: `fs.watch` on the directory holding the file (and on the directory of its resolved
 * target when that is elsewhere), which sees every entry that appears, moves or changes; plus
 * a poll (stat of the resolved file, default every second) for filesystems where inotify
 * says nothing (NFS, some container mounts). Only directory events that name the config
 * file, its resolved target or the ConfigMap's `..data` link schedule a debounced check: a
 * diff log written next to the config many times a second must not keep restarting the
 * debounce. And the debounce is bounded: a check runs at the latest `maxWaitMs` after the first
 * signal of a burst, so no stream of events (the config itself rewritten all the time) can
 * postpone the reload, nor the poll that goes through the same debounce. A check reads the file and calls `onChange` only when
 * the content hash differs from the last one seen: touching a file, or an editor's temporary
 * files, never cause a reload. A file that is missing or unreadable mid-save is simply
 * checked again on the next signal.
 *
 * `onChange` is never called after `close()`, and never twice concurrently.
 */
import { createHash } from 'node:crypto'
import { readFileSync, realpathSync, watch, type FSWatcher } from 'node:fs'
import { readFile, realpath, stat } from 'node:fs/promises'
import { basename, dirname, resolve } from 'node:path'

export interface WatchOptions {
  /** Quiet time after the last signal before checking (editors write in bursts). Default 100 ms. */
  debounceMs?: number
  /** Longest a signal waits for its check while later signals keep coming. Default 1000 ms. */
  maxWaitMs?: number
  /** Stat poll interval; 0 disables polling. Default 1000 ms. */
  pollMs?: number
  /** Use `fs.watch` on the directories (default true); false = poll only, e.g. on NFS. */
  fsWatch?: boolean
}

export interface ConfigWatcher {
  close (): void
}

function hashOf (data: Buffer): string {
  return createHash('sha256').update(data).digest('hex')
}

function readHash (file: string): string | undefined {
  try { return hashOf(readFileSync(file)) } catch { return undefined }
}

function realPath (file: string): string | undefined {
  try { return realpathSync(file) } catch { return undefined }
}

/** The link kubelet flips to a new timestamped directory on every ConfigMap update. */
const CONFIGMAP_LINK = '..data'

export function watchConfig (file: string, onChange: () => void, opts: WatchOptions = {}): ConfigWatcher {
  const path = resolve(file)
  const debounceMs = opts.debounceMs ?? 100
  const pollMs = opts.pollMs ?? 1000
  const maxWaitMs = Math.max(debounceMs, opts.maxWaitMs ?? 1000)
  let lastHash = readHash(path)
  let lastStat = ''
  let closed = false
  let timer: NodeJS.Timeout | undefined
  /** When the first signal of the pending burst came. */
  let burstAt = 0
  let checking = false
  let again = false

  const check = async (): Promise<void> => {
    if (checking) { again = true; return }
    checking = true
    try {
      do {
        again = false
        let data: Buffer
        try { data = await readFile(path) } catch { continue } // mid-save: a later signal checks again
        const h = hashOf(data)
        if (h !== lastHash && !closed) {
          lastHash = h
          onChange()
        }
      } while (again && !closed)
    } finally {
      checking = false
    }
  }

  const schedule = (): void => {
    if (closed) return
    const now = performance.now()
    if (timer) clearTimeout(timer)
    else burstAt = now
    timer = setTimeout(() => { timer = undefined; void check() }, Math.min(debounceMs, burstAt + maxWaitMs - now))
    timer.unref()
  }

  const watchers: FSWatcher[] = []
  /** Entry names whose events concern the config (`null`: the platform did not say which). */
  const concerning = new Set([basename(path), CONFIGMAP_LINK])
  const onEvent = (_event: string, name: string | Buffer | null): void => {
    if (name === null || concerning.has(name.toString())) schedule()
  }
  const watchDir = (dir: string): void => {
    try {
      const w = watch(dir, { persistent: false }, onEvent)
      // e.g. the directory itself is removed: keep going on the poll
      w.on('error', () => { w.close() })
      watchers.push(w)
    } catch {
      // unsupported or missing directory: the poll still runs
    }
  }
  if (opts.fsWatch ?? true) {
    const dir = dirname(path)
    watchDir(dir)
    const target = realPath(path)
    if (target !== undefined) {
      concerning.add(basename(target))
      if (dirname(target) !== dir) watchDir(dirname(target))
    }
  }

  // The poll compares the resolved target and its stat: a symlink flip changes the target,
  // an in-place write changes mtime/size, a replace changes the inode.
  const poll = pollMs > 0
    ? setInterval(() => {
      void Promise.all([realpath(path), stat(path)]).then(([real, s]) => {
        const sig = `${real}:${s.ino}:${s.size}:${s.mtimeMs}`
        if (sig !== lastStat) { lastStat = sig; schedule() }
      }, () => { lastStat = '' })
    }, pollMs)
    : undefined
  poll?.unref()

  return {
    close () {
      closed = true
      if (timer) clearTimeout(timer)
      if (poll) clearInterval(poll)
      for (const w of watchers) w.close()
    },
  }
}
