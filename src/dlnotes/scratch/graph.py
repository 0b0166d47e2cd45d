"""Draw the computational graph behind a :class:`~dlnotes.scratch.engine.Value`, with matplotlib only.

Layout: one column per topological depth, inputs on the left and the output on
the right. Each value is a box (its label, forward ``data`` and ``grad``);
each operation is a small circle just left of the value it produced, so the
picture reads like the graphs in CS231n and micrograd.
"""
from __future__ import annotations

from dlnotes._checks import instance, number
from dlnotes.scratch.engine import Value, topological_order

COLUMN, ROW = 1.0, 1.0  # distance between columns (depths) and between rows, in data units
OP_SHIFT = 0.5  # an operation's circle sits this fraction of a column left of the value it made


def _depths(order: list[Value]) -> dict[int, int]:
    """Column of each node: computed values one right of their deepest input, inputs just left of their first use."""
    depth = {}
    for node in order:  # inputs come first, so every child already has its depth
        if node._prev:
            depth[id(node)] = 1 + max(depth.get(id(child), 0) for child in node._prev)  # leaves count as 0
    users = {}
    for node in order:
        for child in node._prev:
            users.setdefault(id(child), []).append(node)
    for node in order:
        if not node._prev:  # a leaf: one column left of the first operation that uses it
            depth[id(node)] = min((depth[id(u)] for u in users.get(id(node), [])), default=1) - 1
    return depth


def _rows(order: list[Value], depth: dict[int, int]) -> dict[int, float]:
    """Vertical position: columns are filled right to left, each node placed in the order of its users' rows."""
    y = {id(order[-1]): 0.0}
    for column in range(depth[id(order[-1])] - 1, min(depth.values()) - 1, -1):
        nodes = [n for n in order if depth[id(n)] == column]

        def key(node):  # the highest user first, then argument position (b above c in b*c)
            places = [(-y[id(user)], user._prev.index(node)) for user in order
                      if id(user) in y and any(child is node for child in user._prev)]
            return min(places)
        nodes.sort(key=key)
        for i, node in enumerate(nodes):
            y[id(node)] = ((len(nodes) - 1) / 2 - i) * ROW
    return y


def _text(node: Value) -> str:
    lines = [node.label] if node.label else []
    return "\n".join(lines + [f"data {node.data:.4g}", f"grad {node.grad:.4g}"])


def draw_graph(root: Value, ax=None, *, fontsize: float = 8.0):
    """Draw the graph that computes ``root``: one box per value (label, data, grad), one circle per operation.

    Call ``root.backward()`` first to see gradients. Returns the matplotlib axes. Boxes and
    circles are text frames, so they fit their text at any figure size; the value boxes are
    the texts whose gid is ``"value"``, the operation circles those whose gid is ``"op"``.
    ``ax``: None (a new figure, sized to the graph) or a matplotlib ``Axes``; ``fontsize`` >= 2.
    """
    from matplotlib.axes import Axes

    instance(root, "root", Value, "a dlnotes.scratch.engine.Value")
    if ax is not None:
        instance(ax, "ax", Axes, "None or a matplotlib Axes")
    fontsize = number(fontsize, "fontsize", minimum=2)  # the operation circles use fontsize - 1
    order = topological_order(root)
    depth = _depths(order)
    y = _rows(order, depth)
    x = {key: d * COLUMN for key, d in depth.items()}
    if ax is None:
        import matplotlib.pyplot as plt  # only here: drawing into a given axes needs no pyplot

        columns = max(depth.values()) - min(depth.values()) + 1
        rows = max(list(depth.values()).count(d) for d in set(depth.values()))
        _, ax = plt.subplots(figsize=(max(4.0, 1.7 * columns), max(2.5, 0.9 * rows + 0.8)))

    boxes = {}  # id(value) -> its Text
    for node in order:
        leaf = not node._prev
        boxes[id(node)] = ax.text(x[id(node)], y[id(node)], _text(node), ha="center", va="center",
                                  fontsize=fontsize, family="monospace", gid="value",
                                  bbox=dict(boxstyle="round,pad=0.4", edgecolor="0.3",
                                            facecolor="#fdf3e1" if leaf else "#eef4fb"))
    ops = {}  # id(value) -> the Text of the operation that made it, half a column to its left
    for node in order:
        if node._prev:
            ops[id(node)] = ax.text(x[id(node)] - OP_SHIFT * COLUMN, y[id(node)], node._op, ha="center",
                                    va="center", fontsize=fontsize - 1, gid="op",
                                    bbox=dict(boxstyle="circle,pad=0.15", edgecolor="0.3", facecolor="white"))

    def arrow(source, target, bend=0.0):  # clipped at both frames, so it runs from edge to edge
        ax.annotate("", xy=target.get_position(), xytext=source.get_position(),
                    arrowprops=dict(arrowstyle="-|>", color="0.35", linewidth=0.9, shrinkA=1, shrinkB=1,
                                    connectionstyle=f"arc3,rad={bend}",
                                    patchA=source.get_bbox_patch(), patchB=target.get_bbox_patch()))

    for node in order:  # after all frames exist: each arrow is drawn after the frames it is clipped by
        if node._prev:
            arrow(ops[id(node)], boxes[id(node)])
            for child in dict.fromkeys(node._prev):  # a*a: one arrow, not two on top of each other
                skips = depth[id(node)] - depth[id(child)] > 1  # would run straight through the boxes between
                arrow(boxes[id(child)], ops[id(node)], bend=-0.3 if skips else 0.0)

    xs, ys = list(x.values()), list(y.values())
    ax.set_xlim(min(xs) - 0.5 * COLUMN, max(xs) + 0.5 * COLUMN)
    ax.set_ylim(min(ys) - 0.6 * ROW, max(ys) + 0.6 * ROW)
    ax.set_axis_off()
    return ax
