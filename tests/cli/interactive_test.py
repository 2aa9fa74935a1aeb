#!/usr/bin/env python3
"""The interactive `strata query` under a real terminal: tmux runs it in a detached
session of fixed size, send-keys types, capture-pane reads the screen.

Usage: interactive_test.py STRATA_BINARY sqlite|password
  sqlite    multi-line statements, a ';' in quotes and comments, an error that does not
            end the session, Ctrl-C, Up recalls and re-runs, \\q, history across sessions
            (file mode 0600, statements only, never the URL), Ctrl-D.
  password  a PostgreSQL URL with a password ($STRATA_PG_URL, from scripts/pg run): the
            password is on neither the screen nor in the history file.
Exit 77 (ctest SKIP_RETURN_CODE) when tmux is absent, or for `password` when
$STRATA_PG_URL is unset and $STRATA_REQUIRE_PG is not 1.
"""
import os
import shutil
import stat
import subprocess
import sys
import tempfile
import time
import urllib.parse

SKIP = 77
PATIENCE = 60.0  # seconds a screen may take to show what is awaited (ASan build, busy CI)


class Terminal:
    def __init__(self, workdir, command, env):
        self.socket = os.path.join(workdir, "tmux.sock")
        config = os.path.join(workdir, "tmux.conf")
        with open(config, "w") as f:
            # Keep the pane after strata exits, so the last screen and the status stay readable.
            f.write("set -g remain-on-exit on\nset -g history-limit 5000\n")
        args = ["new-session", "-d", "-s", "strata", "-x", "120", "-y", "50"]
        for key, value in env.items():
            args += ["-e", f"{key}={value}"]
        # The shell prints strata's exit status (tmux's #{pane_dead_status} is not always set).
        wrapper = ["sh", "-c", '"$@"; echo "[strata exited $?]"', "sh"]
        self.tmux("-f", config, *args, *wrapper, *command)

    def tmux(self, *args):
        return subprocess.run(["tmux", "-S", self.socket, *args], check=True, capture_output=True,
                              text=True).stdout

    def screen(self):
        # Trailing spaces are trimmed: a prompt reads "strata>" here.
        # The whole pane including its scrollback.
        return self.tmux("capture-pane", "-p", "-S", "-", "-t", "strata")

    def keys(self, *keys):
        self.tmux("send-keys", "-t", "strata", *keys)

    def type(self, text):
        # tmux reads an argument ending in ';' as a command separator unless escaped.
        if text.endswith(";"):
            text = text[:-1] + "\\;"
        self.tmux("send-keys", "-t", "strata", "-l", text)

    def type_line(self, text):
        self.type(text)
        self.keys("Enter")

    def wait_for(self, what, predicate):
        deadline = time.monotonic() + PATIENCE
        while time.monotonic() < deadline:
            text = self.screen()
            if predicate(text):
                return text
            time.sleep(0.05)
        fail(f"the screen never showed {what}; it shows:\n{self.screen()}")

    def wait_count(self, needle, count):
        return self.wait_for(f"{needle!r} {count} time(s)", lambda s: s.count(needle) >= count)

    def exit_status(self):
        """strata's exit status, which the wrapping shell prints when strata ends."""
        screen = self.wait_for("strata exiting", lambda s: "[strata exited " in s)
        return screen.split("[strata exited ", 1)[1].split("]", 1)[0]

    def close(self):
        subprocess.run(["tmux", "-S", self.socket, "kill-server"], capture_output=True)


def fail(message):
    print("FAIL: " + message, file=sys.stderr)
    sys.exit(1)


def check(condition, message):
    if not condition:
        fail(message)


def base_env(history):
    env = {"STRATA_HISTORY": history, "TERM": "xterm-256color"}
    for key in ("ASAN_OPTIONS", "UBSAN_OPTIONS"):
        if key in os.environ:
            env[key] = os.environ[key]
    return env


def history_entries(path):
    check(os.path.exists(path), f"no history file at {path}")
    mode = stat.S_IMODE(os.stat(path).st_mode)
    check(mode == 0o600, f"history file mode is {oct(mode)}, not 0o600")
    with open(path, encoding="utf-8") as f:
        return f.read()


