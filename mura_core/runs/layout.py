"""Where a run keeps its artifacts: ``RUNS/<canonical run name>/...``.

A run folder is named by the run's canonical name: the model name, plus ``__`` and the
run suffix when there is one (``cnn_in.256.256.3_..._ld.0.25__wc_aug_XR_WRIST``). The
name alone rebuilds the model; the folder holds everything else.

A path component may hold at most 255 bytes. A longer name (a long MLP head, an
ensemble embedding a long member) gets a deterministic short form,
:func:`run_folder_name`: its first bytes, ``~`` (a character no name contains) and 16
hex digits of the SHA-256 of the full name. Every run folder keeps its full name in the
plain-text file ``name.txt`` (:data:`NAME_FILE`), the only place a shortened folder's
name is read from; the digest ties the file to its folder. An ensemble's members live in
``members/<KEY>/`` under the ensemble's folder, named by their ``name.txt``.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

__all__ = [
    "MAX_COMPONENT_BYTES",
    "NAME_FILE",
    "STATE_FILE",
    "WEIGHTS_TEMPLATE",
    "RunFolder",
    "WeightsFile",
    "best_weights",
    "run_folder_name",
    "weights_files",
]

#: Most bytes of one path component on common file systems.
MAX_COMPONENT_BYTES = 255
#: The plain-text file holding a run's full canonical name.
NAME_FILE = "name.txt"
#: Separates a shortened folder name from its digest (never part of a name).
SHORT_MARK = "~"
_DIGEST_LENGTH = 16
#: The record of a run's last committed epoch, inside its ``backup/`` folder.
STATE_FILE = "state.json"
#: Folder holding an ensemble's member runs.
MEMBERS_FOLDER = "members"


def run_folder_name(run_name: str) -> str:
    """The folder name of ``run_name``: itself, or its deterministic short form."""
    if len(run_name.encode("utf-8")) <= MAX_COMPONENT_BYTES:
        return run_name
    digest = hashlib.sha256(run_name.encode("utf-8")).hexdigest()[:_DIGEST_LENGTH]
    keep = MAX_COMPONENT_BYTES - len(SHORT_MARK) - _DIGEST_LENGTH
    head = run_name.encode("utf-8")[:keep].decode("utf-8", errors="ignore")
    return f"{head}{SHORT_MARK}{digest}"


def is_shortened(folder_name: str) -> bool:
    """True for a folder name in the short form of :func:`run_folder_name`."""
    return SHORT_MARK in folder_name


#: Keras ``ModelCheckpoint`` template of the best weights (the report's file names).
WEIGHTS_TEMPLATE = (
    "weights.{epoch:02d}-{val_loss:.4f}-{val_auc:.4f}-{val_accuracy:.4f}-{val_kappa:.4f}.weights.h5"
)
_NUMBER = r"(-?(?:\d+\.\d+|nan|inf))"
_WEIGHTS_PATTERN = re.compile(
    rf"^weights\.(\d+)-{_NUMBER}-{_NUMBER}-{_NUMBER}-{_NUMBER}\.weights\.h5$"
)


@dataclass(frozen=True)
class WeightsFile:
    """A checkpoint file and the validation scores its name records."""

    path: Path
    epoch: int
    val_loss: float
    val_auc: float
    val_accuracy: float
    val_kappa: float

    @classmethod
    def parse(cls, path: Path) -> WeightsFile | None:
        """Read the scores from a checkpoint's file name; ``None`` if it is not one."""
        match = _WEIGHTS_PATTERN.match(path.name)
        if not match:
            return None
        epoch, *scores = match.groups()
        return cls(path, int(epoch), *(float(score) for score in scores))


def weights_files(folder: str | Path) -> list[WeightsFile]:
    """The checkpoints in ``folder``, by epoch."""
    found = (WeightsFile.parse(path) for path in Path(folder).glob("weights.*.weights.h5"))
    return sorted((item for item in found if item is not None), key=lambda item: item.epoch)


def best_weights(folder: str | Path) -> WeightsFile | None:
    """The checkpoint with the lowest validation loss (the latest among equals)."""
    files = weights_files(folder)
    if not files:
        return None
    return min(files, key=lambda item: (item.val_loss, -item.epoch))


