/**
 * Process entry of the load generator: `node --import tsx bench/loadgen-main.ts '<LoadOptions>'`
 * runs one load and prints its `LoadResult` as one JSON line. Spawned by run.ts through
 * proc.ts `runJson`, so it has an event loop (and, with --pin, a core) of its own.
 */
import { runLoad, type LoadOptions } from './loadgen.js'

const opts = JSON.parse(process.argv[2] as string) as LoadOptions
process.stdout.write(JSON.stringify(await runLoad(opts)) + '\n')
