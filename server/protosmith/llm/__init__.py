"""LLM backends behind one small protocol: local llama.cpp, OpenAI-compatible, and scripted (tests)."""
