"""Context manager: every prompt within the token budget, measured with the real tokenizer."""