@dataclass(frozen=True)
class RunFolder:
    """The paths of one run's artifacts."""

    path: Path

    @classmethod
    def for_run(cls, root: str | Path, run_name: str) -> RunFolder:
        """The folder of ``run_name`` under ``root`` (its name shortened if too long)."""
        return cls(Path(root) / run_folder_name(run_name))

    @classmethod
    def create(cls, root: str | Path, run_name: str) -> RunFolder:
        """The folder of ``run_name`` under ``root``, created if needed."""
        folder = cls.for_run(root, run_name)
        folder.path.mkdir(parents=True, exist_ok=True)
        return folder

    @property
    def is_member(self) -> bool:
        """True for an ensemble member's folder (``<ensemble>/members/<KEY>``)."""
        return self.path.parent.name == MEMBERS_FOLDER

    @property
    def name(self) -> str:
        """The run name: the folder's name, or ``name.txt`` for a shortened folder
        name or an ensemble member (``OSError`` if that file is missing)."""
        if not (is_shortened(self.path.name) or self.is_member):
            return self.path.name
        return self.name_file.read_text(encoding="utf-8").strip()

    @property
    def name_file(self) -> Path:
        """``name.txt``: the run's full canonical name, in plain text."""
        return self.path / NAME_FILE

    def write_name(self, run_name: str) -> None:
        """Write ``name.txt`` (every run has one)."""
        self.path.mkdir(parents=True, exist_ok=True)
        temporary = self.name_file.with_name(f".{NAME_FILE}.tmp")
        temporary.write_text(run_name + "\n", encoding="utf-8")
        temporary.replace(self.name_file)

    @property
    def members(self) -> Path:
        """``members/``: an ensemble's member runs."""
        return self.path / MEMBERS_FOLDER

    def member(self, key: str) -> RunFolder:
        """The folder of the ensemble member ``key``."""
        return RunFolder(self.members / key)

    @property
    def run_json(self) -> Path:
        return self.path / "run.json"

    @property
    def history(self) -> Path:
        return self.path / "history.tsv"

    @property
    def evaluation(self) -> Path:
        """Evaluation on the test set (MURA ``valid``), as the report kept it."""
        return self.evaluation_for("test")

    def evaluation_for(self, subset: str) -> Path:
        """``evaluation.tsv`` for the test set, ``evaluation.<subset>.tsv`` otherwise."""
        return self.path / ("evaluation.tsv" if subset == "test" else f"evaluation.{subset}.tsv")

    def predictions_for(self, subset: str) -> Path:
        """Per-image probabilities of an evaluation: ``predictions.<subset>.tsv``."""
        return self.path / f"predictions.{subset}.tsv"

    def roc_curve_for(self, subset: str) -> Path:
        """``roc_curve.png`` for the test set, ``roc_curve.<subset>.png`` otherwise."""
        return self.path / ("roc_curve.png" if subset == "test" else f"roc_curve.{subset}.png")

    def reliability_for(self, subset: str) -> Path:
        """``reliability.png`` for the test set, ``reliability.<subset>.png`` otherwise."""
        return self.path / ("reliability.png" if subset == "test" else f"reliability.{subset}.png")

    @property
    def calibration(self) -> Path:
        """The run's temperature and operating point (``mura calibrate``)."""
        return self.path / "calibration.json"

    @property
    def model_summary(self) -> Path:
        return self.path / "model_summary.txt"

    @property
    def training_graph(self) -> Path:
        return self.path / "training_graph.png"

    @property
    def model_plot(self) -> Path:
        return self.path / "model_plot.png"

    @property
    def split(self) -> Path:
        return self.path / "split.csv"

    @property
    def fingerprint(self) -> Path:
        """``fingerprint.tsv``: the data the run was given (:mod:`mura_core.data.fingerprint`)."""
        return self.path / "fingerprint.tsv"

    @property
    def evaluations(self) -> Path:
        """``evaluations/``: named evaluations on other data, one folder each."""
        return self.path / "evaluations"

    @property
    def tensorboard(self) -> Path:
        return self.path / "tensorboard"

    @property
    def backup(self) -> Path:
        """Training state for resuming; removed when training finishes."""
        return self.path / "backup"

    @property
    def state(self) -> Path:
        """``backup/state.json``: which epoch is committed (see
        :mod:`~mura_core.training.commits`)."""
        return self.backup / STATE_FILE

    @property
    def weights_template(self) -> str:
        return str(self.path / WEIGHTS_TEMPLATE)

    def best_weights(self) -> WeightsFile | None:
        """The best checkpoint of this run, if any."""
        return best_weights(self.path)
