"""``mura doctor``: what this installation can train on.

Reports the TensorFlow build and the devices it sees, whether it was built with CUDA,
the NVIDIA driver when there is one, and whether Ray (``mura sweep``'s engine) is
installed: a CPU-only TensorFlow on a GPU machine shows at once.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
from typing import Any

from mura_core.versions import installed_version

GPU_HINT = "pip install 'mura-registry[gpu]'"
RAY_HINT = "pip install 'mura-registry[ray]'"


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "doctor", help="TensorFlow's devices (GPUs), CUDA and Ray: what training can use"
    )
    parser.add_argument("--json", action="store_true", help="print JSON")
    parser.set_defaults(func=run)


def diagnose() -> dict[str, Any]:
    """The facts ``mura doctor`` prints (imports TensorFlow)."""
    import tensorflow as tf

    from registry import __version__

    build = tf.sysconfig.get_build_info()
    gpus = [device.name for device in tf.config.list_physical_devices("GPU")]
    report: dict[str, Any] = {
        "mura": __version__,
        "python": platform.python_version(),
        "tensorflow": tf.__version__,
        "built_with_cuda": bool(tf.test.is_built_with_cuda()),
        "cuda": build.get("cuda_version"),
        "cudnn": build.get("cudnn_version"),
        "cpus": os.cpu_count(),
        "gpus": gpus,
        "cuda_visible_devices": os.environ.get("CUDA_VISIBLE_DEVICES"),
        "nvidia_driver": shutil.which("nvidia-smi") is not None,
        "ray": installed_version("ray"),
        "problems": [],
    }
    if report["nvidia_driver"] and not gpus:
        report["problems"].append(
            "an NVIDIA driver is installed but TensorFlow sees no GPU"
            + ("" if report["built_with_cuda"] else " (a CPU-only TensorFlow)")
            + f": {GPU_HINT}"
        )
    return report


def run(args: argparse.Namespace) -> int:
    from mura_core.cli.output import print_json

    report = diagnose()
    if args.json:
        print_json(report)
        return 0
    cuda = f"CUDA {report['cuda']}, cuDNN {report['cudnn']}" if report["built_with_cuda"] else "no"
    lines = [
        f"mura          {report['mura']} (Python {report['python']})",
        f"tensorflow    {report['tensorflow']} (built with CUDA: {cuda})",
        f"cpus          {report['cpus']}",
        f"gpus          {', '.join(report['gpus']) or 'none'}",
        f"nvidia driver {'found' if report['nvidia_driver'] else 'not found'}",
        f"ray           {report['ray'] or f'not installed ({RAY_HINT})'}",
    ]
    print("\n".join(lines))
    for problem in report["problems"]:
        print(f"mura: warning: {problem}")
    return 0
