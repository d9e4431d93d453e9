"""The data layer: loading (MURA, or any dataset layout a plugin registers: ``open_data``,
``load_data``), patient-level splits, class weights, the input pipeline, inspection and
synthetic data.

Importing this package does not import TensorFlow; only building a tf.data pipeline does.

Typical use::

    from mura_core.data import load_mura, split_by_patient, class_weights, training_dataset

    data = load_mura("~/data", body_parts="XR_WRIST")     # a MuraDataset
    split = split_by_patient(data.frame, seed=0)          # train / validation / test
    manifest_hash = split.write_manifest("run/split.csv")
    train = training_dataset(split.train, image_size=(256, 256), channels=3,
                             preprocessing="unit")
"""

from mura_core.data.class_weights import class_weights, class_weights_by_body_part, sample_weights
from mura_core.data.dataset import FRAME_COLUMNS, ImageDataset, check_frame
from mura_core.data.inspection import format_summary, summarize
from mura_core.data.layout import BODY_PARTS, MURA_DIR, SPLITS, parse_image_path, resolve_root
from mura_core.data.loader import MuraDataset, load_mura, select_body_parts
from mura_core.data.pipeline import (
    PREPROCESSING_MODES,
    AugmentConfig,
    InputSpec,
    augment_batch,
    decoded_dataset,
    evaluation_dataset,
    input_spec,
    normalize,
    pipeline_for_model,
    training_dataset,
)
from mura_core.data.problems import PROBLEM_KINDS, DataProblemError, Problem, ProblemReport
from mura_core.data.sources import DataRoot, load_data, open_data
from mura_core.data.split import DataSplit, read_manifest, split_by_patient
from mura_core.data.synth import SynthSummary, synthesize

__all__ = [
    "BODY_PARTS",
    "FRAME_COLUMNS",
    "MURA_DIR",
    "PREPROCESSING_MODES",
    "PROBLEM_KINDS",
    "SPLITS",
    "AugmentConfig",
    "DataProblemError",
    "DataRoot",
    "DataSplit",
    "ImageDataset",
    "InputSpec",
    "MuraDataset",
    "Problem",
    "ProblemReport",
    "SynthSummary",
    "augment_batch",
    "check_frame",
    "class_weights",
    "class_weights_by_body_part",
    "decoded_dataset",
    "evaluation_dataset",
    "format_summary",
    "input_spec",
    "load_data",
    "load_mura",
    "normalize",
    "open_data",
    "parse_image_path",
    "pipeline_for_model",
    "read_manifest",
    "resolve_root",
    "sample_weights",
    "select_body_parts",
    "split_by_patient",
    "summarize",
    "synthesize",
    "training_dataset",
]
