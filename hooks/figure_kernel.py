"""Runs inside each lesson's kernel (hooks/figures.py sends it): matplotlib figures drawn for the page.

A lesson draws its figures at whatever size suits a notebook; the page shows them in a text column
about 6.5 inches wide (620 px), and a phone in about 4 inches (360 px). Each figure is drawn twice, as
SVG with its text kept as text:

* **wide**, for the column: a grid of panels re-laid out at most two to a row, 6.5 inches wide;
* **narrow**, for a phone: one panel to a row, 4 inches wide.

Fonts are never smaller than ``SMALLEST`` points. A figure that is not a plain grid of panels (spanning
panels, colour bars) is not re-laid out: for the column its fonts are scaled by its width over 6.5
inches; for a phone it is shrunk, whole, to ``NARROW_WHOLE`` (4) inches.
Every text gets an id (``gid``), and the display's metadata maps it to its role and its string, which
the page's alt text and translation use. A line or scatter of more than ``MAX_VECTOR_POINTS`` points is
drawn as an image inside the SVG (at ``RASTER_DPI``): as vectors, 60,000 dots made one figure 5.8 MB.
"""
import io
import math
import warnings

import matplotlib.text as mtext
from matplotlib.gridspec import GridSpec

WIDE, NARROW = 6.5, 4.0   # inches
NARROW_WHOLE = NARROW     # a figure that cannot be re-laid out is shrunk whole to this width for a phone
SMALLEST = 10.0           # points: 11.8 px in the column at 1400 px, 9.9 px on a 390 px phone
MAX_VECTOR_POINTS = 5000
RASTER_DPI = 200
MAX_ASPECT = {WIDE: 0.75, NARROW: 0.62}   # a panel's height over its width, at most


def uniform_grid(fig):
    """The figure's panels in reading order with its (rows, cols), if they are one grid of single cells."""
    axes = fig.axes
    specs = [ax.get_subplotspec() for ax in axes]
    if not axes or any(s is None for s in specs):
        return None
    grid = specs[0].get_gridspec()
    if any(s.get_gridspec() is not grid for s in specs) or type(grid) is not GridSpec:
        return None
    rows, cols = grid.get_geometry()
    cells = []
    for ax, spec in zip(axes, specs):
        if spec.num1 != spec.num2 and spec.num2 is not None:
            return None   # a panel spanning cells
        cells.append((spec.num1, ax))
    if len({c for c, _ in cells}) != len(cells):
        return None
    return [ax for _, ax in sorted(cells, key=lambda c: c[0])], rows, cols


