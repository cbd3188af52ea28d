/**
 * A candidate that flaps on one fixed port: `healthy` (the bench candidate variant: realistic,
 * normalizable differences), `slow` (same answers after `slowMs`, past the mirror timeout), and
 * `down` (nothing listening: connections refused). `cycle()` moves to the next mode; the port
 * never changes, so the proxy's config does not either.
 */
import { startBackend, type RunningBackend } from '../backends.js'

export type CandidateMode = 'healthy' | 'slow' | 'down'
const ORDER: CandidateMode[] = ['healthy', 'slow', 'down']

export class FlappingCandidate {
  mode: CandidateMode = 'down'
  private backend: RunningBackend | undefined

  constructor (readonly port: number, private readonly slowMs: number) {}

  async set (mode: CandidateMode): Promise<void> {
    await this.backend?.close()
    this.backend = undefined
    this.mode = mode
    if (mode === 'down') return
    this.backend = await startBackend({ variant: 'candidate', port: this.port, latencyMs: mode === 'slow' ? this.slowMs : 0 })
  }

  /** healthy → slow → down → healthy … */
  cycle (): Promise<void> {
    return this.set(ORDER[(ORDER.indexOf(this.mode) + 1) % ORDER.length] as CandidateMode)
  }

  close (): Promise<void> { return this.set('down') }
}
