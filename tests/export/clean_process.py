"""Running an artifact with its own runtime in a process that never imports this package."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np

#: How each format is run by a user who has only its runtime.
RUNNERS = {
    "savedmodel": """
        import tensorflow as tf
        serve = tf.saved_model.load(str(folder / "saved_model")).signatures["serving_default"]
        out = serve(image=tf.constant(images))["probability"].numpy()
    """,
    "onnx": """
        import onnxruntime
        session = onnxruntime.InferenceSession(str(folder / "model.onnx"))
        out = session.run(["probability"], {"image": images})[0]
    """,
    "tflite": """
        from ai_edge_litert.interpreter import Interpreter
        runner = Interpreter(model_path=str(folder / "model.tflite")).get_signature_runner()
        out = runner(image=images)["probability"]
    """,
}


def run_in_clean_process(folder: Path, format: str, images: np.ndarray, work: Path) -> np.ndarray:
    """Probabilities of ``images`` from the ``format`` artifact in ``folder``, computed in an
    isolated interpreter (``-I``) that fails if this package's modules were imported."""
    np.save(work / "images.npy", images)
    script = textwrap.dedent("""
        import sys, pathlib
        import numpy as np
        folder, work = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])
        images = np.load(work / "images.npy")
    """) + textwrap.dedent(RUNNERS[format]) + textwrap.dedent("""
        ours = ("mura_core", "registry", "mura_plugins")
        leaked = [m for m in sys.modules if m.split(".")[0] in ours]
        assert not leaked, leaked
        np.save(work / "out.npy", np.asarray(out))
    """)
    done = subprocess.run([sys.executable, "-I", "-c", script, str(folder), str(work)],
                          capture_output=True, text=True, timeout=300)  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    return np.load(work / "out.npy")
