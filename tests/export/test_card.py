"""The model card of a trained run, an unevaluated run and a partly trained ensemble."""

from __future__ import annotations

import hashlib
import json
import re
import shutil
from pathlib import Path

import pytest

import registry
from mura_core.evaluation import Evaluation
from mura_core.export.card import CARD_FILE, model_card, write_model_card
from mura_core.export.card_artifacts import PARITY_COLUMNS
from mura_core.export.parity import Parity
from mura_core.runs import read_run_json

HEADINGS = [
    "## Model",
    "## Artifact",
    "## Data",
    "## Training",
    "## Evaluation",
    "## Parity",
    "## Intended use",
    "## Limitations",
]
PARITY = Parity(
    format="tflite",
    quantize="float16",
    images=28,
    studies=14,
    max_abs_difference=0.00042,
    run_study_kappa=0.5,
    artifact_study_kappa=0.25,
    tolerance=0.0001,
)
#: The ``artifacts`` of an ``export.json``, as ``mura export`` records them.
ARTIFACTS = {
    "tflite": {
        "format": "tflite",
        "file": "model.tflite",
        "quantize": "float16",
        "inputs": [
            {"name": "image", "shape": [None, 32, 32, 1], "dtype": "uint8"},
            {"name": "body_part", "shape": [None], "dtype": "int32"},
        ],
        "outputs": [{"name": "probability", "shape": [None], "dtype": "float32"}],
        "body_part_index": list(registry.BODY_PARTS),
        "covered_body_parts": ["XR_HAND", "XR_WRIST"],
        "weights": "weights.02-0.6386-0.7333-0.8077-0.0000.weights.h5",
        "exported": "2026-01-02T03:04:05+00:00",
        "parity": {**PARITY.as_dict(), "data_root": "/data/mura"},
    }
}
WARNING = "**Warning: synthetic data.**"


def _section(card: str, heading: str) -> str:
    """The text under ``heading``, up to the next section."""
    return card.split(f"\n{heading}\n", 1)[1].split("\n## ", 1)[0]


def _row(section: str, first: str) -> list[str]:
    """The cells of the table row of ``section`` whose first cell is ``first``."""
    for line in section.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if line.startswith("|") and cells[0] == first:
            return cells
    raise AssertionError(f"no row {first!r} in:\n{section}")


@pytest.fixture(scope="module")
def card(trained, tmp_path_factory) -> str:
    out = tmp_path_factory.mktemp("card")
    written = write_model_card(trained.folder.path, out, artifacts=ARTIFACTS)
    assert written == out / CARD_FILE
    return written.read_text(encoding="utf-8")


def test_the_card_has_every_section_in_order_under_the_run_name(card, trained):
    lines = card.splitlines()
    assert lines[0] == f"# {trained.run.parsed.full_name}"
    assert [line for line in lines if line.startswith("## ")] == HEADINGS


def test_every_token_of_the_name_is_explained_by_its_family_grammar(card, trained):
    parsed = registry.parse(trained.run.parsed.full_name)
    model = _section(card, "## Model")
    for tf in parsed.spec.token_fields():
        cells = _row(model, f"`{tf.key}`")
        assert (cells[1], cells[3]) == (tf.field, tf.help)
    assert _row(model, "`in`")[2] == "`32.32.1`"
    assert _row(model, "`cl`")[2] == "`2.1`"
    assert _row(model, "`spdp`")[2] == "`-`"
    assert "weight_classes=True, augment=True" in model


def test_plugin_and_parameters_come_from_run_json(card, trained):
    info = read_run_json(trained.folder.run_json)
    provider, parameters = info["provider"], info["parameters"]
    model = _section(card, "## Model")
    plugin = f"`{provider['plugin']}` of `{provider['distribution']}` {provider['version']}"
    assert f"- Plugin: {plugin}" in model
    assert f"- Parameters: {parameters['total']:,} ({parameters['trainable']:,} trainable)" in model


def test_data_section_hashes_the_split_and_counts_each_body_part(card, trained, mura_root):
    data = _section(card, "## Data")
    digest = hashlib.sha256(trained.folder.split.read_bytes()).hexdigest()
    assert f"SHA-256 `{digest}`" in data
    assert f"`{mura_root}`: **synthetic**" in data
    # the synthetic tree records its own counts: MURA valid is the test set, and MURA
    # train is split into training and validation by patient
    counts = json.loads((mura_root / "MURA-v1.1" / "dataset.json").read_text())["counts"]
    for part, valid in counts["valid"].items():
        train = counts["train"][part]
        cells = [int(cell) for cell in _row(data, part)[1:]]
        train_images, train_studies, val_images, val_studies, test_images, test_studies = cells
        assert (test_images, test_studies) == (valid["images"], valid["studies"])
        assert train_images + val_images == train["images"]
        assert train_studies + val_studies == train["studies"]
    total = [int(cell) for cell in _row(data, "ALL")[1:]]
    assert total[4] == sum(part["images"] for part in counts["valid"].values())


