/**
 * Says out loud that a capture file cannot be written: once when it starts failing (at
 * start-up, the first probe; later, a failed write), then once per interval (default a
 * minute) for as long as a new probe still fails, and once more when it works again. Without
 * it an unwritable `record.file` (a directory the user may not create) would only move
 * `shadowfig_capture_dropped_total{reason="io_error"}`, which nobody reads at start-up.
 * The timer runs only while the file is failing, and never keeps the process alive.
 */

/** The part of a pino logger the alarm uses. */
export interface AlarmLog {
  warn (obj: object, msg: string): void
  info (obj: object, msg: string): void
}

export interface WriteAlarmOptions {
  route: string
  file: string
  log: AlarmLog
  /** Tries to create and open the file; rejects with the reason when it cannot. */
  probe: () => Promise<void>
  /** Time between reminders while it persists. Default 60 s. */
  intervalMs?: number
}

export class WriteAlarm {
  readonly #opts: WriteAlarmOptions
  #timer: NodeJS.Timeout | undefined
  #closed = false

  constructor (opts: WriteAlarmOptions) {
    this.#opts = opts
  }

  get failing (): boolean { return this.#timer !== undefined }

  /** Probes now; warns when the file cannot be written. */
  async check (): Promise<void> {
    try {
      await this.#opts.probe()
    } catch (err) {
      this.failed(err as Error)
    }
  }

  /** A write (or probe) failed: warn unless a warning for this failure is already out. */
  failed (err: Error): void {
    if (this.#closed || this.#timer !== undefined) return
    this.#warn(err)
    this.#timer = setInterval(this.#remind, this.#opts.intervalMs ?? 60_000)
    this.#timer.unref()
  }

  close (): void {
    this.#closed = true
    clearInterval(this.#timer)
    this.#timer = undefined
  }

  readonly #remind = (): void => {
    this.#opts.probe().then(() => {
      if (this.#timer === undefined) return
      clearInterval(this.#timer)
      this.#timer = undefined
      const { route, file, log } = this.#opts
      log.info({ event: 'shadowfig.capture.writable', route, file }, `capture file ${file} is writable again`)
    }, (err: Error) => { if (this.#timer !== undefined) this.#warn(err) })
  }

  #warn (err: Error): void {
    const { route, file, log } = this.#opts
    log.warn({ event: 'shadowfig.capture.unwritable', route, file, reason: err.message }, `capture file ${file} cannot be written (${err.message}); records of route ${route} are dropped`)
  }
}
