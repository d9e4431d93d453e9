"""MURA core: interfaces, data layer, training, evaluation, artifacts and the ``mura`` CLI.

Importing :mod:`mura_core` does not import TensorFlow; the submodules that need it
import it themselves.
"""

from mura_core.errors import MuraError

#: Modules (with everything below them) that are how the package works inside, not its
#: API: left out of the reference documentation, and free to change in any release.
#: Every other module is API, and so is every name a package re-exports.
INTERNAL_MODULES: tuple[str, ...] = (
    "mura_core.cli",  # the commands are documented as commands, not as Python
    "mura_core.data.cache_key",
    "mura_core.data.distinct",
    "mura_core.data.synth.anatomy",
    "mura_core.data.synth.findings",
    "mura_core.data.synth.geometry",
    "mura_core.data.synth.plan",
    "mura_core.data.synth.render",
    "mura_core.data.synth.writer",
    "mura_core.data.walking",
    "mura_core.ensembles.split",
    "mura_core.export.card_artifacts",
    "mura_core.export.card_run",
    "mura_core.export.card_sections",
    "mura_core.export.graph",
    "mura_core.export.graph_ops",
    "mura_core.export.parity",
    "mura_core.lazy_exports",
    "mura_core.native",
    "mura_core.plotting",
    "mura_core.runs.aside",
    "mura_core.sweeps.braces",
    "mura_core.sweeps.engine_local",
    "mura_core.sweeps.engine_ray",
    "mura_core.sweeps.trial",
    "mura_core.timestamps",
    "mura_core.training.precision",
    "mura_core.training.records",
    "mura_core.training.resume",
    "mura_core.training.setup",
    "mura_core.training.strategy",
)

__all__ = ["INTERNAL_MODULES", "MuraError"]
