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
 * says nothing (NFS, some container mounts). Any signal schedules a debounced check that
 * reads the file and calls `onChange` only when the content hash differs from the last one
 * seen: touching a file, or an editor's temporary files, never cause a reload. A file that is
 * missing or unreadable mid-save is simply checked again on the next signal.
 *
 * `onChange` is never called after `close()`, and never twice concurrently.
 */
import { createHash } from 'node:crypto'
import { readFileSync, realpathSync, watch, type FSWatcher } from 'node:fs'
import { readFile, realpath, stat } from 'node:fs/promises'
import { dirname, resolve } from 'node:path'

export interface WatchOptions {
  /** Quiet time after the last signal before checking (editors write in bursts). Default 100 ms. */
  debounceMs?: number
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

function realDir (file: string): string | undefined {
  try { return dirname(realpathSync(file)) } catch { return undefined }
}

export function watchConfig (file: string, onChange: () => void, opts: WatchOptions = {}): ConfigWatcher {
  const path = resolve(file)
  const debounceMs = opts.debounceMs ?? 100
  const pollMs = opts.pollMs ?? 1000
  let lastHash = readHash(path)
  let lastStat = ''
  let closed = false
  let timer: NodeJS.Timeout | undefined
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
    if (timer) clearTimeout(timer)
    timer = setTimeout(() => { timer = undefined; void check() }, debounceMs)
    timer.unref()
  }

  const watchers: FSWatcher[] = []
  const watchDir = (dir: string): void => {
    try {
      const w = watch(dir, { persistent: false }, schedule)
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
    const target = realDir(path)
    if (target !== undefined && target !== dir) watchDir(target)
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
