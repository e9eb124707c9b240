"""pbscope: `python main.py COMMAND …` runs the command line; `python main.py [PATH]` the window."""
import sys

COMMANDS = {"info", "ls", "show", "export", "diff", "graph", "restore", "unfreeze", "-h", "--help"}


def _png_rasterizer():
    try:
        from gui.picture import svg_to_png
    except ImportError:
        return None
    return svg_to_png


def main(argv: list[str]) -> int:
    if argv and argv[0] in COMMANDS:
        import core.cli
        if argv[0] == "graph":      # PNG pictures are drawn with Qt, which core never imports
            core.cli.RASTERIZER = _png_rasterizer
        return core.cli.main(argv)
    if len(argv) > 1:
        print("usage: python main.py [PATH] | python main.py {info,ls,show,export} …", file=sys.stderr)
        return 2
    from gui.app import main as gui_main
    return gui_main(argv[0] if argv else None)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
