/**
 * An append-only line file that rotates by size and never blocks or grows without bound.
 *
 * `write(line)` only queues (returns false and counts a drop when the queue holds more than
 * `maxQueueBytes`); one async pump writes queued lines in batches through a `FileHandle`, so
 * the disk runs on libuv's thread pool and the caller's event loop never waits for it.
 * When the next line would push the file past `maxFileSize` the file rotates:
 * `file.(N-2)` → `file.(N-1)`, …, `file` → `file.1`, a fresh `file` is started; with
 * `maxFiles: N` at most N files exist (the live one plus N-1 rotated), the oldest is replaced.
 * A single line longer than `maxFileSize` is dropped (`record_too_large`), so no file ever
 * exceeds the limit. An I/O error drops the batch (`io_error`) and the next write retries.
 */
import { mkdir, open, rename, unlink, type FileHandle } from 'node:fs/promises'
import { dirname } from 'node:path'

export type DropReason = 'queue_full' | 'record_too_large' | 'io_error' | 'closed'

export interface RotatingFileOptions {
  file: string
  maxFileSize: number
  maxFiles: number
  /** Bytes queued or being written beyond which new lines are dropped. Default 8 MiB. */
  maxQueueBytes?: number
  /** Told about each I/O error (the batch is dropped either way). */
  onError?: (err: Error) => void
}

export interface RotatingFileStats {
  written: number
  dropped: Record<DropReason, number>
  lastError?: string
}

export class RotatingFile {
  readonly #file: string
  readonly #maxFileSize: number
  readonly #maxFiles: number
  readonly #maxQueueBytes: number
  readonly #onError: ((err: Error) => void) | undefined
  #queue: Buffer[] = []
  #queuedBytes = 0
  #handle: FileHandle | undefined
  #size = 0
  #pump: Promise<void> | undefined
  #closed = false
  readonly #stats: RotatingFileStats = { written: 0, dropped: { queue_full: 0, record_too_large: 0, io_error: 0, closed: 0 } }

  constructor (opts: RotatingFileOptions) {
    this.#file = opts.file
    this.#maxFileSize = opts.maxFileSize
    this.#maxFiles = opts.maxFiles
    this.#maxQueueBytes = opts.maxQueueBytes ?? 8 * 1024 * 1024
    this.#onError = opts.onError
  }

  get stats (): RotatingFileStats {
    return { ...this.#stats, dropped: { ...this.#stats.dropped } }
  }

  /** Queues one line (a newline is appended). False when it was dropped instead. */
  write (line: string): boolean {
    if (this.#closed) return this.#drop('closed', 1)
    const buf = Buffer.from(line + '\n', 'utf8')
    if (buf.byteLength > this.#maxFileSize) return this.#drop('record_too_large', 1)
    if (this.#queuedBytes + buf.byteLength > this.#maxQueueBytes) return this.#drop('queue_full', 1)
    this.#queue.push(buf)
    this.#queuedBytes += buf.byteLength
    this.#pump ??= this.#run().finally(() => { this.#pump = undefined })
    return true
  }

  /** Resolves once everything queued so far is on disk (or dropped). */
  async flush (): Promise<void> {
    while (this.#pump) await this.#pump
  }

  async close (): Promise<void> {
    this.#closed = true
    await this.flush()
    await this.#handle?.close()
    this.#handle = undefined
  }

  #drop (reason: DropReason, n: number): false {
    this.#stats.dropped[reason] += n
    return false
  }

  async #run (): Promise<void> {
    while (this.#queue.length > 0) {
      let n = 0
      let bytes = 0
      try {
        let handle = await this.#open()
        if (this.#size > 0 && this.#size + this.#queue[0].byteLength > this.#maxFileSize) handle = await this.#rotate()
        // Batch every line that still fits into the current file.
        while (n < this.#queue.length && this.#size + bytes + this.#queue[n].byteLength <= this.#maxFileSize) {
          bytes += this.#queue[n].byteLength
          n++
        }
        await handle.write(Buffer.concat(this.#queue.slice(0, n), bytes))
        this.#size += bytes
        this.#stats.written += n
      } catch (err) {
        // Drop what was being written (at least the head line, so a bad state cannot spin).
        n = Math.max(n, 1)
        bytes = this.#queue.slice(0, n).reduce((s, b) => s + b.byteLength, 0)
        this.#drop('io_error', n)
        this.#stats.lastError = (err as Error).message
        this.#onError?.(err as Error)
        await this.#handle?.close().catch(() => {})
        this.#handle = undefined
      }
      this.#queue.splice(0, n)
      this.#queuedBytes -= bytes
    }
  }

  /** Creates the directory and opens the file for appending, with a handle of its own; rejects with the reason it cannot. */
  async probe (): Promise<void> {
    await (await this.#openFile()).close()
  }

  async #openFile (): Promise<FileHandle> {
    await mkdir(dirname(this.#file), { recursive: true })
    return open(this.#file, 'a', 0o640)
  }

  async #open (): Promise<FileHandle> {
    if (this.#handle) return this.#handle
    const handle = await this.#openFile()
    this.#size = (await handle.stat()).size
    this.#handle = handle
    return handle
  }

  async #rotate (): Promise<FileHandle> {
    await this.#handle?.close()
    this.#handle = undefined
    for (let i = this.#maxFiles - 1; i >= 1; i--) {
      const from = i === 1 ? this.#file : `${this.#file}.${i - 1}`
      await rename(from, `${this.#file}.${i}`).catch(ignoreMissing)
    }
    if (this.#maxFiles === 1) await unlink(this.#file).catch(ignoreMissing)
    return this.#open()
  }
}

function ignoreMissing (err: NodeJS.ErrnoException): void {
  if (err.code !== 'ENOENT') throw err
}
