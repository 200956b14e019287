// protosmith's JavaScript/TypeScript review: eslint's security plugin and the core rules that
// catch code injection and outright bugs. Style is left to the project's own linter.
import security from "eslint-plugin-security";
import tsParser from "@typescript-eslint/parser";

const rules = {
  ...security.configs.recommended.rules,
  // Flags every obj[key]: far too noisy to be worth a reviewer's time.
  "security/detect-object-injection": "off",
  "no-eval": "error",
  "no-implied-eval": "error",
  "no-new-func": "error",
  "no-script-url": "error",
  "no-unsafe-finally": "error",
  "no-unsafe-negation": "error",
  "no-unsafe-optional-chaining": "error",
  "no-dupe-keys": "error",
  "no-duplicate-case": "error",
  "no-self-compare": "error",
  "no-unreachable": "error",
  "use-isnan": "error",
  "valid-typeof": "error",
  "no-constant-condition": "warn",
  "no-unused-vars": "warn",
};

export default [
  {
    files: ["**/*.js", "**/*.jsx", "**/*.mjs", "**/*.cjs"],
    plugins: { security },
    languageOptions: { ecmaVersion: "latest", sourceType: "module" },
    rules,
  },
  {
    files: ["**/*.cjs"],
    languageOptions: { sourceType: "commonjs" },
  },
  {
    files: ["**/*.ts", "**/*.tsx", "**/*.mts", "**/*.cts"],
    plugins: { security },
    languageOptions: {
      parser: tsParser,
      parserOptions: { ecmaFeatures: { jsx: true } },
    },
    rules: { ...rules, "no-unused-vars": "off" },
  },
];
