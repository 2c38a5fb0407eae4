"""Render every notebook, with its stored outputs, into a read-only static site that works offline.

    python scripts/build_html.py                    # notebooks/ -> site/
    python scripts/build_html.py --out /tmp/site    # build somewhere else
    python scripts/build_html.py --notebooks DIR    # render another folder of NN_name.ipynb files

Nothing is executed: each page shows the outputs stored in the notebook. Pages are
``site/NN_name.html``; ``site/index.html`` is the rendered ``00_index`` (or a generated list when
there is none). Links between notebooks are rewritten to the pages. Math is typeset by the MathJax
copy shipped with jupyter-server-mathjax, copied into ``site/mathjax/``, and no page loads a script,
style sheet or image from the network. Widgets have no saved state in the stored outputs, so each
one is replaced by a note saying it needs a running kernel (a static figure snapshot, if stored,
stays). Solution cells are folded behind "Show the solution".

Exit status 1 when a page links to a file that does not exist or loads anything from the network.
"""

from __future__ import annotations

import argparse
import re
import shutil
import sys
from html import escape
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import nbformat
from jinja2 import DictLoader
from nbconvert import HTMLExporter

ROOT = Path(__file__).resolve().parent.parent
INDEX = "00_index"
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

TEMPLATE = r"""
{%- extends 'index.html.j2' -%}

{%- block html_head_js_requirejs -%}{%- endblock html_head_js_requirejs -%}
{%- block jupyter_widgets -%}{%- endblock jupyter_widgets -%}
{%- block html_head_js_mermaidjs -%}{%- endblock html_head_js_mermaidjs -%}

{%- block html_head_js_mathjax -%}
<script>
window.MathJax = {
  tex2jax: {
    inlineMath: [["$", "$"], ["\\(", "\\)"]],
    displayMath: [["$$", "$$"], ["\\[", "\\]"]],
    processEscapes: true,
    processEnvironments: true
  },
  TeX: {equationNumbers: {autoNumber: "AMS", useLabelIds: true}},
  "HTML-CSS": {availableFonts: [], imageFont: null, preferredFont: null, webFont: "STIX-Web",
               linebreaks: {automatic: true}},
  displayAlign: "center",
  messageStyle: "none"
};
</script>
<script src="{{ resources.mathjax_url }}"></script>
{%- endblock html_head_js_mathjax -%}

{% block extra_css %}
<style type="text/css">
.course-banner { margin: 0 0 1em; padding: 0.5em 1em; background: #f3f6fa; border-bottom: 1px solid #d0d7de;
                 font-family: var(--jp-ui-font-family); font-size: 0.9em; }
.course-banner a, details.course-hidden-input > summary { color: #1a5fb4; }
.course-widget-note { margin: 0.3em 0; padding: 0.5em 0.8em; border-left: 4px solid #f0ad4e; background: #fdf6ec;
                      font-family: var(--jp-ui-font-family); }
/* MathJax's hidden MathML copy (for screen readers) asks for TeX web fonts that the offline MathJax lacks. */
.MJX_Assistive_MathML * { font-family: inherit !important; }
details.course-hidden-input > summary { cursor: pointer; padding: 0.3em 0; font-family: var(--jp-ui-font-family);
                                        margin-left: calc(var(--jp-cell-prompt-width, 64px) + 8px); }
</style>
{% endblock extra_css %}

{%- block body_header -%}
{{ super() }}
<div class="course-banner">Read-only copy: the outputs shown were stored when the notebook was last run.
<a href="index.html">Contents</a></div>
{%- endblock body_header -%}

{% block input_group -%}
{%- if cell.metadata.get('jupyter', {}).get('source_hidden') -%}
<details class="course-hidden-input">
<summary>{{ 'Show the solution' if 'solution' in cell.metadata.get('tags', []) else 'Show the hidden code' }}</summary>
{{ super() }}
</details>
{%- else -%}
{{ super() }}
{%- endif -%}
{%- endblock input_group %}
"""


def notebook_paths(folder: Path) -> list[Path]:
    """The course notebooks in ``folder``, in their numbered order."""
    return sorted(folder.glob("[0-9][0-9]_*.ipynb"))


def title_of(notebook: nbformat.NotebookNode, fallback: str) -> str:
    """The notebook's first ``# `` heading outside the navigation cells, used as the page title."""
    for cell in notebook.cells:
        if cell.cell_type != "markdown" or "navigation" in cell.metadata.get("tags", []):
            continue
        for line in cell.source.splitlines():
            if line.startswith("# "):
                return line[2:].strip()
    return fallback


