"""PNG figures drawn with Pillow: image grids, a heat map and a line chart.

Pillow is already a dependency; these three simple figure types do not
justify adding matplotlib. Every function returns a PIL image; `save_png`
writes it, and `to_array` gives the [H, W, 3] float array TensorBoard takes.
"""

import math
from typing import Dict, Optional, Sequence, Tuple

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from infogan_tf import image_grid

WHITE, BLACK, GREY = (255, 255, 255), (0, 0, 0), (200, 200, 200)
# Colour-blind-safe line colours (Okabe and Ito).
LINE_COLOURS = ((0, 114, 178), (213, 94, 0), (0, 158, 115), (204, 121, 167), (86, 180, 233))


def _font(size: int) -> ImageFont.ImageFont:
    return ImageFont.load_default(size=size)


def save_png(image: Image.Image, path: str) -> None:
    """Writes a figure as a PNG file."""
    image.save(path, format="PNG")


def to_array(image: Image.Image) -> np.ndarray:
    """A figure as float32 RGB in [0, 1], for TensorBoard images."""
    return np.asarray(image.convert("RGB"), np.float32) / 255.0


def grid_image(grid: np.ndarray, scale: int = 3, column_labels: Optional[Sequence[str]] = None,
               title: str = "") -> Image.Image:
    """A tiled [H, W, C] grid in [0, 1] (image_grid.tile_grid), enlarged, with labels above.

    Args:
      grid: the tiled image, grey (C = 1) or colour (C = 3).
      scale: nearest-neighbour enlargement, so pixels stay visible.
      column_labels: one label per column, centred over equal-width columns.
      title: a line of text above everything.
    """
    picture = Image.fromarray(image_grid.to_uint8(np.asarray(grid))).convert("RGB")
    picture = picture.resize((picture.width * scale, picture.height * scale), Image.NEAREST)
    font = _font(14)
    header = (20 if title else 0) + (18 if column_labels else 0)
    canvas = Image.new("RGB", (picture.width, picture.height + header), WHITE)
    canvas.paste(picture, (0, header))
    draw = ImageDraw.Draw(canvas)
    if title:
        draw.text((2, 2), title, fill=BLACK, font=font)
    if column_labels:
        width = picture.width / len(column_labels)
        for i, label in enumerate(column_labels):
            draw.text(((i + 0.5) * width, header - 9), str(label), fill=BLACK, font=font,
                      anchor="mm")
    return canvas


def heat_map(matrix: np.ndarray, row_labels: Sequence[str], column_labels: Sequence[str],
             row_title: str, column_title: str, cell: int = 34) -> Image.Image:
    """A white-to-blue heat map of counts, each cell labelled with its value."""
    matrix = np.asarray(matrix)
    rows, cols = matrix.shape
    font, small = _font(14), _font(11)
    left, top = 70, 50
    canvas = Image.new("RGB", (left + cols * cell + 10, top + rows * cell + 10), WHITE)
    draw = ImageDraw.Draw(canvas)
    peak = max(float(matrix.max()), 1.0)
    for r in range(rows):
        for c in range(cols):
            share = matrix[r, c] / peak
            colour = tuple(int(round(255 - share * (255 - v))) for v in (8, 48, 107))
            box = (left + c * cell, top + r * cell, left + (c + 1) * cell, top + (r + 1) * cell)
            draw.rectangle(box, fill=colour, outline=GREY)
            draw.text(((box[0] + box[2]) / 2, (box[1] + box[3]) / 2), str(matrix[r, c]),
                      fill=WHITE if share > 0.5 else BLACK, font=small, anchor="mm")
    for c, label in enumerate(column_labels):
        draw.text((left + (c + 0.5) * cell, top - 10), str(label), fill=BLACK, font=font,
                  anchor="mm")
    for r, label in enumerate(row_labels):
        draw.text((left - 8, top + (r + 0.5) * cell), str(label), fill=BLACK, font=font,
                  anchor="rm")
    draw.text((left + cols * cell / 2, 12), column_title, fill=BLACK, font=font, anchor="mm")
    draw.text((4, top - 24), row_title, fill=BLACK, font=font)
    return canvas


