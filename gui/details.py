"""The right pane's top half: what the current tree item is, with links to follow.

Rendered as HTML in a QTextBrowser (it is small: one op, never the whole graph).
Every link is ``go:<n>``, an index into the targets of the current page, so op
names never have to survive URL encoding. ``History`` is the browser-style
back/forward list of visited paths.
"""
from __future__ import annotations

import html

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, QUrl, Signal
from PySide6.QtGui import QGuiApplication, QPalette
from PySide6.QtWidgets import QTextBrowser, QWidget

from ..core.model import Graph, Op, Scope, Weight, op_name
from ..core.summary import (  # main_window, tests and bench import Summary, model_name from here
    Summary,
    model_name,
    signature_order,
)

from .fmt import error_line, human_bytes, human_count, shape_text
from .selection import Selection

RULES = {"tf1-read": QT_TRANSLATE_NOOP("DetailsView", "tf1-read (a Const read through X/read)"),
         "tf2-resource": QT_TRANSLATE_NOOP("DetailsView", "tf2-resource (a frozen resource variable)"),
         "folded": QT_TRANSLATE_NOOP("DetailsView", "folded (a Const read at a weight slot)"),
         "variable": QT_TRANSLATE_NOOP("DetailsView", "variable (an unfrozen graph's variable)"),
         "checkpoint": QT_TRANSLATE_NOOP("DetailsView", "checkpoint (a variable valued from the checkpoint)"),
         "optimizer": QT_TRANSLATE_NOOP("DetailsView", "checkpoint (optimizer state)"),
         "file": QT_TRANSLATE_NOOP("DetailsView", "weights file (a tensor of the file)"),
         "const": QT_TRANSLATE_NOOP("DetailsView", "const"),
         "structural": QT_TRANSLATE_NOOP("DetailsView", "structural constant")}


def _tr(text: str) -> str:
    """A string marked for lupdate elsewhere (QT_TRANSLATE_NOOP), in the UI's language."""
    return QCoreApplication.translate("DetailsView", text)


def _more(n: int) -> str:
    return QCoreApplication.translate("DetailsView", "… and {n} more").format(n=f"{n:,}")


MAX_LINKS = 200       # inputs/consumers shown per list; the rest is counted
MAX_ATTR_CHARS = 400
TYPE_WALK_LIMIT = 60_000   # op-type breakdown of a scope only below this many ops


MODEL = ""     # the link target (and history entry) of the model summary page


class History:
    """Visited paths with a cursor, like a browser's."""

    def __init__(self, limit: int = 500):
        self.items: list[str] = []
        self.pos = -1
        self.limit = limit

    def push(self, path: str) -> None:
        if self.pos >= 0 and self.items[self.pos] == path:
            return
        del self.items[self.pos + 1:]
        self.items.append(path)
        if len(self.items) > self.limit:
            del self.items[0]
        self.pos = len(self.items) - 1

    def can_back(self) -> bool:
        return self.pos > 0

    def can_forward(self) -> bool:
        return self.pos < len(self.items) - 1

    def back(self) -> str | None:
        if not self.can_back():
            return None
        self.pos -= 1
        return self.items[self.pos]

    def forward(self) -> str | None:
        if not self.can_forward():
            return None
        self.pos += 1
        return self.items[self.pos]

    def clear(self) -> None:
        self.items, self.pos = [], -1


def _e(text) -> str:
    return html.escape(str(text), quote=True)


def _attr_text(value) -> str:
    if isinstance(value, bytes):
        text = repr(value)
    elif isinstance(value, list) and value and all(isinstance(v, (int, float)) for v in value):
        text = "[" + ", ".join(str(v) for v in value) + "]"
    else:
        text = str(value)
    return text if len(text) <= MAX_ATTR_CHARS else text[:MAX_ATTR_CHARS] + " …"


