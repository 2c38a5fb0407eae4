"""The read-only HTML site: every notebook rendered with its stored outputs, working offline.

Nothing is executed: each page shows the outputs stored in the notebook. Pages are
``NN_name.html``; ``index.html`` is the rendered ``00_index`` (or a generated list when there is
none). Links between notebooks are rewritten to the pages. Math is typeset by the MathJax copy
shipped with jupyter-server-mathjax, copied into ``mathjax/``, and no page loads a script, style
sheet or image from the network. Widgets have no saved state in the stored outputs, so each one is
replaced by a note saying it needs a running kernel. Solution cells are folded behind "Show the
solution". Every figure's image gets its text description (what ``helpers.figure_text`` printed for it)
as its ``alt``. The page template is ``course/templates/page.html.j2``.
"""

from __future__ import annotations

import re
import shutil
from html import escape
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import jupyter_server_mathjax
import nbformat
from jinja2 import DictLoader
from nbconvert import HTMLExporter

from course.series import notebook_paths, title_of

INDEX = "00_index"
# The notebooks link the students' page at the repository root as ../STUDENTS.md; the site renders it.
GUIDE = "STUDENTS"
MATHJAX_DIR = "mathjax"
# jupyter-server-mathjax ships a trimmed MathJax 2: the HTML-CSS output exists only inside this combined
# config (the one classic Jupyter used), and the only web fonts are STIX-Web (selected in the template).
MATHJAX_CONFIG = "TeX-AMS-MML_HTMLorMML-full,Safe"
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
WIDGET_NOTE = '<div class="course-widget-note">{text}{snapshot}</div>'
NEEDS_KERNEL = (
    "<strong>Interactive widget.</strong> It needs a running Python kernel: "
    "open this notebook in JupyterLab and run its cells to use it."
)
READ_ONLY = " (This read-only page has no kernel: open the notebook in JupyterLab.)"
SNAPSHOT = " Below is the picture it showed when the notebook was last run."
# A widget's default text/plain is its repr, e.g. "interactive(children=(FloatSlider(...": not for readers.
WIDGET_REPR = re.compile(r"^[A-Za-z_][\w.]*\(")
NOTEBOOK_LINK = re.compile(r'href="(?:\./)?(\d\d_[^"/#]+)\.ipynb(#[^"]*)?"')
# What matplotlib prints for a figure that has no description: it says nothing a reader could use.
BARE_FIGURE_REPR = re.compile(r"^<Figure size \d+x\d+ with \d+ Axes>$")
IMAGE_TYPES = ("image/png", "image/jpeg")

TEMPLATE = Path(__file__).resolve().parent / "templates" / "page.html.j2"


def replace_widgets(notebook: nbformat.NotebookNode) -> int:
    """Swap each stored widget view for a note that it needs a kernel; return how many were replaced.

    A text/plain fallback written for people (a helper's "run this cell to get the sliders") becomes
    the note; a bare repr (``interactive(children=(FloatSlider(...``) is replaced by a standard one.
    Any other rendering stored next to the view (an image) stays under the note.
    """
    replaced = 0
    for cell in notebook.cells:
        if cell.cell_type != "code":
            continue
        outputs = []
        for output in cell.outputs:
            data = output.get("data", {})
            if WIDGET_VIEW not in data:
                outputs.append(output)
                continue
            replaced += 1
            rich = {mime: value for mime, value in data.items() if mime not in (WIDGET_VIEW, "text/plain")}
            fallback = str(data.get("text/plain", "")).strip()
            text = NEEDS_KERNEL if not fallback or WIDGET_REPR.match(fallback) else escape(fallback) + READ_ONLY
            note = WIDGET_NOTE.format(text=text, snapshot=SNAPSHOT if rich else "")
            outputs.append(nbformat.v4.new_output("display_data", data={"text/html": note}))
            if rich:
                outputs.append(nbformat.v4.new_output("display_data", data=rich, metadata=output.get("metadata", {})))
        cell.outputs = outputs
    # Saved widget state would make the page fetch the widget manager from a CDN.
    notebook.metadata.pop("widgets", None)
    return replaced


def describe_images(notebook: nbformat.NotebookNode) -> int:
    """Give each stored image without an ``alt`` the text stored beside it (a figure's description); return how many.

    Outputs stored since ``helpers.figure_text`` added ``{"image/png": {"alt": ...}}`` keep theirs; older ones have
    the same description as their text/plain. A bare ``<Figure size ...>`` repr describes nothing and is left out.
    """
    described = 0
    for cell in notebook.cells:
        for output in cell.get("outputs", []) if cell.cell_type == "code" else []:
            data = output.get("data", {})
            text = str(data.get("text/plain", "")).strip()
            if not text or BARE_FIGURE_REPR.match(text):
                continue
            for mime in (mime for mime in IMAGE_TYPES if mime in data):
                metadata = output.setdefault("metadata", {}).setdefault(mime, {})
                if not metadata.get("alt"):
                    metadata["alt"] = text
                    described += 1
    return described