def _nice_ticks(low: float, high: float, count: int = 5) -> np.ndarray:
    span = max(high - low, 1e-9)
    raw = span / count
    magnitude = 10 ** math.floor(math.log10(raw))
    step = min((m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw))
    return np.arange(math.ceil(low / step) * step, high + step * 1e-6, step)


def line_chart(series: Dict[str, Tuple[Sequence[float], Sequence[float]]], x_label: str,
               y_label: str, title: str = "", y_range: Optional[Tuple[float, float]] = None,
               reference: Optional[Tuple[float, str]] = None,
               size: Tuple[int, int] = (720, 440)) -> Image.Image:
    """Lines of (x, y) series on shared axes, with a legend.

    Args:
      series: legend label -> (x values, y values).
      x_label, y_label, title: axis labels and a title.
      y_range: the y axis limits; the data's range by default.
      reference: (y value, label) of a dashed horizontal line, e.g. H(c).
      size: width and height in pixels.
    """
    width, height = size
    left, right, top, bottom = 70, 20, 40, 55
    xs = np.concatenate([np.asarray(x, np.float64) for x, _ in series.values()])
    ys = np.concatenate([np.asarray(y, np.float64) for _, y in series.values()])
    x_low, x_high = float(xs.min()), float(max(xs.max(), xs.min() + 1))
    y_low, y_high = y_range or (float(np.nanmin(ys)), float(np.nanmax(ys)))
    if reference:
        y_low, y_high = min(y_low, reference[0]), max(y_high, reference[0])
    y_high = max(y_high, y_low + 1e-6)
    margin = 0.04 * (y_high - y_low)  # Keeps lines at the limits off the frame.
    y_low, y_high = y_low - margin, y_high + margin

    def point(x, y):
        return (left + (x - x_low) / (x_high - x_low) * (width - left - right),
                top + (y_high - y) / (y_high - y_low) * (height - top - bottom))

    canvas = Image.new("RGB", size, WHITE)
    draw = ImageDraw.Draw(canvas)
    font = _font(13)
    for tick in _nice_ticks(x_low, x_high):
        x, y = point(tick, y_low)
        draw.line([(x, top), (x, y)], fill=(235, 235, 235))
        draw.text((x, y + 12), f"{tick:g}", fill=BLACK, font=font, anchor="mm")
    for tick in _nice_ticks(y_low, y_high):
        x, y = point(x_low, tick)
        draw.line([(x, y), (width - right, y)], fill=(235, 235, 235))
        draw.text((x - 6, y), f"{tick:g}", fill=BLACK, font=font, anchor="rm")
    draw.rectangle([point(x_low, y_high), point(x_high, y_low)], outline=BLACK)
    if reference:
        _dashed(draw, point(x_low, reference[0]), point(x_high, reference[0]))
        draw.text((width - right - 4, point(x_low, reference[0])[1] - 4), reference[1],
                  fill=BLACK, font=font, anchor="rb")
    for i, (label, (x, y)) in enumerate(series.items()):
        colour = LINE_COLOURS[i % len(LINE_COLOURS)]
        keep = np.isfinite(np.asarray(y, np.float64))
        points = [point(a, b) for a, b in zip(np.asarray(x)[keep], np.asarray(y)[keep])]
        if len(points) > 1:
            draw.line(points, fill=colour, width=2)
        legend_y = top + 10 + 18 * i
        draw.line([(left + 12, legend_y), (left + 36, legend_y)], fill=colour, width=3)
        draw.text((left + 42, legend_y), label, fill=BLACK, font=font, anchor="lm")
    draw.text((left + (width - left - right) / 2, height - 14), x_label, fill=BLACK, font=font,
              anchor="mm")
    draw.text((6, top - 22), y_label, fill=BLACK, font=font)
    if title:
        draw.text((width / 2, 10), title, fill=BLACK, font=font, anchor="mt")
    return canvas


def _dashed(draw: ImageDraw.ImageDraw, start, end, dash: int = 6) -> None:
    (x0, y0), (x1, _) = start, end
    for x in np.arange(x0, x1, 2 * dash):
        draw.line([(x, y0), (min(x + dash, x1), y0)], fill=(110, 110, 110), width=1)