class DetailsView(QTextBrowser):
    """Shows the model summary, a scope or an op; ``link_activated(path)`` on a click."""

    link_activated = Signal(str)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("details")
        self.setOpenLinks(False)
        self.setOpenExternalLinks(False)
        self.setAcceptDrops(False)   # drops open files: let them reach the window
        self.anchorClicked.connect(self._clicked)
        self._targets: list[str] = []
        self._last: tuple | None = None
        self.functions: set[str] = set()     # top-level scopes that are library functions
        self.apply_palette()

    # -- rendering ------------------------------------------------------------------
    def apply_palette(self) -> None:
        pal = QGuiApplication.palette()
        dim = pal.color(QPalette.PlaceholderText).name()
        line = pal.color(QPalette.Mid).name()
        self.document().setDefaultStyleSheet(f"""
            h2 {{ margin: 0; }}
            .path {{ color: {dim}; }}
            .dim {{ color: {dim}; }}
            h4 {{ margin-top: 12px; margin-bottom: 4px; }}
            th {{ color: {dim}; font-weight: normal; text-align: left; padding: 1px 14px 1px 0; }}
            td {{ padding: 1px 12px 1px 0; }}
            td.num {{ text-align: right; }}
            .err {{ font-weight: bold; }}
            hr {{ color: {line}; }}
        """)
        if self._last is not None:
            kind, *args = self._last
            getattr(self, "show_" + kind)(*args)

    def _link(self, path: str, label: str | None = None) -> str:
        self._targets.append(path)
        return f'<a href="go:{len(self._targets) - 1}">{_e(label if label is not None else path)}</a>'

    def _crumbs(self, path: str) -> str:
        """``Model / a / b / leaf``: every part but the last is a link; "Model" leads to the summary."""
        parts = path.split("/")
        out = [self._link(MODEL, self.tr("Model"))]
        for i in range(len(parts) - 1):
            out.append(self._link("/".join(parts[: i + 1]), parts[i]))
        out.append(_e(parts[-1]))
        return " / ".join(out)

    @staticmethod
    def _rows(pairs) -> str:
        return "<table>" + "".join(f"<tr><th>{_e(k)}</th><td>{v}</td></tr>" for k, v in pairs) + "</table>"

    def _set(self, body: str, state: tuple) -> None:
        self._last = state
        self.setHtml(body)

    def show_summary(self, graph: Graph, summary: Summary) -> None:
        self._targets = []
        name = model_name(graph.path)
        extra = getattr(graph, "extra_weights", [])
        fops = getattr(graph, "function_ops", [])
        ops = f"{len(graph.ops):,}"
        if fops:
            n = summary.functions
            inside = (self.tr(" in the graph · {ops} inside {n} function of its library") if n == 1 else
                      self.tr(" in the graph · {ops} inside {n} functions of its library"))
            ops += _e(inside.format(ops=f"{len(fops):,}", n=f"{n:,}"))
        weights = f"{len(graph.weights):,}"
        if extra:
            weights += " <span class='dim'>{}</span>".format(_e(self.tr(
                "+ {n} kept apart: optimizer slots, step counters or variables the saver skips ({size}), "
                "shown in italics, not exported by default").format(
                    n=f"{len(extra):,}", size=human_bytes(summary.extra_nbytes))))
        pairs = [(self.tr("Format"), _e(graph.format))]
        tags = getattr(graph, "tags", [])
        if tags:
            pairs.append((self.tr("Tags"), ", ".join(f"<code>{_e(t)}</code>" for t in tags)))
        pairs += [(self.tr("Ops"), ops),
                  (self.tr("Weights"), weights),
                  (self.tr("Parameters"), f"{summary.params:,}  ({human_count(summary.params)})"),
                  (self.tr("Weight bytes"), human_bytes(summary.nbytes))]
        if summary.unavailable:
            pairs.append((self.tr("Without values"), f"<span class='err'>{summary.unavailable:,}</span> "
                          "<span class='dim'>{}</span>".format(_e(self.tr(
                              "(greyed in the tree: listed, but their values are not in the files opened, "
                              "so they cannot be previewed or exported)")))))
        body = [f"<h2>{_e(name)}</h2><div class='path'>{_e(graph.path)}</div>", self._rows(pairs)]
        notes = getattr(graph, "notes", [])
        if notes:
            head = _e(self.tr("Notes"))
            body.append(f"<h4>{head}</h4><ul style='margin-left: 0; -qt-list-indent: 1;'>"
                        + "".join(f"<li>{_e(n)}</li>" for n in notes) + "</ul>")
        sigs = getattr(graph, "signatures", {})
        if sigs:
            body.append(self._signatures(graph, sigs))
        tensors_only = summary.tensors_only
        if not tensors_only:      # a weights file or bare checkpoint: every tensor would be an "output"
            body.append(self._op_list(self.tr("Inputs"), summary.inputs, show_shape=True))
            body.append(self._op_list(self.tr("Outputs"), summary.outputs))
        if summary.op_types and not tensors_only:
            body.append("<h4>{}</h4>".format(_e(self.tr("Op types ({n})").format(n=len(summary.op_types)))))
            body.append(self._type_table(summary.op_types, limit=16))
        body.append("<p class='dim'>{}</p>".format(self.tr(
            "Select an op in the tree to see its details; tick weights and press Export (Ctrl+E) to write "
            "them to a pickle. <b>Model</b> above any op leads back here.")))
        self._set("".join(body), ("summary", graph, summary))

    def _signatures(self, graph: Graph, sigs: dict) -> str:
        """Each signature: its method, then one row per input and output tensor."""
        order = signature_order(sigs)
        rows = []
        for name in order:
            sig = sigs[name] or {}
            method = sig.get("method") or ""
            rows.append(f"<tr><td colspan='5' style='padding-top: 6px;'><b>{_e(name)}</b>"
                        + (f" <span class='dim'>{_e(method)}</span>" if method else "") + "</td></tr>")
            for side, arrow in (("inputs", "in"), ("outputs", "out")):
                for key, t in (sig.get(side) or {}).items():
                    t = t or {}
                    tensor = str(t.get("name") or "")
                    op = graph.get(op_name(tensor)) if tensor else None
                    where = self._link(op.name, tensor) if op is not None else _e(tensor)
                    shape = t.get("shape")
                    shape_s = shape_text(shape)
                    rows.append(f"<tr><td class='dim'>&nbsp;&nbsp;{arrow}</td><td>{_e(key)}</td>"
                                f"<td>{_e(t.get('dtype', ''))}</td><td>{_e(shape_s)}</td><td>{where}</td></tr>")
        head = "<tr><th></th><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr>".format(
            _e(self.tr("key")), _e(self.tr("dtype")), _e(self.tr("shape")), _e(self.tr("tensor")))
        title = _e(self.tr("Signatures ({n})").format(n=len(sigs)))
        return f"<h4>{title}</h4><table>{head}{''.join(rows)}</table>"

    def _op_list(self, title: str, ops: list[Op], show_shape: bool = False) -> str:
        if not ops:
            return ""
        rows = []
        for op in ops[:MAX_LINKS]:
            extra = ""
            if show_shape:
                try:
                    a = op.attrs
                except Exception:  # noqa: BLE001 - a synthetic op or a malformed attr: no shape shown
                    a = {}
                shape = a.get("shape")
                extra = f"{_e(a.get('dtype', ''))} {_e(shape_text(shape, compact=True) if isinstance(shape, list) else '')}"
            rows.append(f"<tr><td>{self._link(op.name)}</td><td class='dim'>{_e(op.type)} {extra}</td></tr>")
        more = f"<div class='dim'>{_e(_more(len(ops) - MAX_LINKS))}</div>" if len(ops) > MAX_LINKS else ""
        head = _e(self.tr("{title} ({n})").format(title=title, n=f"{len(ops):,}"))
        return f"<h4>{head}</h4><table>{''.join(rows)}</table>{more}"

    @staticmethod
    def _type_table(counts: dict[str, int], limit: int) -> str:
        items = list(counts.items())
        rows = "".join(f"<tr><td>{_e(t)}</td><td class='num'>{n:,}</td></tr>" for t, n in items[:limit])
        more = ""
        if len(items) > limit:
            more = "<div class='dim'>{}</div>".format(_e(QCoreApplication.translate(
                "DetailsView", "… and {n} more types").format(n=len(items) - limit)))
        return f"<table>{rows}</table>{more}"

    def show_scope(self, scope: Scope, selection: Selection | None) -> None:
        if scope.op is not None:
            self.show_op(scope.op, scope, selection)
            return
        self._targets = []
        pairs = [(self.tr("Ops"), f"{scope.op_count:,}"), (self.tr("Weights"), f"{scope.weight_count:,}")]
        if scope.params:
            pairs += [(self.tr("Parameters"), f"{scope.params:,}  ({human_count(scope.params)})"),
                      (self.tr("Weight bytes"), human_bytes(scope.nbytes))]
        if selection is not None and scope.weight_count:
            n = sum(1 for w in scope.weights() if w.name in selection) if scope.op_count < TYPE_WALK_LIMIT else None
            if n is not None:
                pairs.append((self.tr("Ticked"), _e(self.tr("{n} of {m}").format(
                    n=f"{n:,}", m=f"{selection.tickable(scope):,}"))))
        top = scope.parent is not None and scope.parent.parent is None
        title = _e(self.tr("function") if top and scope.name in self.functions else self.tr("scope"))
        body = [f"<h2>{_e(scope.name)}</h2><div class='path'>{title} {self._crumbs(scope.path)}</div>",
                self._rows(pairs)]
        if scope.op_count <= TYPE_WALK_LIMIT:
            counts: dict[str, int] = {}
            for s in scope.walk():
                if s.op is not None:
                    counts[s.op.type] = counts.get(s.op.type, 0) + 1
            counts = dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))
            body.append("<h4>{}</h4>".format(_e(self.tr("Op types ({n})").format(n=len(counts))))
                        + self._type_table(counts, limit=12))
        rows = scope.rows
        links = []
        for child in rows[:MAX_LINKS]:
            what = child.op.type if child.op is not None else self.tr("{n} ops").format(n=f"{child.op_count:,}")
            links.append(f"<tr><td>{self._link(child.path, child.name)}</td><td class='dim'>{_e(what)}</td></tr>")
        more = f"<div class='dim'>{_e(_more(len(rows) - MAX_LINKS))}</div>" if len(rows) > MAX_LINKS else ""
        children = _e(self.tr("Children ({n})").format(n=f"{len(rows):,}"))
        body.append(f"<h4>{children}</h4><table>{''.join(links)}</table>{more}")
        self._set("".join(body), ("scope", scope, selection))

    def show_op(self, op: Op, scope: Scope | None = None, selection: Selection | None = None) -> None:
        self._targets = []
        graph = op.graph
        pairs = [(self.tr("Type"), f"<b>{_e(op.type)}</b>"),
                 (self.tr("Device"), _e(op.device) or "<span class='dim'>{}</span>".format(_e(self.tr("(any)"))))]
        w: Weight | None = op.weight
        if w is not None:
            pairs += self._weight_pairs(w, selection)
        elif op.type == "Const":
            pairs.append((self.tr("Weight"), "<span class='dim'>{}</span>".format(_e(self.tr(
                "no: a structural constant (a shape, an axis, an epsilon…)")))))
        body = [f"<h2>{_e(op.name.rsplit('/', 1)[-1])}</h2><div class='path'>{self._crumbs(op.name)}</div>",
                self._rows(pairs)]
        inputs = op.inputs
        if inputs:
            rows = []
            for slot, tensor in enumerate(inputs[:MAX_LINKS]):
                src = graph.get(op_name(tensor))
                what = src.type if src is not None else self.tr("missing")
                link = self._link(src.name, tensor) if src is not None else f"<span class='err'>{_e(tensor)}</span>"
                rows.append(f"<tr><td class='dim'>{slot}</td><td>{link}</td><td class='dim'>{_e(what)}</td></tr>")
            more = f"<div class='dim'>{_e(_more(len(inputs) - MAX_LINKS))}</div>" if len(inputs) > MAX_LINKS else ""
            title = _e(self.tr("Inputs ({n})").format(n=len(inputs)))
            body.append(f"<h4>{title}</h4><table>{''.join(rows)}</table>{more}")
        ctrl = op.control_inputs
        if ctrl:
            links = ", ".join(self._link(n) if graph.get(n) else _e(n) for n in ctrl[:MAX_LINKS])
            title = _e(self.tr("Control inputs ({n})").format(n=len(ctrl)))
            body.append(f"<h4>{title}</h4><p>{links}</p>")
        consumers = op.consumers
        if consumers:
            rows = []
            for c, slot in consumers[:MAX_LINKS]:
                where = _e(self.tr("control") if slot < 0 else self.tr("input {slot}").format(slot=slot))
                rows.append(f"<tr><td>{self._link(c.name)}</td><td class='dim'>{_e(c.type)}</td>"
                            f"<td class='dim'>{where}</td></tr>")
            more = (f"<div class='dim'>{_e(_more(len(consumers) - MAX_LINKS))}</div>"
                    if len(consumers) > MAX_LINKS else "")
            title = _e(self.tr("Consumers ({n})").format(n=f"{len(consumers):,}"))
            body.append(f"<h4>{title}</h4><table>{''.join(rows)}</table>{more}")
        else:
            body.append("<h4>{}</h4><p class='dim'>{}</p>".format(
                _e(self.tr("Consumers")), _e(self.tr("none: this op is an output of the graph"))))
        try:
            attrs = op.attrs
        except Exception as e:  # noqa: BLE001 - show what is wrong, keep the pane
            attrs = {self.tr("(error)"): error_line(e, doing=self.tr("cannot decode attributes"))}
        if attrs:
            body.append("<h4>{}</h4>".format(_e(self.tr("Attributes ({n})").format(n=len(attrs)))))
            body.append(self._rows((k, _e(_attr_text(v))) for k, v in attrs.items()))
        if scope is not None and scope.children:
            links = ", ".join(self._link(c.path, c.name) for c in scope.rows[:MAX_LINKS])
            title = _e(self.tr("Nested ops ({n})").format(n=f"{len(scope.rows):,}"))
            body.append(f"<h4>{title}</h4><p>{links}</p>")
        self._set("".join(body), ("op", op, scope, selection))

    @staticmethod
    def _weight_pairs(w: Weight, selection: Selection | None):
        translate = QCoreApplication.translate
        quantized = ""
        if w.dtype is not None and w.dtype.quantized:
            quantized = translate("DetailsView", " (quantized)")
        pairs = [(translate("DetailsView", "Weight"), f"<code>{_e(w.key)}</code>"),
                 (translate("DetailsView", "Shape"), _e(shape_text(w.shape, compact=True))),
                 (translate("DetailsView", "DType"), _e(w.dtype_name + quantized)),
                 (translate("DetailsView", "Parameters"), f"{w.size:,}"),
                 (translate("DetailsView", "Bytes"), f"{w.nbytes:,}  ({human_bytes(w.nbytes)})")]
        if w.role:
            pairs.append((translate("DetailsView", "Role"), _e(w.role)))
        if w.raw_key:
            pairs.append((translate("DetailsView", "Checkpoint key"), f"<code>{_e(w.raw_key)}</code>"))
        rule = _tr(RULES[w.rule]) if w.rule in RULES else w.rule
        if not w.trainable:
            rule += translate("DetailsView", " · not trainable")
        pairs.append((translate("DetailsView", "Found by"), _e(rule)))
        extra = selection is not None and selection.is_extra(w.name)
        if extra:
            yes = translate("DetailsView", "yes: not exported by default")
            why = translate("DetailsView", "(an optimizer slot, a step counter or a variable the saver skips; "
                                           "tick it to export it)")
            pairs.append((translate("DetailsView", "Kept apart"), f"{_e(yes)} <span class='dim'>{_e(why)}</span>"))
        if not w.available:
            none = translate("DetailsView", "none: {error}").format(error=w.error)
            pairs.append((translate("DetailsView", "Values"), f"<span class='err'>{_e(none)}</span>"))
            never = translate("DetailsView", "not possible: no values")
            pairs.append((translate("DetailsView", "Export"), f"<span class='dim'>{_e(never)}</span>"))
        elif selection is not None:
            ticked = (translate("DetailsView", "ticked") if w.name in selection
                      else translate("DetailsView", "not ticked"))
            pairs.append((translate("DetailsView", "Export"), _e(ticked)))
        return pairs

    def clear_page(self, text: str = "") -> None:
        self._targets = []
        self._last = None
        self.setHtml(f"<p class='dim'>{_e(text)}</p>" if text else "")

    def _clicked(self, url: QUrl) -> None:
        s = url.toString()
        if s.startswith("go:"):
            try:
                path = self._targets[int(s[3:])]
            except (ValueError, IndexError):
                return
            self.link_activated.emit(path)

    def link_targets(self) -> list[str]:
        """Paths the current page links to, in order (tests use it)."""
        return list(self._targets)
