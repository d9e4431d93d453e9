"""Sphinx configuration of the MURA model registry documentation.

Build with ``make docs`` (warnings are errors, unresolved cross-references included).
Several pages are generated from the code at build time by the local extension
``docs/_ext/mura_docs.py``: the name grammar reference, the CLI reference, the preset and
reference-results tables and the ``mura_core`` API pages (``docs/_ext/mura_api.py``);
``docs/_ext/mura_xref.py`` resolves references to the project's objects where they are
documented. No network access is needed.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

DOCS = Path(__file__).resolve().parent
ROOT = DOCS.parent
# The example third-party plugin is imported by the plugin guide (not installed).
sys.path[:0] = [str(DOCS / "_ext"), str(ROOT), str(ROOT / "examples" / "mura-vgg16-plugin")]

# Document what this distribution ships, whatever else is installed in the environment:
# third-party families would otherwise appear in the generated grammar reference.
os.environ["MURA_DISABLE_PLUGIN_AUTOLOAD"] = "1"
os.environ.pop("MURA_PLUGINS", None)
os.environ.pop("MURA_BLOCK_PLUGINS", None)
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("CUDA_VISIBLE_DEVICES", "")

import registry  # noqa: E402

project = "MURA model registry"
author = "MURA model registry contributors"
copyright = "the MURA model registry contributors"
version = release = registry.__version__

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.napoleon",
    "sphinx.ext.viewcode",
    "sphinx_copybutton",
    "mura_docs",
    "mura_api",
    "mura_xref",
]

root_doc = "index"
exclude_patterns = ["_build"]
templates_path: list[str] = []
default_role = "code"
pygments_style = "sphinx"

# Every cross-reference must resolve (with -W, a broken one fails the build); references
# to the project's own objects are resolved where they are documented
# (docs/_ext/mura_xref.py). The build is offline, so no intersphinx inventory of another
# library can be downloaded: references into these libraries (and the stdlib names
# ``autodoc_typehints = "description"`` writes, as imported: ``Path``; or as aliased:
# ``pd.DataFrame``) are left as text, by exactly these package prefixes. The project's
# own packages (registry, mura_core, mura_plugins) are never ignored.
EXTERNAL_PACKAGES = [
    # the standard library, every module of it
    *sorted(sys.stdlib_module_names),
    # third-party libraries, by name and by their usual import alias
    "numpy", "np", "pandas", "pd", "tensorflow", "tf", "keras", "pluggy", "pydantic",
    "matplotlib", "PIL", "ray", "hypothesis",
]  # fmt: skip
# Bare names of other libraries in annotations: the stdlib's ``Path`` (imported bare), and
# pluggy's type variable in the call signature of its hook markers (``registry.hookimpl``).
EXTERNAL_NAMES = ["Path", "_F"]
nitpicky = True
nitpick_ignore_regex = [
    (r"py:.*", rf"({'|'.join(EXTERNAL_PACKAGES)})(\..+)?"),
    (r"py:.*", rf"({'|'.join(EXTERNAL_NAMES)})"),
]

autodoc_member_order = "bysource"
# Types in the parameter descriptions, where docs/_ext/mura_api.py writes constraints as
# text; signatures stay short.
autodoc_typehints = "description"
autodoc_preserve_defaults = True
autodoc_inherit_docstrings = False
napoleon_google_docstring = True
napoleon_numpy_docstring = False
napoleon_use_rtype = False

# Furo: responsive, an "on this page" panel, light and dark colour schemes. The version
# comes from the one place it is written (``registry.__version__``, which pyproject.toml
# also reads) and is shown in the page titles and at the top of the sidebar.
html_theme = "furo"
html_title = f"MURA model registry {release}"
html_show_sourcelink = False
# Pygments styles for Furo's light and dark schemes.
pygments_dark_style = "native"
# The copy button leaves out shell prompts and Python REPL prompts.
copybutton_prompt_text = r"\$ |>>> |\.\.\. "
copybutton_prompt_is_regexp = True
