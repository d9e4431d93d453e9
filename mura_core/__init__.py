"""MURA core: interfaces, data layer, training, evaluation, artifacts and the ``mura`` CLI.

Importing :mod:`mura_core` does not import TensorFlow; the submodules that need it
import it themselves.
"""

from mura_core.errors import MuraError

__all__ = ["MuraError"]
