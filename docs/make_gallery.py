"""Draw the gallery of ``docs/gallery.rst``: every figure mura draws, from one small run.

Writes a synthetic MURA tree, trains two small CNNs and the report's warm-started
body-part ensemble of the first, calibrates the first, explains its clearest abnormal
test study and compares the three runs, all through the ``mura`` commands a user runs,
then copies each figure into ``docs/images/gallery/`` under the name
:data:`FIGURES` gives it. Run ``python docs/make_gallery.py`` after changing anything
that draws (about two minutes on two cores); ``--quick`` draws the same figures from a
tiny run in half a minute (the docs tests do, so no figure can stop being drawn unnoticed).
"""

from __future__ import annotations

import argparse
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

GALLERY = Path(__file__).resolve().parent / "images" / "gallery"

#: Each figure of the gallery, by its file name under ``docs/images/gallery/``, with
#: the command that draws it.
FIGURES = {
    "synth_body_parts.png": "mura synth (one view per body part, normal and abnormal)",
    "training_graph.png": "mura train (the run folder's training_graph.png)",
    "roc_curve.png": "mura train / mura evaluate (the run folder's roc_curve.png)",
    "reliability.png": "mura evaluate --plot (after mura calibrate)",
    "compare.png": "mura compare --plot compare.png",
    "compare.parts.png": "mura compare --plot compare.png (with an ensemble)",
    "montage.png": "mura explain (a study's montage.png)",
}


@dataclass(frozen=True)
class Size:
    """How big the gallery's run is."""

    studies: int
    side: int
    blocks: int
    epochs: int
    member_epochs: int


#: The gallery's run (``FULL``) and the tiny one the tests draw (``QUICK``).
FULL = Size(studies=1200, side=64, blocks=4, epochs=15, member_epochs=4)
QUICK = Size(studies=120, side=32, blocks=2, epochs=2, member_epochs=1)


def cnn(size: Size, blocks: int) -> str:
    """The small CNN of ``blocks`` convolution blocks at the gallery's image size."""
    return (f"cnn_in.{size.side}.{size.side}.1_cl.{blocks}.1_f.16_ck.3.3_p.max_ps.2.2"
            "_pstr.2.2_ld.0.25__wc_aug")  # fmt: skip


def mura(*args: str) -> None:
    """Run ``mura ARGS`` in this process; stop on failure."""
    from mura_core.cli import main

    print("$ mura", " ".join(args), flush=True)
    status = main(list(args))
    if status:
        raise SystemExit(f"mura {args[0]} failed with exit status {status}")


def clearest_abnormal_study(run: Path, data: Path) -> Path:
    """The folder of the test study labelled abnormal, of three views or more (if there
    is one), that the run scores highest."""
    from mura_core.data.images import collect_images
    from mura_core.inference import predict_frame
    from mura_core.runs import load_run

    loaded = load_run(run)
    images = collect_images([str(data / "MURA-v1.1" / "valid_image_paths.csv")])
    scored = predict_frame(loaded.model, images, loaded.name)
    abnormal = scored[scored["study"].astype(str).str.endswith("positive")]
    studies = abnormal.groupby("study")["probability"].agg(["mean", "size"])
    several = studies[studies["size"] >= min(3, studies["size"].max())]
    return Path(several["mean"].idxmax())


