// ESLint with typescript-eslint's type-aware rules (`npm run lint`); Prettier owns formatting.
import js from '@eslint/js';
import i18next from 'eslint-plugin-i18next';
import reactHooks from 'eslint-plugin-react-hooks';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**', 'migrations/**', 'stubs/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      // A promise nobody awaits loses its error: the bug class that matters most in a webhook server.
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { arguments: false, attributes: false } }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      // Vendor payloads and test bodies are `any` by nature; zod narrows them at the edge.
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/require-await': 'off',
      '@typescript-eslint/only-throw-error': 'off',
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true, allowBoolean: true, allowNullish: true }],
    },
  },
  {
    files: ['src/web/**/*.{ts,tsx}'],
    plugins: { 'react-hooks': reactHooks },
    rules: { 'react-hooks/rules-of-hooks': 'error', 'react-hooks/exhaustive-deps': 'warn' },
  },
  {
    // Every word an agent reads comes from src/web/locales (docs/admin.md, "Languages").
    // jsx-only: text, attributes and expressions inside JSX. Strings typed as literal unions
    // (`type="button"`, `aria-live="polite"`) pass through the type checker; the attributes
    // below carry identifiers, never words; <kbd> shows key names as printed on keyboards.
    files: ['src/web/**/*.tsx'],
    plugins: { i18next },
    rules: {
      'i18next/no-literal-string': [
        'error',
        {
          mode: 'jsx-only',
          'jsx-components': { exclude: ['Trans', 'kbd'] },
          'jsx-attributes': {
            exclude: [
              'className',
              'style',
              'type',
              'key',
              'id',
              'htmlFor',
              'name',
              'role',
              'href',
              'to',
              'src',
              'rel',
              'target',
              'autoComplete',
              'inputMode',
              'accept',
              'pattern',
              'lang',
              'dir',
              'value',
              'testId',
              'data-.*',
              'aria-controls',
              'aria-labelledby',
              'aria-describedby',
              'aria-live',
              'aria-current',
              'aria-haspopup',
              'aria-sort',
              'aria-keyshortcuts',
              // recharts wiring (data keys, axes, colours)
              'dataKey',
              'yAxisId',
              'xAxisId',
              'stackId',
              'stroke',
              'fill',
              'strokeDasharray',
              'orientation',
              'unit',
              'iconType',
              'interval',
            ],
          },
          // (Template literals are not checked: the admin forms index errors by field path, err[`capacity.${c}`].)
          // t() and tr() (a component's t when `t` names something else) take catalogue keys; errUnder() a field path
          callees: {
            exclude: [
              'i18n(ext)?',
              't',
              'errUnder',
              'tr',
              'require',
              'addEventListener',
              'removeEventListener',
              'dispatch',
              'includes',
              'startsWith',
              'endsWith',
            ],
          },
          'object-properties': { exclude: ['className', 'fill', 'color', 'stroke'] },
          // Strings without a letter (punctuation, separators, numbers, emoji), CONSTANT-like codes
          // and the product's name carry nothing to translate.
          words: { exclude: [/^[^\p{L}]*$/u, '[A-Z_-]+', 'Switchboard'] },
        },
      ],
    },
  },
  {
    // Test fixtures hand out plain functions from objects (`const { line, text } = routingFixtures(...)`).
    files: ['test/**/*.ts', 'bench/**/*.ts'],
    rules: { '@typescript-eslint/unbound-method': 'off' },
  },
  {
    files: ['**/*.js', '**/*.mjs'],
    extends: [tseslint.configs.disableTypeChecked],
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly' } },
  },
);
