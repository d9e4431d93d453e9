"""ResNet families (50, 101, 152 and their V2 variants) on keras.applications backbones."""

from __future__ import annotations

from typing import Any

from mura_plugins.applications import ApplicationSpec, Backbone, application_family
from registry import hookimpl


class ResNetSpec(ApplicationSpec):
    """Parameters of the ResNet families: backbone pooling, freezing and MLP head."""


#: Parameters of each backbone without top, for 3 input channels.
PARAMETERS = {
    "50": 23_587_712,
    "101": 42_658_176,
    "152": 58_370_944,
    "50v2": 23_564_800,
    "101v2": 42_626_560,
    "152v2": 58_331_648,
}

BACKBONES = tuple(
    Backbone(
        family=f"resnet{depth}{version}",
        constructor=f"ResNet{depth}{version.upper()}",
        module="keras.src.applications.resnet" + ("_v2" if version else ""),
        weights_file=f"resnet{depth}{version}_weights_tf_dim_ordering_tf_kernels_notop.h5",
        url_attribute="BASE_WEIGHTS_PATH",
        preprocessing="tf" if version else "caffe",
        summary=f"ResNet-{depth}{' V2' if version else ''} backbone (keras.applications), "
        "optional MLP head",
        parameters=PARAMETERS[f"{depth}{version}"],
        features=2048,
        explain_layer="post_relu" if version else "conv5_block3_out",
    )
    for version in ("", "v2")
    for depth in (50, 101, 152)
)


@hookimpl
def register_families(register: Any) -> None:
    for backbone in BACKBONES:
        register(application_family(backbone, ResNetSpec, f"{backbone.family}_in.256.256.3_p.avg"))
