"""The sections of a model card, each written from a :class:`~mura_core.export.card_run.CardRun`
and what the caller measured (the artifact's signature, parity)."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import pandas as pd

from mura_core.errors import MuraError
from mura_core.evaluation.report import Evaluation
from mura_core.evaluation.studies import STUDY_THRESHOLD
from mura_core.evaluation.tables import (
    REFERENCE_RESULTS,
    SCORE_HEADERS,
    markdown_table,
    score_rows,
)
from mura_core.export.card_artifacts import Artifacts
from mura_core.export.card_run import CardRun
from mura_core.vocabulary import SUBSETS

__all__ = [
    "data_section",
    "evaluation_section",
    "intended_use_section",
    "limitations_section",
    "members_section",
    "model_section",
    "synthetic_warning",
    "training_section",
]



def synthetic_warning() -> str:
    """The warning under the title of a run on ``mura synth`` data."""
    return (
        "> **Warning: synthetic data.** This run was trained and evaluated on synthetic\n"
        "> images written by `mura synth`, not on radiographs. Its figures measure the\n"
        "> package on a made-up task and say nothing about real X-rays."
    )


def _token_value(value: Any) -> str:
    """A token's value as ``mura models show`` prints it."""
    if isinstance(value, list):
        return ".".join(str(item) for item in value) if value else "-"
    return "-" if value is None else str(value)


def model_section(run: CardRun) -> str:
    """The run name token by token, the family, its plugin and the parameter count."""
    import registry

    described = registry.describe(run.parsed.full_name)
    provider = run.info.get("provider") or {}
    plugin = "not recorded"
    if provider:
        plugin = f"`{provider.get('plugin')}` of `{provider.get('distribution')}`"
        plugin += f" {provider.get('version')}"
    shape = " x ".join(str(size) for size in described["input_shape"])
    tokens = [
        [f"`{t['token']}`", t["field"], f"`{_token_value(t['value'])}`", t["help"]]
        for t in described["tokens"]
    ]
    options = ", ".join(f"{key}={value}" for key, value in (described["run"] or {}).items())
    lines = [
        "## Model",
        "",
        f"- Run name: `{described['full_name']}`",
        f"- Model name: `{described['name']}`",
        f"- Family: `{described['family']}`, {described['summary']}",
        f"- Plugin: {plugin}",
        f"- Input: {shape}, `{described['preprocessing']}` normalisation",
        f"- Parameters: {_parameters(run, described)}",
        "",
        "The name, token by token (the family's grammar):",
        "",
        markdown_table(tokens, ("token", "field", "value", "meaning")),
    ]
    if options:
        lines += ["", f"Run options (the suffix after `__`): {options}."]
    return "\n".join(lines)


def _parameters(run: CardRun, described: dict[str, Any]) -> str:
    """The recorded parameter count (an ensemble's: the sum over its trained members)."""
    infos = [info for _, _, info in run.members] or [run.info]
    records = [info["parameters"] for info in infos if isinstance(info.get("parameters"), dict)]
    if records:
        total = sum(int(record["total"]) for record in records)
        trainable = sum(int(record["trainable"]) for record in records)
        of = f" over {len(records)} of {len(run.members)} members" if run.members else ""
        return f"{total:,} ({trainable:,} trainable){of}"
    if described.get("parameters_estimate") is not None:
        return f"{described['parameters_estimate']:,} (estimated from the name)"
    return "not recorded"


def members_section(run: CardRun) -> str:
    """An ensemble's members, their status, and the combination rule."""
    from mura_core.ensembles import ensembler_of

    rows = [
        [
            member.key,
            member.body_part or "all",
            f"`{member.run_name}`",
            status,
            info.get("epochs_trained"),
        ]
        for member, status, info in run.members
    ]
    rule = ensembler_of(run.parsed).combination(run.parsed)
    return "\n".join(
        [
            "## Members",
            "",
            f"Combination rule: `{rule}` (the `c` token above). Each member is a run of its "
            f"own in `members/<key>/`.",
            "",
            markdown_table(rows, ("key", "body part", "run name", "status", "epochs trained")),
        ]
    )


def _split_counts(split_csv: str | Path) -> list[list[object]]:
    """Images and studies per body part (``ALL`` first) and subset of a split manifest."""
    manifest = pd.read_csv(split_csv, dtype=str, keep_default_na=False)
    rows: list[list[object]] = []
    for part in ["ALL", *sorted(set(manifest["body_part"]))]:
        rows_of_part = manifest if part == "ALL" else manifest[manifest["body_part"] == part]
        row: list[object] = [part]
        for subset in SUBSETS:
            chosen = rows_of_part[rows_of_part["subset"] == subset]
            row += [len(chosen), chosen["study"].nunique()]
        rows.append(row)
    return rows


