"""The progress bar shows on a terminal and never in a pipe."""

import fcntl
import os
import pty
import struct
import subprocess
import sys
import termios

from tests.conftest import CORPUS, ROOT


def run_predict(bundle, stderr_fd=None):
    command = [sys.executable, "-m", "qawl", "predict", "--model", str(bundle), str(sorted(CORPUS.glob("*.jsonl"))[0]),
               "--output", os.devnull]
    return subprocess.run(command, cwd=ROOT, stdout=subprocess.DEVNULL, timeout=120,
                          stderr=stderr_fd if stderr_fd is not None else subprocess.PIPE)


def test_quiet_when_stderr_is_a_pipe(small_bundle):
    done = run_predict(small_bundle)
    assert done.returncode == 0 and done.stderr == b""


def test_bar_on_a_terminal(small_bundle):
    main_fd, terminal_fd = pty.openpty()
    fcntl.ioctl(terminal_fd, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 100, 0, 0))  # a real terminal's size
    try:
        done = run_predict(small_bundle, terminal_fd)
        os.close(terminal_fd)
        shown = b""
        while True:
            try:
                chunk = os.read(main_fd, 4096)
            except OSError:  # the terminal side is closed and drained
                break
            if not chunk:
                break
            shown += chunk
    finally:
        os.close(main_fd)
    assert done.returncode == 0
    text = shown.decode("utf-8", "replace")
    assert "articles" in text and "100%" in text
