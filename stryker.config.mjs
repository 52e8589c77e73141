// npm run mutate: mutation testing of the pure code (src/core, the helper's
// capture plan, the request checks). Not part of npm test: a full run takes tens
// of minutes on two cores. Each mutant runs only the unit test files that reach
// it (the tap runner runs one node:test file per process, through tsx);
// incremental mode re-tests only what changed since the last run. Reports go to
// .test-artifacts/mutation/ (index.html, mutation.json).
// fuzzDecoders.test.ts is left out: it asserts only "does not throw" and takes
// 16 s, so it would kill nothing but slow every mutant down.
/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  "packageManager": "npm",
  "testRunner": "tap",
  "tap": {
    "testFiles": [
      "test/unit/capturePlan.test.ts",
      "test/unit/requestValidation.test.ts",
      "test/unit/seedFormat.test.ts",
      "test/unit/hexdump.test.ts",
      "test/unit/pcapReader.test.ts",
      "test/unit/pcapWriter.test.ts",
      "test/unit/packetStoreBatch.test.ts",
      "test/unit/decodeRobustness.test.ts",
      "test/unit/decodeColumns.test.ts",
      "test/unit/filter.test.ts",
      "test/unit/packetStore.test.ts",
      "test/unit/decodeFixtures.test.ts"
    ],
    "nodeArgs": [
      "--import",
      "tsx"
    ],
    "forceBail": true
  },
  "checkers": [
    "typescript"
  ],
  "tsconfigFile": "stryker.tsconfig.json",
  "typescriptChecker": {
    "prioritizePerformanceOverAccuracy": true
  },
  "mutate": [
    "src/core/**/*.ts",
    "src/helper/capturePlan.ts",
    "src/protocol/requestValidation.ts"
  ],
  "ignorePatterns": [
    ".test-artifacts",
    "dist",
    "bench/out",
    "webview"
  ],
  "coverageAnalysis": "perTest",
  "concurrency": 2,
  "timeoutMS": 5000,
  "incremental": true,
  "incrementalFile": ".test-artifacts/mutation/stryker-incremental.json",
  "tempDirName": ".test-artifacts/stryker-tmp",
  "cleanTempDir": true,
  "reporters": [
    "clear-text",
    "progress",
    "html",
    "json"
  ],
  "htmlReporter": {
    "fileName": ".test-artifacts/mutation/index.html"
  },
  "jsonReporter": {
    "fileName": ".test-artifacts/mutation/mutation.json"
  },
  "clearTextReporter": {
    "allowColor": false,
    "logTests": false,
    "reportScoreTable": true
  }
};
