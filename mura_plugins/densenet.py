"""DenseNet families (121, 169 and the report's 201) on keras.applications backbones."""

from __future__ import annotations

from typing import Any

from mura_plugins.applications import ApplicationSpec, Backbone, application_family
from mura_plugins.recipes import PAPER_DENSENET169, PAPER_RECIPE, REPORT_RECIPE
from registry import Preset, hookimpl


class DenseNetSpec(ApplicationSpec):
    """Parameters of the DenseNet families: backbone pooling, freezing and MLP head."""


BACKBONES = tuple(
    Backbone(
        family=f"densenet{depth}",
        constructor=f"DenseNet{depth}",
        module="keras.src.applications.densenet",
        weights_file=f"densenet{depth}_weights_tf_dim_ordering_tf_kernels_notop.h5",
        url_attribute="BASE_WEIGHTS_PATH",
        preprocessing="torch",
        summary=f"DenseNet-{depth} backbone (keras.applications), optional MLP head",
        parameters=parameters,
        features=features,
        explain_layer="relu",
    )
    for depth, parameters, features in (
        (121, 7_037_504, 1024),
        (169, 12_642_880, 1664),
        (201, 18_321_984, 1920),
    )
)

_REPORT = "densenet201_in.256.256.3_p.avg"
_SOURCE = "report, test set (MURA valid), image level"


def report_presets() -> list[Preset]:
    """The DenseNet201 runs of the report, with their test-set figures."""
    rows = [
        ("", "report_densenet201", "frozen backbone", (0.5566, 0.7885, 0.7229, 0.4398)),
        (
            "_tla.690",
            "report_densenet201_tla690",
            "top 2 dense blocks trained",
            (0.4704, 0.8547, 0.7851, 0.5664),
        ),
        (
            "_tla.606",
            "report_densenet201_tla606",
            "top 12 dense blocks trained",
            (0.4885, 0.8556, 0.7889, 0.5747),
        ),
        (
            "_tla.606_m.512.512_mdp.0.25",
            "report_densenet201_tla606_mlp",
            "top 12 dense blocks trained, MLP head",
            (0.4570, 0.8596, 0.8008, 0.5978),
        ),
    ]
    return [
        Preset(
            f"{_REPORT}{tokens}__wc_aug",
            alias=alias,
            summary=f"the report's DenseNet201, {summary}",
            tags=("seed",),
            recipe=REPORT_RECIPE,
            metrics=dict(zip(("loss", "auc", "accuracy", "kappa"), figures)),
            metrics_source=_SOURCE,
        )
        for tokens, alias, summary, figures in rows
    ]


def paper_presets() -> list[Preset]:
    """The MURA paper's single model: DenseNet-169 at 320 px from ImageNet weights."""
    return [
        Preset(
            f"{PAPER_DENSENET169}__wc_aug",
            alias="mura_paper_densenet169",
            summary="the MURA paper's DenseNet-169 (one of its ensemble's 5 models)",
            tags=("mura-paper",),
            recipe=PAPER_RECIPE,
        )
    ]


@hookimpl
def register_families(register: Any) -> None:
    for backbone in BACKBONES:
        example = f"{backbone.family}_in.256.256.3_p.avg"
        register(application_family(backbone, DenseNetSpec, example))


@hookimpl
def register_presets(register: Any) -> None:
    for preset in report_presets() + paper_presets():
        register(preset)
