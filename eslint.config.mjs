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
    // The helper and the engine run as root or nobody, never inside VS Code.
    files: ['src/engine/**/*.ts', 'src/helper/**/*.ts', 'src/cli/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { paths: ['vscode'] }],
    },
  },
);
