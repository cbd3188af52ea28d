/** The request body limit for chunked uploads, whose size is known only as it arrives. */
import { Transform, type TransformCallback } from 'node:stream'
import { BodyTooLargeError } from '../errors.js'

/**
 * Counts body bytes (chunked uploads, whose size is unknown up front) and errors with
 * BodyTooLargeError past `limit`, after calling `onOver` once. The error aborts the upstream
 * request: a truncated body must never reach it as if complete.
 */
export class BodyLimit extends Transform {
  private seen = 0
  constructor (private readonly limit: number, private readonly onOver: () => void) { super() }

  override _transform (chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    this.seen += chunk.length
    if (this.seen > this.limit) {
      this.onOver()
      cb(new BodyTooLargeError(this.limit))
      return
    }
    cb(null, chunk)
  }
}
