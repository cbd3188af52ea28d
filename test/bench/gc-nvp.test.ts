/** Parsing V8's --trace-gc-nvp lines (format copied from a real proxy run on Node 20). */
import t from 'tap'
import { summarizeNvp } from '../../bench/gc-nvp.js'

const TRACE = [
  '[24341:0x1db6dd00]     6099 ms: pause=3.9 mutator=1848.5 gc=s reduce_memory=0 scavenge=3.79 allocated=16583584 promoted=409600 new_space_survived=450560 semi_space_copy_rate=2.7',
  '[24341:0x1db6dd00]     6512 ms: pause=1.1 mutator=410.2 gc=s reduce_memory=0 allocated=16000000 promoted=10240 new_space_survived=81920',
  '[24341:0x7f31e0000f00]     6600 ms: pause=0.3 mutator=80.0 gc=s promoted=0 new_space_survived=1024',
  '[24341:0x1db6dd00]     7000 ms: pause=16.5 mutator=488.0 gc=mc reduce_memory=0 mark=12.0',
  'heap sample written', // other output on the same stream
  '[24341:0x1db6dd00]     7100 ms: Scavenge 11.2 (16.0) -> 7.4 (16.0) MB, 0.34 / 0.00 ms  (not the nvp format)',
].join('\n')

t.test('sums scavenges and mark-compacts per isolate', async (t) => {
  const gc = summarizeNvp(TRACE)
  t.same([...gc.keys()], ['0x1db6dd00', '0x7f31e0000f00'])
  t.same(gc.get('0x1db6dd00'), { scavenges: 2, pauseMs: 5, survived: 450560 + 81920, promoted: 409600 + 10240, marks: 1, markPauseMs: 16.5 })
  t.same(gc.get('0x7f31e0000f00'), { scavenges: 1, pauseMs: 0.3, survived: 1024, promoted: 0, marks: 0, markPauseMs: 0 })
  t.equal(summarizeNvp('').size, 0)
})
