"""A pytest plugin that validates with probatio in place of voluptuous, as Home Assistant 2026.11 does.

Load it with ``-p tests.probatio_shim``: it must come before anything imports voluptuous.
"""

import sys

from probatio.compat import install_as_voluptuous

if "voluptuous" in sys.modules:
    raise RuntimeError("voluptuous was imported before the probatio shim")
install_as_voluptuous()