def data_section(run: CardRun) -> str:
    """The data root, the split manifest's hash and its counts per body part."""
    root = f"`{run.data_root}`: " if run.data_root is not None else ""
    lines = ["## Data", "", f"- Data root: {root}{run.data_note}"]
    split = run.folder.split
    if not split.is_file():
        return "\n".join([*lines, "- Split manifest: none in the run folder"])
    digest = hashlib.sha256(split.read_bytes()).hexdigest()
    lines.append(f"- Split manifest: `{split.name}`, SHA-256 `{digest}`")
    recorded = run.info.get("split_hash")
    if recorded and recorded != digest:
        lines.append(f"- **`run.json` records another split hash**: `{recorded}`")
    fraction = (run.info.get("config") or {}).get("validation_fraction")
    if fraction is not None:
        lines.append(
            f"- Split by patient: validation is {fraction:g} of the patients of MURA `train`; "
            "the test set is MURA `valid`"
        )
    headers = ["body part"] + [f"{subset} {kind}" for subset in SUBSETS
                               for kind in ("images", "studies")]  # fmt: skip
    return "\n".join([*lines, "", markdown_table(_split_counts(split), headers)])


def _duration(seconds: float) -> str:
    minutes, rest = divmod(round(seconds), 60)
    if not minutes:
        return f"{seconds:.1f} s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes} min" if hours else f"{minutes} min {rest} s"


def _progress_rows(run: CardRun) -> list[tuple[str, object]]:
    """Status, epochs and time (an ensemble's members' epochs, and their time summed)."""
    info = run.info
    infos = [member_info for _, _, member_info in run.members] or [info]
    timings = [item.get("timings") or {} for item in infos]
    seconds = [timing["train_seconds"] for timing in timings if "train_seconds" in timing]
    best = info.get("best") or {}
    packages = info.get("packages") or {}
    software = [f"{name} {packages[name]}" for name in ("tensorflow", "keras", "python")
                if packages.get(name)]  # fmt: skip
    return [
        ("status", info.get("status")),
        ("epochs trained", _epochs(run)),
        ("best epoch", ", ".join(f"{k} {v}" for k, v in best.items() if k != "weights")),
        ("training time", _duration(sum(seconds)) if seconds else None),
        ("started", info.get("created")),
        ("finished", info.get("finished")),
        ("software", ", ".join(software)),
    ]


def _setting_rows(run: CardRun) -> list[tuple[str, object]]:
    """The settings ``run.json`` records (its ``config`` and run options)."""
    info, config = run.info, run.info.get("config") or {}
    options = info.get("run_options") or {}
    weights = (info.get("data") or {}).get("class_weight")
    rate, patience = config.get("learning_rate"), config.get("patience")
    stopping = None if patience is None else f"patience {patience} on val_loss, best weights kept"
    pretrained = (info.get("pretrained") or "none") if "pretrained" in info else None
    return [
        ("maximum epochs", config.get("epochs")),
        ("batch size", config.get("batch_size")),
        ("optimiser", None if rate is None else f"Adam, learning rate {rate:g}"),
        ("class weights", _class_weights(options, config, weights)),
        ("augmentation", _on_off(options.get("augment"))),
        ("body part", _body_parts(run, options)),
        ("seed", config.get("seed")),
        ("early stopping", stopping),
        ("pretrained weights", pretrained),
        ("precision", info.get("precision")),
    ]


def _body_parts(run: CardRun, options: dict[str, Any]) -> str | None:
    """The body parts trained on: the run's, or its members'."""
    parts = [member.body_part for member, _, _ in run.members if member.body_part]
    if parts:
        return ", ".join(parts) + " (one member each)"
    return (options.get("body_part") or "all") if options else None


def _routes(run: CardRun) -> bool:
    """The run is an ensemble routing each image to its body part's member."""
    ensemble = run.parsed.family.ensemble
    return bool(run.members) and ensemble.combination(run.parsed) == "route"


def _epochs(run: CardRun) -> str | None:
    """Epochs trained: the run's, or each member's by key."""
    if not run.members:
        return run.info.get("epochs_trained")
    return ", ".join(f"{m.key} {i.get('epochs_trained', 0)}" for m, _, i in run.members)


def _on_off(value: object) -> str | None:
    return None if value is None else ("on" if value else "off")


def _class_weights(options: dict[str, Any], config: dict[str, Any], weights: Any) -> str | None:
    if options.get("weight_classes") is None:
        return None
    if not options["weight_classes"]:
        return "off"
    mode = config.get("class_weights", "balanced")
    if isinstance(weights, dict):
        values = ", ".join(f"label {label}: {float(w):.3f}" for label, w in weights.items())
        return f"on, {mode} ({values})"
    return f"on, {mode}"


def training_section(run: CardRun) -> str:
    """The settings ``run.json`` records, the status and the training time."""
    rows = [
        [label, str(value)]
        for label, value in [*_setting_rows(run), *_progress_rows(run)]
        if value not in (None, "")
    ]
    note = "\n\nEpochs per member; training time summed over the members." if run.members else ""
    return "## Training\n\n" + markdown_table(rows, ("setting", "value")) + note


