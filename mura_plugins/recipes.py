"""The training recipes of the built-in presets: the report's and the MURA paper's."""

from __future__ import annotations

from registry import Recipe

#: The report: Adam at Keras' rate, ReduceLROnPlateau by 0.2 down to 0, early stopping
#: after 10 epochs without a better val_loss, at most 100 epochs.
REPORT_RECIPE = Recipe(
    learning_rate=1e-3, lr_factor=0.2, lr_min=0.0, patience=10, monitor="val_loss", epochs=100
)

#: The MURA paper (Rajpurkar et al. 2017): Adam at 1e-4, batch 8, the rate divided by 10
#: each time the validation loss plateaus after an epoch, class weights per body part,
#: ImageNet starting weights.
PAPER_RECIPE = Recipe(
    learning_rate=1e-4,
    batch_size=8,
    lr_factor=0.1,
    lr_patience=1,
    monitor="val_loss",
    class_weights="body_part",
    pretrained="imagenet",
)

#: The DenseNet-169 of the MURA paper: 320x320 RGB, every layer trained, global average
#: pooling, one sigmoid output.
PAPER_DENSENET169 = "densenet169_in.320.320.3_p.avg_tla.-1"

#: Where the paper's figures come from.
PAPER_SOURCE = (
    "MURA paper (Rajpurkar et al. 2017), test set, study level; ensemble of 5 models; "
    "kappa 95% CI 0.700-0.710"
)