def relayout(fig, grid, cols: int, width: float) -> None:
    """Lay the panels out ``cols`` to a row in a figure ``width`` inches wide, each panel keeping its
    shape (no taller than ``MAX_ASPECT`` of its width); shared axes label only the outer panels."""
    panels, rows0, cols0 = grid
    w0, h0 = fig.get_size_inches()
    cols = min(cols, len(panels))
    rows = math.ceil(len(panels) / cols)
    aspect = min((h0 / rows0) / (w0 / cols0), MAX_ASPECT[NARROW if cols == 1 else WIDE])
    panel_w = width / cols
    extra = 0.35 if getattr(fig, "_suptitle", None) is not None else 0.0
    layout = GridSpec(rows, cols, figure=fig)
    for i, ax in enumerate(panels):
        ax.set_subplotspec(layout[i // cols, i % cols])
    fig.set_size_inches(width, rows * panel_w * aspect + extra)
    for i, ax in enumerate(panels):
        shared_x = len(ax.get_shared_x_axes().get_siblings(ax)) > 1
        shared_y = len(ax.get_shared_y_axes().get_siblings(ax)) > 1
        bottom = i + cols >= len(panels)
        left = i % cols == 0
        if shared_x:
            ax.xaxis.set_tick_params(which="both", labelbottom=bottom)
            if bottom and not ax.get_xlabel():
                ax.set_xlabel(next((p.get_xlabel() for p in panels if p.get_xlabel()), ""))
            elif not bottom and ax.get_xlabel() == panels[-1].get_xlabel():
                ax.set_xlabel("")
        if shared_y:
            ax.yaxis.set_tick_params(which="both", labelleft=left)
            if left and not ax.get_ylabel():
                ax.set_ylabel(next((p.get_ylabel() for p in panels if p.get_ylabel()), ""))
            elif not left and ax.get_ylabel() == panels[0].get_ylabel():
                ax.set_ylabel("")


def set_fonts(fig, scale: float = 1.0, smallest: float = SMALLEST) -> None:
    """Every font at least ``smallest`` points, times ``scale``."""
    ticks = set()
    for ax in fig.axes:
        for axis in (ax.xaxis, ax.yaxis):
            labels = axis.get_ticklabels(which="both")
            ticks |= {id(t) for t in labels}
            size = labels[0].get_fontsize() if labels else 10.0
            ax.tick_params(axis=axis.axis_name, which="both", labelsize=max(size, smallest) * scale)
    for text in fig.findobj(mtext.Text):
        if id(text) not in ticks and text.get_text():
            text.set_fontsize(max(text.get_fontsize(), smallest) * scale)


def wrap_titles(fig) -> None:
    """Titles and axis labels wrap instead of running into the next panel or off the figure."""
    if getattr(fig, "_suptitle", None) is not None:
        fig._suptitle.set_wrap(True)
    for ax in fig.axes:
        for text in (ax.title, ax._left_title, ax._right_title, ax.xaxis.label, ax.yaxis.label):
            text.set_wrap(True)


def rasterize_heavy(fig, limit: int = MAX_VECTOR_POINTS) -> None:
    """Lines and point clouds of more than ``limit`` points drawn as pixels; axes, text and the rest as vectors."""
    for ax in fig.axes:
        for artist in (*ax.lines, *ax.collections):
            if hasattr(artist, "get_xydata"):
                points = len(artist.get_xydata())
            else:
                points = max(len(artist.get_offsets()), sum(len(p.vertices) for p in artist.get_paths()))
            if points > limit:
                artist.set_rasterized(True)


def tidy(fig) -> None:
    """Re-fit the layout to the new sizes (constrained layout does it at every draw)."""
    engine = fig.get_layout_engine()
    if engine is None or type(engine).__name__ in ("PlaceHolderLayoutEngine", "TightLayoutEngine"):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            fig.tight_layout()


def roles(fig) -> dict:
    """id(text) -> (role, panel): title, xlabel, ylabel, legend, tick or text; panel -1 for the figure's."""
    found = {id(t): ("text", -1) for t in fig.findobj(mtext.Text)}
    if getattr(fig, "_suptitle", None) is not None:
        found[id(fig._suptitle)] = ("title", -1)
    for legend in fig.legends:
        for t in (legend.get_title(), *legend.get_texts()):
            found[id(t)] = ("legend", -1)
    for i, ax in enumerate(fig.axes):
        for t in ax.findobj(mtext.Text):
            found[id(t)] = ("text", i)
        for t in (ax.title, ax._left_title, ax._right_title):
            found[id(t)] = ("title", i)
        found[id(ax.xaxis.label)], found[id(ax.yaxis.label)] = ("xlabel", i), ("ylabel", i)
        for t in (*ax.get_xticklabels(which="both"), *ax.get_yticklabels(which="both")):
            found[id(t)] = ("tick", i)
        legend = ax.get_legend()
        if legend is not None:
            for t in (legend.get_title(), *legend.get_texts()):
                found[id(t)] = ("legend", i)
    return found


def tagged_svg(fig) -> tuple[str, dict]:
    """The figure as SVG, each visible text in a group ``dlnotes-text-N``; and {id: [role, panel, text]}."""
    fig.draw_without_rendering()  # tick labels exist only once drawn
    found, texts = roles(fig), {}
    for n, text in enumerate(fig.findobj(mtext.Text)):
        if text.get_text() and text.get_visible():
            gid = f"dlnotes-text-{n}"
            text.set_gid(gid)
            texts[gid] = [*found.get(id(text), ("text", -1)), text.get_text()]
    buffer = io.StringIO()
    fig.savefig(buffer, format="svg", metadata={"Date": None}, dpi=RASTER_DPI)
    return buffer.getvalue(), texts


def lesson_svg(fig):
    """(wide SVG, metadata: its texts, and the narrow SVG with its texts, None when not a grid)."""
    grid, width = uniform_grid(fig), fig.get_figwidth()
    wrap_titles(fig)
    rasterize_heavy(fig)
    if grid is None:
        height = fig.get_figheight()
        set_fonts(fig)
        if width > NARROW_WHOLE:
            fig.set_size_inches(NARROW_WHOLE, height * max(NARROW_WHOLE / width, 0.6))
            tidy(fig)
            narrow, narrow_texts = tagged_svg(fig)
            fig.set_size_inches(width, height)
        else:
            narrow = narrow_texts = None
        set_fonts(fig, scale=max(1.0, width / WIDE), smallest=0)
        tidy(fig)
        wide, texts = tagged_svg(fig)
        return wide, {"dlnotes_texts": texts, "dlnotes_narrow": narrow, "dlnotes_narrow_texts": narrow_texts}
    set_fonts(fig)
    relayout(fig, grid, 1, NARROW)
    tidy(fig)
    narrow, narrow_texts = tagged_svg(fig)
    relayout(fig, grid, 2, WIDE if grid[2] > 1 else min(width, WIDE))
    tidy(fig)
    wide, texts = tagged_svg(fig)
    return wide, {"dlnotes_texts": texts, "dlnotes_narrow": narrow, "dlnotes_narrow_texts": narrow_texts}


def install(shell) -> None:
    """Make the kernel display every matplotlib figure as ``lesson_svg`` draws it."""
    import matplotlib
    import matplotlib.pyplot  # noqa: F401: selects the inline backend
    from matplotlib_inline.backend_inline import configure_inline_support

    matplotlib.rcParams.update({"svg.fonttype": "none", "svg.hashsalt": "dlnotes"})
    # matplotlib-inline may set its formatters after this cell (when importing it at pyplot's import is
    # circular); set now, it leaves them alone, and ours replaces its SVG one.
    configure_inline_support(shell, "inline")
    shell.display_formatter.formatters["image/svg+xml"].for_type(matplotlib.figure.Figure, lesson_svg)
