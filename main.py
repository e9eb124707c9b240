"""pbscope: `python main.py COMMAND …` runs the command line; `python main.py [PATH]` the window."""
import sys

COMMANDS = {"info", "ls", "show", "export", "diff", "restore", "unfreeze", "-h", "--help"}


def main(argv: list[str]) -> int:
    if argv and argv[0] in COMMANDS:
        from core.cli import main as cli_main
        return cli_main(argv)
    if len(argv) > 1:
        print("usage: python main.py [PATH] | python main.py {info,ls,show,export} …", file=sys.stderr)
        return 2
    from gui.app import main as gui_main
    return gui_main(argv[0] if argv else None)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
