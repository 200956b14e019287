"""Review: grounded findings from static tools, taint rules, tests and the LLM."""