def rewrite_links(html: str, pages: set[str]) -> str:
    """Point links to sibling notebooks (``NN_name.ipynb``) at their pages (``NN_name.html``)."""

    def to_page(match: re.Match[str]) -> str:
        stem, anchor = match.group(1), match.group(2) or ""
        return f'href="{stem}.html{anchor}"' if stem in pages else match.group(0)

    html = NOTEBOOK_LINK.sub(to_page, html)
    return html.replace(f'href="../{GUIDE}.md"', f'href="{GUIDE}.html"')


def markdown_page(exporter: HTMLExporter, markdown: str, name: str) -> str:
    """A page of the site that shows ``markdown`` (the students' guide, or the generated list of contents)."""
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell(markdown)])
    body, _ = exporter.from_notebook_node(notebook, resources={"metadata": {"name": name}})
    return body


class _References(HTMLParser):
    """Collects every (tag, attribute, url) a page refers to."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[tuple[str, str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name in ("href", "src") and value:
                self.found.append((tag, name, value))


def references(html: str) -> list[tuple[str, str, str]]:
    """Every ``href``/``src`` in a page as (tag, attribute, url)."""
    parser = _References()
    parser.feed(html)
    return parser.found


def page_problems(page: Path) -> list[str]:
    """What is wrong with a built page: assets loaded from the network, or local links to missing files.

    Plain ``<a>`` links to web pages are fine (they are reading suggestions, not needed to render);
    a script, style sheet, image or frame from the network is not.
    """
    problems = []
    for tag, attribute, url in references(page.read_text(encoding="utf-8")):
        parts = urlsplit(url)
        if parts.scheme in ("http", "https") or url.startswith("//"):
            if tag != "a":
                problems.append(f"{page.name}: <{tag} {attribute}> loads {url} from the network")
            continue
        if parts.scheme or not parts.path:  # data:, mailto:, or an anchor on the same page
            continue
        if not (page.parent / unquote(parts.path)).exists():
            problems.append(f"{page.name}: <{tag} {attribute}> points to missing {parts.path}")
    return problems


def make_exporter() -> HTMLExporter:
    """An HTMLExporter (JupyterLab look) that loads nothing from the network."""
    return HTMLExporter(
        template_name="lab",
        extra_loaders=[DictLoader({"course.html.j2": TEMPLATE.read_text(encoding="utf-8")})],
        template_file="course.html.j2",
        mathjax_url=f"{MATHJAX_DIR}/MathJax.js?config={MATHJAX_CONFIG}",
        require_js_url="",
        jquery_url="",
        jupyter_widgets_base_url="",
        mermaid_js_url="",
        mermaid_layout_elk_js_url="",
    )


def build(notebooks: Path, out: Path) -> list[str]:
    """Render every notebook in ``notebooks`` into ``out`` and return the problems found in the pages."""
    paths = notebook_paths(notebooks)
    if not paths:
        raise SystemExit(f"No notebooks named NN_name.ipynb in {notebooks}: nothing to build.")
    out.mkdir(parents=True, exist_ok=True)
    for stale in out.glob("*.html"):  # pages of renamed or removed notebooks
        stale.unlink()
    mathjax = Path(jupyter_server_mathjax.__file__).parent / "static"  # MathJax 2, pinned in requirements.txt
    shutil.copytree(mathjax, out / MATHJAX_DIR, dirs_exist_ok=True)

    exporter = make_exporter()
    stems = {path.stem for path in paths}
    titles = {}
    for path in paths:
        notebook = nbformat.read(path, as_version=4)
        titles[path.stem] = title_of(notebook) or path.stem
        widgets = replace_widgets(notebook)
        describe_images(notebook)
        body, _ = exporter.from_notebook_node(notebook, resources={"metadata": {"name": titles[path.stem]}})
        (out / f"{path.stem}.html").write_text(rewrite_links(body, stems), encoding="utf-8")
        note = f" ({widgets} widget{'s' * (widgets != 1)} replaced by a note)" if widgets else ""
        print(f"{path.name} -> {path.stem}.html{note}")

    guide = notebooks.parent / f"{GUIDE}.md"
    if guide.exists():
        page = markdown_page(exporter, guide.read_text(encoding="utf-8"), "Students' guide")
        (out / f"{GUIDE}.html").write_text(page, encoding="utf-8")
        print(f"{GUIDE}.html <- {guide.name}")

    index = out / f"{INDEX}.html"
    items = "\n".join(f"1. [{escape(title)}]({stem}.html)" for stem, title in titles.items())
    home = index.read_text(encoding="utf-8") if index.exists() else markdown_page(exporter, f"# Contents\n\n{items}", "Contents")
    (out / "index.html").write_text(home, encoding="utf-8")
    print(f"index.html <- {index.name if index.exists() else 'generated list'}")

    return [problem for page in sorted(out.glob("*.html")) for problem in page_problems(page)]
