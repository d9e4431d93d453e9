"""Where the commands write, and what they never replace.

Every command that writes a file or folder the user names goes through this package:

* :func:`check_place` refuses an output folder (or file) inside a MURA tree or a run
  folder: mura never writes into a data set, and writes into a run folder only the
  run's own files (``train``, ``evaluate``);
* :func:`claim_file` refuses, before any work, to replace an existing file unless it
  is a previous output of the same command (recognised by its marker, :mod:`.markers`)
  or ``--overwrite`` is given; ``--overwrite`` never replaces a file of a MURA tree, a
  split manifest or anything inside a run folder;
* :func:`inside` resolves every path built under a named folder (following symbolic
  links) and refuses one that lands outside it; :func:`check_links` refuses a run folder
  holding a link that leads out of it (its files are written by fixed names);
* :func:`output_names` gives each input its own output name (never ``..``, never an
  absolute path, never the name of another input's output).
"""

from mura_core.outputs.claims import claim_file, protected_file
from mura_core.outputs.markers import figure_metadata, is_output_of, png_info
from mura_core.outputs.names import output_names, path_component, unique_names
from mura_core.outputs.places import check_links, check_place, inside, protected_place

__all__ = [
    "check_links",
    "check_place",
    "claim_file",
    "figure_metadata",
    "inside",
    "is_output_of",
    "output_names",
    "path_component",
    "png_info",
    "protected_file",
    "protected_place",
    "unique_names",
]