def evaluation_section(run: CardRun) -> str:
    """The test-set scores per body part and level, with kappa intervals."""
    file = run.folder.evaluation
    if not file.is_file():
        return (
            "## Evaluation\n\nNot evaluated: the run folder holds no "
            f"`{file.name}` (`mura evaluate RUN --data ROOT` scores it on the test set)."
        )
    try:
        evaluation = Evaluation.read_tsv(file)
    except MuraError as error:
        return f"## Evaluation\n\nNot available: {error}."
    lines = [
        "## Evaluation",
        "",
        f"On the test set (MURA `valid`): {evaluation.image.count} images in "
        f"{evaluation.study.count} studies. A study's probability is the mean of its "
        f"images'; above {STUDY_THRESHOLD:g} it is called abnormal. Kappa intervals are "
        "95% bootstrap intervals.",
        "",
        markdown_table(score_rows(evaluation), SCORE_HEADERS),
    ]
    if run.info.get("uncovered"):
        lines += ["", f"{run.info['uncovered']} test images are not scored (no member)."]
    lines += _calibration_lines(run.info.get("calibration"))
    ceiling = ((run.synthetic or {}).get("ceiling") or {}).get("valid") or {}
    if ceiling.get("kappa") is not None:
        lines += [
            "",
            f"Ceiling of this synthetic test split: study kappa {ceiling['kappa']:.3f} "
            "(a perfect reader of the true labels against the written ones).",
        ]
    return "\n".join(lines)


def _calibration_lines(calibration: dict[str, Any] | None) -> list[str]:
    """The run's calibration (``run.json``'s ``calibration``), if ``mura calibrate`` fitted one."""
    if not calibration:
        return ["", f"Not calibrated: probabilities are the model's own and a study is called "
                    f"abnormal above {STUDY_THRESHOLD:g}."]  # fmt: skip
    rule = calibration.get("rule")
    point = (f"the operating point {calibration.get('threshold'):.4f} (rule `{rule}`)" if rule
             else f"{STUDY_THRESHOLD:g} (no operating point chosen)")  # fmt: skip
    temperature = calibration.get("temperature")
    return ["", f"Calibrated with `mura calibrate`: temperature {temperature:.3f}, "
                f"fitted on the run's {calibration.get('fitted_on', 'validation')} studies (never "
                f"the test set), is folded into the exported graph; a study is called abnormal "
                f"above {point}."]  # fmt: skip


def intended_use_section(run: CardRun) -> str:
    """What the model is for."""
    shape = " x ".join(str(size) for size in run.parsed.input_shape)
    return "\n".join(
        [
            "## Intended use",
            "",
            "- Research on abnormality detection in upper-extremity radiographs laid out as "
            "MURA (one binary label per study: normal or abnormal).",
            "- Comparing models, training settings and ensembles named by the registry's "
            "grammar, and reproducing published MURA results.",
            f"- Input: one radiograph resized to {shape}"
            + (" and the index of its body part" if _routes(run) else "")
            + "; output: the probability that it is abnormal. A study's probability is the "
            "mean over its images.",
        ]
    )


def limitations_section(run: CardRun, artifacts: Artifacts | None) -> str:
    """What the model is not for, and what limits its figures."""
    radiologist = REFERENCE_RESULTS[-1]
    lines = [
        "## Limitations",
        "",
        "- **Not a medical device.** Not for clinical use: not for diagnosis, triage or "
        "any decision about a patient; not validated clinically or by any regulator.",
        "- Trained on the data described above only: other hospitals, scanners, "
        "populations, views or body parts are untested.",
        "- MURA's labels were taken from the clinical radiology reports and are noisy, and "
        f"abnormality is often ambiguous: the {radiologist.system} reaches "
        f"{radiologist.level} kappa {radiologist.kappa:.3f} against the paper's consensus.",
        "- Body parts with few test studies have wide kappa intervals: read the "
        "intervals before the point estimates.",
    ]
    body_part = (run.info.get("run_options") or {}).get("body_part")
    if body_part:
        lines.append(f"- Trained on {body_part} only: other body parts are outside it.")
    if _routes(run):
        parts = ", ".join(member.body_part for member, _, _ in run.members if member.body_part)
        lines.append(f"- Each image is scored by the member of its body part ({parts}); "
                     "images of any other body part get no probability (NaN).")
    missing = [member.key for member, status, _ in run.members if status != "complete"]
    if missing:
        lines.append(f"- Members not (fully) trained: {', '.join(missing)}.")
    quantised = [
        f"{entry.format} ({entry.quantize})"
        for entry in (artifacts or {}).values()
        if entry.quantize != "none"
    ]
    if quantised:
        lines.append(
            f"- Quantised artifacts: {', '.join(quantised)}. Their probabilities differ from "
            "the run's, as the parity figures above measure."
        )
    if run.synthetic is not None:
        lines.append(
            "- **Synthetic data**: trained and evaluated on images made by `mura synth`; "
            "its figures say nothing about real X-rays."
        )
    return "\n".join(lines)
