"""Checks that a written figure is a real picture: present, of a sensible size, not blank."""

import numpy as np


def assert_picture(path, min_bytes=5_000, min_ink=0.01):
    """`path` is a PNG or SVG of at least `min_bytes` with drawn content.

    A PNG must have at least `min_ink` of its pixels away from the background colour
    (the corner pixel); an SVG must draw paths or text.
    """
    assert path.exists(), f"{path} was not written"
    size = path.stat().st_size
    assert size >= min_bytes, f"{path}: only {size} bytes"
    if path.suffix == ".svg":
        text = path.read_text(encoding="utf-8")
        assert text.lstrip().startswith(("<?xml", "<svg")) and "</svg>" in text
        assert text.count("<path") + text.count("<use") >= 10 and text.count("<text") >= 3
        return
    from matplotlib.image import imread

    pixels = imread(path)[..., :3]
    ink = np.abs(pixels - pixels[0, 0]).sum(axis=-1) > 0.1
    assert ink.mean() >= min_ink, f"{path}: {ink.mean():.2%} of the pixels drawn"
    # Colours beyond black and white: the data, not only axes.
    colourful = np.ptp(pixels, axis=-1) > 0.2
    assert colourful.mean() > 0.001, f"{path}: no coloured pixel"
