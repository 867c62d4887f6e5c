// Code style by tools (issue 10 item 7): Prettier formats (`npm run format`), ESLint with typescript-eslint checks.
import js from '@eslint/js'
import tseslint from 'typescript-eslint'

export default tseslint.config(
  {
    ignores: [
      'dist/**',
      'node_modules/**',
      'docs/**',
      'bench/collect-build/**',
      'oclif.manifest.json',
      'src/io/generated/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      ecmaVersion: 2022,
      sourceType: 'module',
      globals: {
        process: 'readonly',
        console: 'readonly',
        Buffer: 'readonly',
        URL: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
        setInterval: 'readonly',
        clearInterval: 'readonly',
        performance: 'readonly',
        TextDecoder: 'readonly',
        TextEncoder: 'readonly',
        AbortController: 'readonly',
        structuredClone: 'readonly',
        queueMicrotask: 'readonly',
        setImmediate: 'readonly',
        globalThis: 'readonly',
        document: 'readonly',
        window: 'readonly',
        navigator: 'readonly',
        fetch: 'readonly',
        Event: 'readonly',
        module: 'writable',
        require: 'readonly',
      },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        {argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_', caughtErrors: 'none'},
      ],
      '@typescript-eslint/no-explicit-any': 'error',
      'prefer-const': 'error',
      eqeqeq: ['error', 'always', {null: 'ignore'}],
      // Matching control characters is what text safety does (src/io/text.ts) and what hostile-input tests check.
      'no-control-regex': 'off',
      'no-empty': ['error', {allowEmptyCatch: true}],
    },
  },
  {
    // The core never prints, exits or writes to the terminal: commands do (STYLE.md).
    files: ['src/**/*.ts'],
    rules: {
      'no-console': 'error',
      'no-restricted-properties': [
        'error',
        {
          object: 'process',
          property: 'exit',
          message: 'src/ never exits: return a result, the command sets the exit code.',
        },
        {object: 'process', property: 'stdout', message: 'src/ never prints: return text, the command prints it.'},
        {object: 'process', property: 'stderr', message: 'src/ never prints: return text, the command prints it.'},
      ],
    },
  },
  {
    files: ['test/**/*.ts', 'bench/**', 'scripts/**', 'docs/**'],
    rules: {
      // Forgers in tests edit parsed documents of any shape; setups chain an assignment into the facts they return.
      '@typescript-eslint/no-explicit-any': 'off',
      'no-constant-binary-expression': 'off',
    },
  },
)
