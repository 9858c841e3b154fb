/**
 * The offscreen document of the benchmark build (dist/chrome-bench, `npm run bench`): the
 * extension's own offscreen document plus the naive baseline analyzer (`analyzer:
 * 'naive-human'`) and read-only figures for the benchmark, reached over the DevTools protocol
 * as `__callmoodBench` (no page or other extension context can call it). Never in the
 * extension users load.
 */
import { registerAnalyzer } from '../src/inference/backend.ts';
import { analyzers, currentRun } from '../src/offscreen/main.ts';
import { NaiveHumanAnalyzer } from './lib/naive-baseline.ts';

registerAnalyzer('naive-human', (config, backend) => NaiveHumanAnalyzer.create(config, backend));

(globalThis as unknown as { __callmoodBench: unknown }).__callmoodBench = {
  /** Backend, pipeline counters (reset when `reset`), tfjs tensor count, JS heap, configuration. */
  async snapshot(reset = false) {
    const chosen = analyzers.current ? await analyzers.current.catch(() => null) : null;
    const run = currentRun();
    return {
      backend: chosen?.backend ?? null,
      backendReason: chosen?.reason ?? null,
      counters: run?.takeCounters(reset) ?? null,
      numTensors: chosen ? chosen.analyzer.tf.memory().numTensors : null,
      heapUsed: (performance as unknown as { memory?: { usedJSHeapSize: number } }).memory?.usedJSHeapSize ?? null,
      config: run?.config ?? null,
    };
  },
};
