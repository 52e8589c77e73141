// Lint rules kept small: the compiler's strict mode does most of the work.
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'out/**', 'node_modules/**', '.test-artifacts/**', 'bench/out/**', '**/*.js', '**/*.cjs', '**/*.mjs', '**/*.mts'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-imports': 'off',
    },
  },
  {
    // The core runs in the helper, the CLI and the webview: it must not reach for
    // Node-only modules or the VS Code API.
    files: ['src/core/**/*.ts', 'webview/**/*.ts', 'src/protocol/webviewMessages.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: ['node:*', 'vscode', 'fs', 'path', 'os', 'child_process', 'net'] }],
    },
  },
  {
    // The user-side capture client and the CLI run outside VS Code.
    files: ['src/client/**/*.ts', 'src/cli/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { paths: ['vscode'] }],
    },
  },
  {
    // The root boundary: the helper runs as root, then nobody. It may use Node's
    // built-ins, core/ and protocol/, nothing else (the build checks the bundle too).
    files: ['src/helper/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [
        { regex: '^(?!node:|\\.\\./(core|protocol)/|\\./)', message: 'root code imports only node:*, core/ and protocol/' },
      ] }],
    },
  },
  {
    // The contract between the runtimes imports nothing but itself.
    files: ['src/protocol/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ regex: '^(?!\\./)', message: 'protocol/ imports nothing outside itself' }] }],
    },
  },
);
