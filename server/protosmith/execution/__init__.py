"""Run generated tests for real: sandbox, per-language runners, result parsing."""
