/**
 * `report.store: DIR`: the sample store kept in a file so sample links survive a restart.
 * The file is the store's content (NDJSON, oldest first), so it is bounded by
 * `report.samples.maxBytes` like the store; it is rewritten whole (temporary file, then
 * rename, so a crash leaves the old or the new file, never half of one) at most every
 * `intervalMs` while samples change, and once more at shutdown. At start the samples are
 * read back in time order, through the same retention as live ones. A bad line (a file cut
 * by a full disk) is skipped; a failed write is logged and retried at the next interval.
 */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises'
import { dirname } from 'node:path'
import type { Logger } from 'pino'
import type { Sample, SampleStore } from './samples.js'

export class SampleFile {
  private saved = -1
  private timer: NodeJS.Timeout | undefined
  private saving: Promise<void> = Promise.resolve()

  constructor (private readonly store: SampleStore, readonly file: string, private readonly log: Logger, private readonly intervalMs = 10_000) {}

  /** Reads the file into the store; returns how many samples were restored. */
  async load (): Promise<number> {
    let text: string
    try {
      text = await readFile(this.file, 'utf8')
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') this.log.warn({ event: 'shadowfig.samples.load_failed', file: this.file, err }, 'could not read the sample store')
      return 0
    }
    const samples: Sample[] = []
    for (const line of text.split('\n')) {
      if (line === '') continue
      try { samples.push(JSON.parse(line) as Sample) } catch { /* a cut line: skip it */ }
    }
    let restored = 0
    for (const s of samples.sort((a, b) => a.time - b.time)) if (this.store.add(s)) restored++
    this.saved = this.store.changes
    return restored
  }

  start (): void {
    this.timer = setInterval(() => { void this.save() }, this.intervalMs).unref()
  }

  /** Writes the store out if it changed since the last write. */
  save (): Promise<void> {
    this.saving = this.saving.then(async () => {
      const changes = this.store.changes
      if (changes === this.saved) return
      const text = this.store.list().reverse().map((s) => JSON.stringify(s) + '\n').join('')
      const tmp = `${this.file}.tmp`
      try {
        await mkdir(dirname(this.file), { recursive: true })
        await writeFile(tmp, text)
        await rename(tmp, this.file)
        this.saved = changes
      } catch (err) {
        this.log.warn({ event: 'shadowfig.samples.save_failed', file: this.file, err }, 'could not write the sample store')
      }
    })
    return this.saving
  }

  async close (): Promise<void> {
    clearInterval(this.timer)
    await this.save()
  }
}