def sqlite_case(strata, workdir):
    database = os.path.join(workdir, "interactive.db")
    url = "sqlite:" + database
    history = os.path.join(workdir, "history")
    t = Terminal(workdir, [strata, "query", "--url", url], base_env(history))
    try:
        t.wait_count("strata>", 1)
        t.type_line("CREATE TABLE t(id INTEGER, name TEXT);")
        t.wait_count("OK", 1)
        # A ';' inside a string literal does not end the statement.
        t.type_line("INSERT INTO t VALUES (1, 'a;b'), (2, 'two');")
        t.wait_count("OK", 2)
        # A statement over three lines, with the continuation prompt in between.
        t.type_line("SELECT id, name")
        t.wait_count("   ...>", 1)
        t.type_line("FROM t")
        t.wait_count("   ...>", 2)
        t.type_line("WHERE id > 0 ORDER BY id;")
        screen = t.wait_count("(2 rows)", 1)
        check("a;b" in screen and "two" in screen, "the multi-line SELECT's rows are not on the screen")
        # A ';' inside a comment does not end it either.
        t.type_line("SELECT 40 -- not the end;")
        t.wait_count("   ...>", 3)
        t.type_line("+ 2 AS answer;")
        t.wait_count("42", 1)
        # An error prints its code and the session goes on.
        t.type_line("SELECT * FROM missing_table;")
        screen = t.wait_count("error: QUERY.FAILED", 1)
        check("missing_table" in screen, "the error message does not name the table")
        t.wait_count("strata>", 6)
        # Ctrl-C drops a half-typed statement: the next prompt is a fresh one.
        t.type("SELECT dropped")
        t.keys("C-c")
        t.wait_count("^C", 1)
        t.wait_count("strata>", 7)
        # Up, Up, Up: the erroneous statement, the comment one, then the multi-line one; Enter runs it again.
        t.keys("Up")
        t.wait_for("the last statement recalled", lambda s: s.rstrip().endswith("strata> SELECT * FROM missing_table;"))
        t.keys("Up", "Up")
        t.wait_for("the multi-line statement recalled",
                   lambda s: s.rstrip().endswith("strata> SELECT id, name FROM t WHERE id > 0 ORDER BY id;"))
        t.keys("Enter")
        screen = t.wait_count("(2 rows)", 2)
        check(screen.count("a;b") >= 2, "the recalled statement's rows were not printed again")
        # Editing: Home, typing, End.
        t.type("1 AS x;")
        t.keys("Home")
        t.type("SELECT ")
        t.keys("End", "BSpace")
        t.type(", 'edited' AS e;")
        t.keys("Enter")
        t.wait_count("edited", 2)  # typed line and the row
        # Left moves into the line, typing inserts there.
        t.type("SELECT 'ac' AS z;")
        t.keys(*["Left"] * 8)
        t.type("b")
        t.keys("Right", "Enter")
        t.wait_for("the row of the statement edited in the middle", lambda s: "\nabc\n" in s)
        # Two statements on one line, a ';' in a quoted identifier: both run, in order.
        t.type_line("SELECT 'p' AS \"x;y\"; SELECT 'q' AS second;")
        screen = t.wait_for("both statements' rows", lambda s: s.count("second") >= 2)
        check(screen.count("x;y") >= 2 and screen.index("x;y", screen.index("second")) < screen.rindex("second"),
              "the statement with a ';' in a quoted identifier did not run before the second one")
        t.type_line("\\q")
        check(t.exit_status() == "0", "\\q did not end strata with status 0")
    finally:
        t.close()

    text = history_entries(history)
    check("SELECT id, name\\nFROM t\\nWHERE id > 0 ORDER BY id;" in text,
          f"the multi-line statement is not in the history:\n{text}")
    check("missing_table" in text, "the erroneous statement is not in the history")
    check("SELECT 1 AS x, 'edited' AS e;" in text, f"the edited statement is not in the history as edited:\n{text}")
    check("dropped" not in text, "a statement dropped with Ctrl-C reached the history")
    check("\\q" not in text, "\\q reached the history")
    check(database not in text and url not in text, "the URL reached the history")

    # A second session starts with that history; Ctrl-D on an empty line quits.
    t = Terminal(workdir, [strata, "query", "--url", url], base_env(history))
    try:
        t.wait_count("strata>", 1)
        t.keys("Up")
        t.wait_for("the previous session's last statement",
                   lambda s: s.rstrip().endswith("strata> SELECT 'q' AS second;"))
        t.keys("Down", "C-d")
        check(t.exit_status() == "0", "Ctrl-D did not end strata with status 0")
    finally:
        t.close()


def password_case(strata, workdir):
    url = os.environ.get("STRATA_PG_URL", "")
    if not url:
        if os.environ.get("STRATA_REQUIRE_PG") == "1":
            fail("STRATA_REQUIRE_PG=1 but STRATA_PG_URL is not set (run through scripts/pg run)")
        print("SKIP: STRATA_PG_URL is not set (run through scripts/pg run)")
        sys.exit(SKIP)
    password = urllib.parse.urlsplit(url).password
    check(bool(password) and len(password) >= 6, "STRATA_PG_URL carries no password to look for")
    history = os.path.join(workdir, "history")
    env = base_env(history)
    env["STRATA_URL"] = url
    t = Terminal(workdir, [strata, "query"], env)
    try:
        t.wait_count("strata>", 1)
        t.type_line("SELECT 'visible' AS word;")
        t.wait_count("(1 row)", 1)
        t.type_line("SELECT * FROM no_such_table_here;")
        t.wait_count("error: ", 1)
        t.type_line("\\q")
        check(t.exit_status() == "0", "\\q did not end strata with status 0")
        screen = t.screen()
    finally:
        t.close()
    check(password not in screen, "the password is on the screen")
    text = history_entries(history)
    check("visible" in text, "the statement is not in the history")
    check(password not in text and url not in text, "the URL or its password reached the history")


def main():
    if len(sys.argv) != 3 or sys.argv[2] not in ("sqlite", "password"):
        fail(__doc__)
    if shutil.which("tmux") is None:
        print("SKIP: tmux is not installed (scripts/bootstrap installs it)")
        sys.exit(SKIP)
    strata = os.path.abspath(sys.argv[1])
    with tempfile.TemporaryDirectory(prefix="strata-interactive-") as workdir:
        (sqlite_case if sys.argv[2] == "sqlite" else password_case)(strata, workdir)
    print("PASS")


if __name__ == "__main__":
    main()