def test_training_settings_and_status_come_from_run_json(card, trained):
    info = read_run_json(trained.folder.run_json)
    training = _section(card, "## Training")
    assert _row(training, "batch size")[1] == str(info["config"]["batch_size"])
    assert _row(training, "status")[1] == "complete"
    assert _row(training, "epochs trained")[1] == str(info["epochs_trained"])
    assert _row(training, "augmentation")[1] == "on"
    assert _row(training, "class weights")[1].startswith("on, balanced (label 0: ")
    assert _row(training, "optimiser")[1] == "Adam, learning rate 0.001"


def test_evaluation_table_shows_kappa_intervals_per_part_and_level(card, trained):
    evaluation = Evaluation.read_tsv(trained.folder.evaluation)
    section = _section(card, "## Evaluation")
    rows = [line for line in section.splitlines() if line.startswith("| XR_")]
    assert len(rows) == 2 * len(evaluation.by_body_part)
    overall = evaluation.study
    study = next(line for line in section.splitlines() if line.startswith("| ALL | study |"))
    assert f"| {overall.kappa:.3f} | [{overall.kappa_low:.3f}, {overall.kappa_high:.3f}] |" in study


def test_artifact_signature_and_parity_figures(card):
    artifact = _section(card, "## Artifact")
    assert _row(artifact, "tflite")[1:] == [
        "model.tflite", "float16", "weights.02-0.6386-0.7333-0.8077-0.0000.weights.h5",
        "2026-01-02T03:04:05+00:00"]  # fmt: skip
    assert "Members cover XR_HAND, XR_WRIST; the probability of any other part is NaN" in artifact
    assert _row(artifact, "input")[1:] == ["`image`", "`[None, 32, 32, 1]`", "uint8"]
    assert _row(artifact, "output")[1:] == ["`probability`", "`[None]`", "float32"]
    assert "index of the image's body part: 0 XR_ELBOW, 1 XR_FINGER," in artifact
    assert set(PARITY_COLUMNS) == set(PARITY.as_dict())  # every field of a record, shown
    parity = _row(_section(card, "## Parity"), "tflite")
    assert parity[1:] == ["float16", "28", "14", "0.00042", "0.500", "0.250", "0.0001", "no"]
    assert "on the same test images of `/data/mura`:" in _section(card, "## Parity")
    assert card.index("**Warning: parity failed.** The tflite artifact") < card.index("## Model")
    assert "Quantised artifacts: tflite (float16)." in _section(card, "## Limitations")


def test_synthetic_data_is_flagged_above_the_model_and_in_the_limits(card):
    assert card.index(WARNING) < card.index("## Model")
    limitations = _section(card, "## Limitations")
    assert "**Not a medical device.**" in limitations
    assert "**Synthetic data**" in limitations


def test_real_data_has_no_synthetic_warning(trained, tmp_path):
    for split in ("train", "valid"):
        (tmp_path / "MURA-v1.1" / split).mkdir(parents=True)
    card = model_card(trained.folder.path, data_root=tmp_path)
    assert WARNING not in card and "**Synthetic data**" not in card
    assert "not written by `mura synth`" in _section(card, "## Data")
    assert "Not exported" in _section(card, "## Artifact")
    assert "Not measured." in _section(card, "## Parity")


def test_an_unevaluated_run_says_so(trained, tmp_path):
    copy = Path(shutil.copytree(trained.folder.path, tmp_path / trained.folder.path.name))
    (copy / "evaluation.tsv").unlink()
    card = model_card(copy)
    evaluation = _section(card, "## Evaluation")
    assert evaluation.strip().startswith("Not evaluated")
    assert "| ALL |" not in evaluation
    assert [line for line in card.splitlines() if line.startswith("## ")] == HEADINGS


@pytest.fixture(scope="module")
def partial_ensemble(mura_root, tmp_path_factory) -> Path:
    """A ``route`` ensemble over HAND and WRIST whose HAND member only is trained."""
    from mura_core.ensembles import train_ensemble
    from mura_core.training import TrainConfig
    from tests.ensembles.conftest import MEMBER, SETTINGS, ensemble_plugin

    name = f"parts_m({MEMBER})_bp.HAND.WRIST_c.route__wc"
    out = tmp_path_factory.mktemp("ensemble-card")
    config = TrainConfig(name=name, data_root=mura_root, out=out, epochs=1, **SETTINGS)
    with ensemble_plugin():
        return train_ensemble(config, members=["XR_HAND"]).folder.path


def test_an_ensemble_lists_its_members_and_rule(partial_ensemble):
    from tests.ensembles.conftest import MEMBER, ensemble_plugin

    with ensemble_plugin():
        card = model_card(partial_ensemble)
    headings = [line for line in card.splitlines() if line.startswith("## ")]
    assert headings == [HEADINGS[0], "## Members", *HEADINGS[1:]]
    members = _section(card, "## Members")
    assert "Combination rule: `route`" in members
    hand, wrist = _row(members, "XR_HAND"), _row(members, "XR_WRIST")
    assert hand[2:4] == [f"`{MEMBER}__wc_XR_HAND`", "complete"]
    assert wrist[2:4] == [f"`{MEMBER}__wc_XR_WRIST`", "not trained"]
    assert _row(_section(card, "## Model"), "`m`")[2] == f"`{MEMBER}`"
    assert re.search(r"- Parameters: [\d,]+ \([\d,]+ trainable\) over 1 of 2 members", card)
    assert "Members not (fully) trained: XR_WRIST." in _section(card, "## Limitations")
