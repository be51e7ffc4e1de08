// Lint: TypeScript's recommended rules with type information, React's hook rules and jsx-a11y's accessibility rules.
import js from "@eslint/js";
import jsxA11y from "eslint-plugin-jsx-a11y";
import reactHooks from "eslint-plugin-react-hooks";
import globals from "globals";
import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["dist", "dev-dist", "node_modules", "src/api/schema.d.ts", "test-results", "playwright-report"] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  reactHooks.configs.flat.recommended,
  jsxA11y.flatConfigs.recommended,
  {
    languageOptions: {
      globals: { ...globals.browser },
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
  },
  {
    // Playwright fixtures call their `use` argument: not React's hook.
    files: ["e2e/**", "e2e-stack/**"],
    rules: { "react-hooks/rules-of-hooks": "off" },
  },
  {
    // Fakes keep the async shape of what they stand in for.
    files: ["**/*.test.ts", "**/*.test.tsx", "e2e/**"],
    rules: { "@typescript-eslint/require-await": "off" },
  },
  {
    files: ["scripts/**/*.mjs", "eslint.config.js"],
    extends: [tseslint.configs.disableTypeChecked],
    languageOptions: { globals: { ...globals.node } },
  },
);