def replace_widgets(notebook: nbformat.NotebookNode) -> int:
    """Swap each stored widget view for a note that it needs a kernel; return how many were replaced.

    A text/plain fallback written for people (a helper's "run this cell to get the sliders") becomes
    the note; a bare repr (``interactive(children=(FloatSlider(...``) is replaced by a standard one.
    A static rendering stored next to the view (ipympl keeps a PNG of the figure) stays under the note.
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


def rewrite_links(html: str, pages: set[str]) -> str:
    """Point links to sibling notebooks (``NN_name.ipynb``) at their pages (``NN_name.html``)."""

    def to_page(match: re.Match[str]) -> str:
        stem, anchor = match.group(1), match.group(2) or ""
        return f'href="{stem}.html{anchor}"' if stem in pages else match.group(0)

    return NOTEBOOK_LINK.sub(to_page, html)


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


def copy_mathjax(out: Path) -> None:
    """Copy MathJax 2 from the jupyter-server-mathjax package into ``out/mathjax``."""
    try:
        import jupyter_server_mathjax
    except ImportError:
        raise SystemExit(
            "jupyter-server-mathjax is not installed; it provides the offline MathJax. "
            "Install the pinned requirements: pip install -r requirements.txt"
        ) from None
    source = Path(jupyter_server_mathjax.__file__).parent / "static"
    target = out / MATHJAX_DIR
    if target.exists():
        shutil.rmtree(target)
    shutil.copytree(source, target)


def make_exporter() -> HTMLExporter:
    """An HTMLExporter (JupyterLab look) that loads nothing from the network."""
    return HTMLExporter(
        template_name="lab",
        extra_loaders=[DictLoader({"course.html.j2": TEMPLATE})],
        template_file="course.html.j2",
        mathjax_url=f"{MATHJAX_DIR}/MathJax.js?config={MATHJAX_CONFIG}",
        require_js_url="",
        jquery_url="",
        jupyter_widgets_base_url="",
        mermaid_js_url="",
        mermaid_layout_elk_js_url="",
    )


def contents_page(exporter: HTMLExporter, titles: dict[str, str]) -> str:
    """A plain list of every page, used as the index when there is no 00_index notebook."""
    items = "\n".join(f"1. [{escape(title)}]({stem}.html)" for stem, title in titles.items())
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell(f"# Contents\n\n{items}")])
    body, _ = exporter.from_notebook_node(notebook, resources={"metadata": {"name": "Contents"}})
    return body


def build(notebooks: Path, out: Path) -> list[str]:
    """Render every notebook in ``notebooks`` into ``out`` and return the problems found in the pages."""
    paths = notebook_paths(notebooks)
    if not paths:
        raise SystemExit(f"No notebooks named NN_name.ipynb in {notebooks}: nothing to build.")
    out.mkdir(parents=True, exist_ok=True)
    for stale in out.glob("*.html"):  # pages of renamed or removed notebooks
        stale.unlink()
    copy_mathjax(out)

    exporter = make_exporter()
    stems = {path.stem for path in paths}
    titles = {}
    for path in paths:
        notebook = nbformat.read(path, as_version=4)
        titles[path.stem] = title_of(notebook, path.stem)
        widgets = replace_widgets(notebook)
        body, _ = exporter.from_notebook_node(notebook, resources={"metadata": {"name": titles[path.stem]}})
        (out / f"{path.stem}.html").write_text(rewrite_links(body, stems), encoding="utf-8")
        note = f" ({widgets} widget{'s' * (widgets != 1)} replaced by a note)" if widgets else ""
        print(f"{path.name} -> {path.stem}.html{note}")

    index = out / f"{INDEX}.html"
    home = index.read_text(encoding="utf-8") if index.exists() else contents_page(exporter, titles)
    (out / "index.html").write_text(home, encoding="utf-8")
    print(f"index.html <- {index.name if index.exists() else 'generated list'}")

    return [problem for page in sorted(out.glob("*.html")) for problem in page_problems(page)]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--notebooks", type=Path, default=ROOT / "notebooks", help="folder of NN_name.ipynb files")
    parser.add_argument("--out", type=Path, default=ROOT / "site", help="folder to write the site into")
    args = parser.parse_args(argv)
    problems = build(args.notebooks.resolve(), args.out.resolve())
    for problem in problems:
        print(f"PROBLEM {problem}", file=sys.stderr)
    if problems:
        print(f"{len(problems)} problem(s): fix them in the notebooks these pages come from.", file=sys.stderr)
        return 1
    print(f"Site written to {args.out}; open {args.out / 'index.html'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
