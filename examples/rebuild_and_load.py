"""Rebuild a model from its name, and reload a trained run from its folder.

Run with ``python examples/rebuild_and_load.py [WORKDIR]``. It writes a small synthetic
MURA tree, trains a tiny CNN for two epochs (a few seconds on a CPU), then reloads the
run from nothing but its folder: the folder's name rebuilds the architecture through the
registry and the best checkpoint supplies the weights. No configuration or code is read
from files.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np  # noqa: E402

import registry  # noqa: E402

NAME = "cnn_in.64.64.1_cl.3.1_f.8_ck.3.3_bn_p.max_ps.2.2_pstr.2.2_ld.0.25"


def rebuild() -> None:
    print("== A name is enough to rebuild a model")
    first, second = registry.build(NAME), registry.build(NAME)
    assert first.name == second.name == NAME
    assert [w.shape for w in first.weights] == [w.shape for w in second.weights]
    print(f"  {NAME}: {first.count_params():,} parameters, output {first.output_shape}")

    # Spec fields can be overridden at build time; the model is named accordingly.
    wider = registry.build(NAME, filters=16, input_shape=(96, 96, 1))
    print(f"  with filters=16, input 96x96: {wider.name}")
    assert wider.name == registry.canonical(
        NAME.replace("f.8", "f.16").replace("64.64", "96.96")
    )


def train_and_reload(workdir: Path) -> None:
    from mura_core.data import synthesize
    from mura_core.runs import best_weights, load_run
    from mura_core.training.runner import train

    print("\n== Train a run (synthetic data, two epochs)")
    synthesize(workdir / "data", studies=80, seed=0, min_side=96, max_side=128)
    result = train(
        NAME + "__aug",
        workdir / "data",
        out=workdir / "runs",
        epochs=2,
        batch_size=16,
        verbose=0,
        evaluate=False,
    )
    folder = result.folder.path
    print(f"  run folder: {folder.relative_to(workdir)}")
    print(f"  files: {', '.join(sorted(p.name for p in folder.iterdir()))}")

    print("\n== Reload it from the folder alone")
    loaded = load_run(folder)
    print(f"  run:     {loaded.name}")
    print(f"  model:   {loaded.model.name} (rebuilt from the folder's name)")
    print(
        f"  weights: {loaded.weights.path.name} "
        f"(epoch {loaded.weights.epoch}, val_loss {loaded.weights.val_loss:.4f})"
    )

    # What load_run does, by hand: parse the folder's name, build, load best weights.
    parsed = registry.parse(folder.name)
    by_hand = registry.build(parsed.model_name)
    by_hand.load_weights(str(best_weights(folder).path))

    images = np.random.default_rng(0).random((4, 64, 64, 1), dtype=np.float32)
    reloaded = loaded.model.predict(images, verbose=0)
    manual = by_hand.predict(images, verbose=0)
    np.testing.assert_allclose(reloaded, manual, rtol=1e-6, atol=1e-7)
    shown = ", ".join(f"{p:.3f}" for p in reloaded.ravel())
    print(f"  probabilities of 4 random images, both ways: {shown}")


def main() -> int:
    rebuild()
    if len(sys.argv) > 1:
        workdir = Path(sys.argv[1])
        workdir.mkdir(parents=True, exist_ok=True)
        train_and_reload(workdir)
    else:
        with tempfile.TemporaryDirectory() as tmp:
            train_and_reload(Path(tmp))
    return 0


if __name__ == "__main__":
    sys.exit(main())
