"""pbscope's entry point: ``pbscope COMMAND …`` runs the command line, ``pbscope [PATH]`` the
window. In a clone, ``python main.py …`` does the same."""
import os
import sys

COMMANDS = {"info", "ls", "show", "export", "diff", "graph", "restore", "unfreeze", "-h", "--help",
            "--version", "-v", "-vv", "-vvv", "--verbose"}


def use_clone() -> None:
    """Make this clone importable as the package ``pbscope``. Installed, the same files are
    ``pbscope/core``, ``pbscope/gui``…; in a clone they sit at the root (the design card's
    layout), so the root itself is registered as the package, without a directory of its own."""
    import importlib.machinery
    import importlib.util
    root = os.path.dirname(os.path.abspath(__file__))
    current = sys.modules.get("pbscope")
    if current is not None and list(getattr(current, "__path__", [])) == [root]:
        return
    spec = importlib.machinery.ModuleSpec("pbscope", None, is_package=True)
    spec.submodule_search_locations = [root]
    sys.modules["pbscope"] = importlib.util.module_from_spec(spec)


if not __package__:      # run as a script, or imported as `main`, from a clone
    use_clone()


def _png_rasterizer():
    try:
        from pbscope.gui.picture import svg_to_png
    except ImportError:
        return None
    return svg_to_png


def main(argv: list[str]) -> int:
    if argv == ["--version"]:
        from pbscope.core.about import pbscope_version
        print(f"pbscope {pbscope_version()}")
        return 0
    if argv and argv[0] in COMMANDS:
        from pbscope.core import cli
        cli.RASTERIZER = _png_rasterizer    # `graph -o x.png` draws with Qt, which core never imports
        return cli.main(argv)
    if len(argv) > 1:
        print("usage: pbscope [PATH] | pbscope {info,ls,show,export,diff,graph,restore,unfreeze} …",
              file=sys.stderr)
        return 2
    from pbscope.gui.app import main as gui_main
    return gui_main(argv[0] if argv else None)


def entry() -> None:
    """The ``pbscope`` command."""
    sys.exit(main(sys.argv[1:]))


if __name__ == "__main__":
    entry()
