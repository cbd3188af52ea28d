/**
 * Per-route recorder of exchanges into an NDJSON capture (format in ./format.ts) that
 * `shadowfig replay` re-sends later. One `CaptureWriter` per route with a `record:` block.
 *
 * `consider(exchange, result)` keeps an exchange when `record.mismatches` is on and the
 * verdict is not `match`, or when a `record.sample` draw hits. Everything stored is redacted
 * first: secret headers (authorization, cookie, set-cookie, …) and the route's
 * `compare.redact` header names via `redactHeaders`; secret query parameters of the target
 * (`redactTarget`); the route's `compare.redact` JSONPaths
 * inside JSON bodies via ./body.ts. Writing is fire-and-forget into a bounded, size-rotated
 * file (./rotating-file.ts): a slow disk costs dropped records (counted), never proxy latency
 * or unbounded memory. `consider` never throws. With a `log`, a file that cannot be written is
 * also said: at creation and once a minute while it persists (./write-alarm.ts).
 */
import type { RecordConfig } from '../config/schema.js'
import type { ComparisonResult, FinalVerdict } from '../compare/types.js'
import { redactFields, redactHeaders, redactionOf, redactTarget, type Redaction } from '../logging/redact.js'
import type { CapturedResponse } from '../http/captured.js'
import type { Exchange } from '../shadow/exchange.js'
import type { HeaderMap } from '../http/headers.js'
import { storeBody } from './body.js'
import { CAPTURE_VERSION, type CaptureRecord, type CaptureSide } from './format.js'
import { RotatingFile, type RotatingFileStats } from './rotating-file.js'
import { WriteAlarm, type AlarmLog } from './write-alarm.js'

export interface CaptureWriterOptions {
  route: string
  record: RecordConfig
  /** The route's `compare.redact` list (JSONPaths and header names mixed). */
  redact?: readonly string[]
  /** Bound of bytes waiting for the disk; beyond it records are dropped. Default 8 MiB. */
  maxQueueBytes?: number
  /** Sample draw in [0, 1); injectable so tests can pin it. */
  random?: () => number
  /** Where an unwritable file is warned about; without it, only the drop counters say it. */
  log?: AlarmLog
  /** Time between warnings while the file stays unwritable. Default 60 s. */
  alarmIntervalMs?: number
}

export interface CaptureStats extends RotatingFileStats {
  /** Records that failed to serialize (counted, not thrown). */
  errors: number
}

export class CaptureWriter {
  readonly route: string
  readonly #record: RecordConfig
  readonly #redaction: Redaction
  readonly #random: () => number
  readonly #file: RotatingFile
  readonly #alarm: WriteAlarm | undefined
  /** Settles once the file was probed at creation (immediately without a `log`). */
  readonly ready: Promise<void>
  #errors = 0

  constructor (opts: CaptureWriterOptions) {
    this.route = opts.route
    this.#record = opts.record
    this.#redaction = redactionOf(opts.redact ?? [])
    this.#random = opts.random ?? Math.random
    this.#file = new RotatingFile({
      file: opts.record.file,
      maxFileSize: opts.record.maxFileSize,
      maxFiles: opts.record.maxFiles,
      maxQueueBytes: opts.maxQueueBytes,
      onError: (err) => { this.#alarm?.failed(err) },
    })
    const file = this.#file
    this.#alarm = opts.log === undefined
      ? undefined
      : new WriteAlarm({ route: opts.route, file: opts.record.file, log: opts.log, probe: () => file.probe(), intervalMs: opts.alarmIntervalMs })
    this.ready = this.#alarm?.check() ?? Promise.resolve()
  }

  /** Whether this verdict is kept; the sample draw happens only when mismatches did not decide. */
  wants (result: ComparisonResult): boolean {
    if (result.verdict === 'undecided') return false // its final verdict is considered when it comes
    if (this.#record.mismatches && result.verdict !== 'match') return true
    return this.#record.sample > 0 && this.#random() < this.#record.sample
  }

  /** Records the exchange when `wants` says so. True when it was queued for the file. */
  consider (exchange: Exchange, result: ComparisonResult): boolean {
    if (!this.wants(result)) return false
    let line: string
    try {
      line = JSON.stringify(this.toRecord(exchange, result))
    } catch {
      this.#errors++
      return false
    }
    return this.#file.write(line)
  }

  /** The redacted record as it would be written. */
  toRecord (exchange: Exchange, result: ComparisonResult): CaptureRecord {
    const req = exchange.request
    return {
      v: CAPTURE_VERSION,
      id: exchange.id,
      time: exchange.startedAt,
      route: exchange.route,
      request: this.#request(req),
      primary: this.#side(exchange.primary),
      candidate: this.#side(exchange.candidate),
      verdict: result.verdict as FinalVerdict, // wants() refuses `undecided`
      ...(result.reason !== undefined ? { reason: result.reason } : {}),
      // Field values come from the normalized bodies: a redacted path must not leak here either.
      fields: redactFields(result.fields, this.#redaction),
    }
  }

  get stats (): CaptureStats {
    return { ...this.#file.stats, errors: this.#errors }
  }

  flush (): Promise<void> {
    return this.#file.flush()
  }

  close (): Promise<void> {
    this.#alarm?.close()
    return this.#file.close()
  }

  #redactHeaders (headers: HeaderMap): HeaderMap {
    return redactHeaders(headers, this.#redaction.headers, this.#redaction.query)
  }

  /**
   * The request line and headers; and its body when the proxy hands one over (an optional
   * `request.body`, not yet in the Exchange contract): replaying a POST needs it.
   */
  #request (req: Exchange['request'] & { body?: Uint8Array }): CaptureRecord['request'] {
    const headers = this.#redactHeaders(req.headers)
    const path = redactTarget(req.path, this.#redaction.query)
    if (req.body === undefined) return { method: req.method, path, headers }
    const { headers: stored, ...body } = storeBody(headers, req.body, false, this.#redaction.paths)
    return { method: req.method, path, headers: stored, ...body }
  }

  #side (r: CapturedResponse): CaptureSide {
    const stored = storeBody(this.#redactHeaders(r.headers), r.body, r.truncated, this.#redaction.paths)
    return {
      status: r.status,
      ...stored,
      ...(r.truncated ? { truncated: true } : {}),
      ...(r.failure !== undefined ? { failure: r.failure } : {}),
    }
  }
}