def draw(out: Path, work: Path, size: Size) -> dict[str, Path]:
    """Draw every figure of :data:`FIGURES` into ``out`` from runs under ``work``."""
    data, runs, explained = work / "data", work / "runs", work / "explain"
    single, deeper = cnn(size, size.blocks), cnn(size, size.blocks + 1)
    ensemble = f"parts_m({single.split('__')[0]})_c.route_ws__wc_aug"
    mura("synth", str(data), "--studies", str(size.studies), "--seed", "0", "--difficulty",
         "easy", "--valid-fraction", "0.3", "--max-side", str(2 * size.side))  # fmt: skip
    for name in (single, deeper):
        mura("train", name, "--data", str(data), "--runs", str(runs), "--epochs",
             str(size.epochs), "--batch-size", "32", "--quiet")  # fmt: skip
    mura("train", ensemble, "--data", str(data), "--runs", str(runs), "--epochs",
         str(size.member_epochs), "--batch-size", "32", "--engine", "local", "--quiet")  # fmt: skip
    mura("calibrate", single, "--data", str(data), "--runs", str(runs))
    mura("evaluate", single, "--data", str(data), "--runs", str(runs), "--plot")
    study = clearest_abnormal_study(runs / single, data)
    mura("explain", single, str(study), "--runs", str(runs), "--output", str(explained))
    mura("compare", single, deeper, ensemble, "--runs", str(runs),
         "--plot", str(work / "compare.png"))  # fmt: skip
    drawn = {
        "training_graph.png": runs / single / "training_graph.png",
        "roc_curve.png": runs / single / "roc_curve.png",
        "reliability.png": runs / single / "reliability.png",
        "compare.png": work / "compare.png",
        "compare.parts.png": work / "compare.parts.png",
        "montage.png": next(explained.rglob("montage.png")),
    }
    out.mkdir(parents=True, exist_ok=True)
    written = {"synth_body_parts.png": draw_body_parts(out / "synth_body_parts.png")}
    for name, source in drawn.items():
        written[name] = Path(shutil.copyfile(source, out / name))
    return written


def draw_body_parts(path: Path) -> Path:
    """One synthetic radiograph per body part, at ``medium`` difficulty: each part's
    normal view above its abnormal one (the part's most common finding, its box in red),
    four parts to a row, each view whole (letterboxed) and drawn at the size the page
    shows it."""
    import numpy as np
    from PIL import Image, ImageDraw, ImageFont

    from mura_core.data.layout import BODY_PARTS
    from mura_core.data.synth import FINDING_KINDS, FINDING_MIX
    from mura_core.data.synth.difficulty import difficulty
    from mura_core.data.synth.render import render_view

    side, caption, gap, columns = 176, 22, 4, 4
    font = ImageFont.load_default(size=15)
    rng = np.random.default_rng(3)
    rows = 2 * -(-len(BODY_PARTS) // columns)
    grid = Image.new("RGB", (columns * (side + gap) - gap, rows * (side + caption + gap) - gap),
                     "white")  # fmt: skip
    for index, part in enumerate(BODY_PARTS):
        for abnormal in (False, True):
            kind = FINDING_KINDS[int(np.argmax(FINDING_MIX[part]))] if abnormal else None
            pixels, box = render_view(part, kind, difficulty("medium"), rng, 256, 256)
            image = Image.fromarray(pixels).convert("RGB")
            if box is not None:
                ImageDraw.Draw(image).rectangle(
                    [box[0], box[1], box[2] - 1, box[3] - 1], outline=(230, 40, 40), width=3
                )
            image.thumbnail((side, side))
            tile = Image.new("RGB", (side, side + caption), "white")
            tile.paste(Image.new("RGB", (side, side), "black"), (0, caption))
            tile.paste(image, ((side - image.width) // 2, caption + (side - image.height) // 2))
            text = part.removeprefix("XR_").lower()
            text += f": {kind.replace('_', ' ')}" if kind else ": normal"
            ImageDraw.Draw(tile).text((3, 3), text, fill=(0, 0, 0), font=font)
            row = 2 * (index // columns) + abnormal
            grid.paste(tile, ((index % columns) * (side + gap), row * (side + caption + gap)))
    grid.save(path, optimize=True)
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=GALLERY, help="default: docs/images/gallery")
    parser.add_argument("--quick", action="store_true", help="a tiny run (tests)")
    parser.add_argument("--keep", type=Path,
                        help="work in this new or empty folder (default: a temporary one)")
    args = parser.parse_args()
    if args.keep is not None and args.keep.exists() and any(args.keep.iterdir()):
        parser.error(f"--keep {args.keep}: not empty; give a new or empty folder")
    from mura_core.versions import versions_line

    print(versions_line(), flush=True)
    size = QUICK if args.quick else FULL
    if args.keep is not None:
        written = draw(args.out, args.keep, size)
    else:
        with tempfile.TemporaryDirectory() as work:
            written = draw(args.out, Path(work), size)
    for name, path in written.items():
        print(f"wrote {path} ({FIGURES[name]})")


if __name__ == "__main__":
    main()
