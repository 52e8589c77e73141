/**
 * Decoder fuzzing at a size that fits `npm test` (500,000 cases, ~20-30 s on 2 cores).
 * Larger runs: DNC_FUZZ_CASES=1000000 (scripts/fuzz.sh), another seed with
 * DNC_FUZZ_SEED, one failing case alone with DNC_FUZZ_CASE_SEED=0x...
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { dissect, sourceMac, summarize } from '../../src/core/decode/index';
import { describeFailures, runFuzz } from '../support/fuzzDecoders';
import { fixtureFrames } from '../support/fuzzInputs';

const REPO = join(__dirname, '..', '..');
const CASES = Number(process.env.DNC_FUZZ_CASES ?? 500_000);
const SEED = Number(process.env.DNC_FUZZ_SEED ?? 0x5eed2024);
const ONLY = process.env.DNC_FUZZ_CASE_SEED === undefined ? undefined : Number(process.env.DNC_FUZZ_CASE_SEED);

describe('decoder fuzzing', () => {
  it(`${ONLY !== undefined ? 'replays one case' : `${CASES} seeded cases`}: nothing escapes, nothing hangs, memory stays bounded`, { timeout: Math.max(120_000, CASES * 0.5) }, () => {
    const report = runFuzz({ cases: CASES, seed: SEED, corpus: fixtureFrames(REPO), ...(ONLY !== undefined ? { onlyCaseSeed: ONLY } : {}) });
    const { failures, ...figures } = report;
    process.stdout.write(`# fuzz (seed 0x${SEED.toString(16)}): ${JSON.stringify({ ...figures, elapsedMs: Math.round(figures.elapsedMs), slowestCaseMs: Math.round(figures.slowestCaseMs), peakRssMiB: Math.round(figures.peakRssMiB), peakHeapMiB: Math.round(figures.peakHeapMiB) })}\n`);
    assert.equal(failures.length, 0, describeFailures(failures));
    assert.equal(report.cases, ONLY !== undefined ? 1 : CASES);
    if (ONLY === undefined) {
      // The mix really exercised each parser, and malformed input was seen and reported as such.
      assert.ok(report.streams > CASES * 0.05 && report.batches > CASES * 0.02 && report.channelStreams > CASES * 0.01, JSON.stringify(figures));
      assert.ok(report.malformedFrames > report.frames * 0.1, 'mutations produce frames the decoder reports as malformed');
      for (const kind of ['unsupported-format', 'malformed', 'truncated']) assert.ok((report.streamErrors[kind] ?? 0) > 0, `no stream reported ${kind}`);
      // Memory: no growth with the number of cases (each case's garbage is collectable).
      assert.ok(report.peakHeapMiB < 400, `heap reached ${report.peakHeapMiB.toFixed(0)} MiB`);
    }
  });

  it('catches a planted decoder bug and prints a seed that replays it alone', () => {
    const corpus = fixtureFrames(REPO);
    // A decoder that throws on one kind of input and highlights bytes past the end of another.
    const broken = {
      summarize,
      sourceMac,
      dissect: (data: Uint8Array, linkType: number, originalLength?: number) => {
        if (data.length === 37) throw new RangeError('planted: offset out of bounds');
        const layers = dissect(data, linkType, originalLength);
        if (data.length === 41 && layers[0]) layers[0].length = data.length + 1;
        return layers;
      },
    };
    const report = runFuzz({ cases: 20_000, seed: 7, corpus, decoders: broken, maxFailures: 5 });
    assert.ok(report.failures.some((f) => f.kind === 'decoder-threw' && /planted/.test(f.message)), describeFailures(report.failures));
    const first = report.failures[0];
    assert.ok(first && /^0x[0-9a-f]{8}$/.test(first.caseSeed) && first.inputHex.length > 0);
    const replay = runFuzz({ cases: 1, seed: 0, corpus, decoders: broken, onlyCaseSeed: Number(first.caseSeed) });
    assert.equal(replay.failures[0]?.kind, first.kind);
    assert.equal(replay.failures[0]?.inputHex, first.inputHex);
    const outOfFrame = runFuzz({ cases: 20_000, seed: 8, corpus, decoders: { ...broken, dissect: (d, l, o) => (d.length === 37 ? dissect(d, l, o) : broken.dissect(d, l, o)) }, maxFailures: 3 });
    assert.ok(outOfFrame.failures.some((f) => f.kind === 'layer-out-of-frame'), describeFailures(outOfFrame.failures));
  });
});
