#!/usr/bin/python3
"""A stand-in chat client for the real-app tests: one GTK window (title: first argument) with a
multi-line text box, like the input box of 千牛 / 咚咚 / 飞鸽.

Every change of the box's text is printed on stdout as one JSON line {"text": ...}, so a test
sees exactly what arrived and when. A line "clear" on stdin empties the box; end of stdin quits.
Needs Debian's python3-gi and gir1.2-gtk-3.0 (installed by `make deps`).
"""

import json
import sys

import gi

gi.require_version("Gtk", "3.0")
from gi.repository import GLib, Gtk  # noqa: E402


def say(obj):
    print(json.dumps(obj, ensure_ascii=False), flush=True)


def main():
    title = sys.argv[1] if len(sys.argv) > 1 else "chat target"
    win = Gtk.Window(title=title)
    win.set_default_size(480, 240)
    view = Gtk.TextView()
    view.set_wrap_mode(Gtk.WrapMode.WORD_CHAR)
    buf = view.get_buffer()

    def changed(b):
        start, end = b.get_bounds()
        say({"text": b.get_text(start, end, True)})

    buf.connect("changed", changed)

    def on_stdin(_source, _cond):
        line = sys.stdin.readline()
        if not line:
            Gtk.main_quit()
            return False
        if line.strip() == "clear":
            buf.set_text("")
        return True

    GLib.io_add_watch(sys.stdin, GLib.IO_IN | GLib.IO_HUP, on_stdin)
    win.add(view)
    win.connect("destroy", Gtk.main_quit)
    win.show_all()
    view.grab_focus()
    say({"ready": True})
    Gtk.main()


if __name__ == "__main__":
    main()
