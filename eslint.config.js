// Lint: typescript-eslint's type-aware recommended rules; the type check itself is `npm run typecheck`.
import js from "@eslint/js";
import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["node_modules/", "dist/", "**/dist/", "coverage/", "charts/", "crds/generated/"] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: { allowDefaultProject: ["eslint.config.js"] }, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "@typescript-eslint/consistent-type-imports": "error",
      "@typescript-eslint/no-floating-promises": "error",
      "no-console": ["error", { allow: ["error"] }],
    },
  },
  {
    // Command-line entrypoints, benchmarks and test tooling talk to a terminal on purpose.
    files: ["scripts/**", "bench/**", "test/**", "**/cli/**", "**/*.cli.ts"],
    rules: { "no-console": "off" },
  },
  {
    files: ["test/**"],
    rules: {
      // chai-less assertions and mocha's `this` are fine in tests.
      "@typescript-eslint/no-unused-expressions": "off",
      "@typescript-eslint/no-non-null-assertion": "off",
    },
  },
);
