"""Write ``docs/images/synth_body_parts.png``: one synthetic radiograph per body part.

Top row normal, bottom row abnormal (each part's most common finding, its box in red),
at ``medium`` difficulty. Run ``python docs/make_synth_grid.py`` after changing the
generator; the picture is shown in ``docs/data.rst``.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw

from mura_core.data.layout import BODY_PARTS
from mura_core.data.synth import FINDING_KINDS, FINDING_MIX
from mura_core.data.synth.difficulty import difficulty
from mura_core.data.synth.render import render_view

TILE = 176
OUT = Path(__file__).resolve().parent / "images" / "synth_body_parts.png"


def tile(part: str, kind: str | None, rng: np.random.Generator) -> Image.Image:
    pixels, box = render_view(part, kind, difficulty("medium"), rng, 256, 256)
    image = Image.fromarray(pixels).convert("RGB")
    draw = ImageDraw.Draw(image)
    if box is not None:
        draw.rectangle([box[0], box[1], box[2] - 1, box[3] - 1], outline=(230, 40, 40), width=2)
    image = image.resize((TILE, round(TILE * image.height / image.width)))
    framed = Image.new("RGB", (TILE, TILE + 18), (255, 255, 255))
    framed.paste(image.crop((0, 0, TILE, min(TILE, image.height))), (0, 18))
    caption = part.removeprefix("XR_").lower() + (f": {kind.replace('_', ' ')}" if kind else "")
    ImageDraw.Draw(framed).text((4, 3), caption, fill=(0, 0, 0))
    return framed


def main() -> None:
    rng = np.random.default_rng(3)
    rows = []
    for abnormal in (False, True):
        tiles = []
        for part in BODY_PARTS:
            kind = FINDING_KINDS[int(np.argmax(FINDING_MIX[part]))] if abnormal else None
            tiles.append(tile(part, kind, rng))
        rows.append(tiles)
    grid = Image.new("RGB", (TILE * len(BODY_PARTS) + 6 * 4, 2 * (TILE + 18) + 4), "white")
    for r, tiles in enumerate(rows):
        for c, image in enumerate(tiles):
            grid.paste(image, (c * (TILE + 4), r * (TILE + 22)))
    OUT.parent.mkdir(exist_ok=True)
    grid.quantize(colors=64).save(OUT, optimize=True)
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
