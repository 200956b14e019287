"""Installs the no-real-model guard in Python children of guarded tests (see no_real_model.py)."""

import os

if os.environ.get("PS_TEST_NO_REAL_MODEL") == "1":
    import no_real_model

    no_real_model.install()
