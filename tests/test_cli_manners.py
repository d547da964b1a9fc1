"""CLI manners: an example in every --help, data alone on stdout, no colour codes off a terminal,
shell completion."""

import json
import os
import subprocess

import pytest
from click.testing import CliRunner

from qawl import main
from tests.conftest import ROOT, corpus_files

ANSI = "\x1b["
COMMANDS = sorted(main.commands)


def run(*args, **kwargs):
    return CliRunner().invoke(main, [str(a) for a in args], **kwargs)


@pytest.mark.parametrize("command", [[]] + [[name] for name in COMMANDS], ids=["qawl"] + COMMANDS)
def test_every_help_has_an_example(command):
    result = run(*command, "--help")
    assert result.exit_code == 0
    assert "Example" in result.stdout, f"`qawl {' '.join(command)} --help` shows no example"
    assert ANSI not in result.output


def test_data_on_stdout_status_on_stderr_no_colour_codes(small_bundle, tmp_path):
    source = tmp_path / "batch.jsonl"
    lines = (corpus_files("afr-01")[0].read_text("utf-8").splitlines()[:2] + ["{broken"])
    source.write_text("\n".join(lines) + "\n", "utf-8")
    for args in (["predict", "--model", small_bundle, source],
                 ["suggest", "--n", 3, "--model", small_bundle, source]):
        result = run(*args)
        assert result.exit_code == 3 and "batch.jsonl:3: not valid JSON" in result.stderr
        assert all(json.loads(line) for line in result.stdout.splitlines())  # nothing but records
        assert ANSI not in result.output
    result = run("export-labelstudio", source, "-o", tmp_path / "tasks.json")
    assert result.exit_code == 3 and result.stdout == "" and "tasks.json" in result.stderr
    result = run("predict", "--model", tmp_path / "none", source)
    assert result.exit_code == 1 and result.stdout == "" and result.stderr.startswith("Error: ")
    assert ANSI not in result.output


def test_usage_errors_exit_2():
    assert run("suggest").exit_code == 2
    assert run("predict", "--format", "yaml", "x.txt").exit_code == 2


@pytest.mark.parametrize("shell, marker", [("bash", "_qawl_completion()"), ("zsh", "#compdef qawl"),
                                           ("fish", "function _qawl_completion")])
def test_completion_scripts_are_generated(shell, marker):
    result = run(prog_name="qawl", env={"_QAWL_COMPLETE": f"{shell}_source"})
    assert result.exit_code == 0 and marker in result.stdout


def test_completion_completes_command_names():
    result = run(prog_name="qawl", env={"_QAWL_COMPLETE": "bash_complete", "COMP_WORDS": "qawl sug", "COMP_CWORD": "1"})
    assert result.exit_code == 0 and result.stdout.split() == ["plain,suggest"]


def test_installed_command_prints_the_bash_completion_script():
    command = ROOT / ".venv" / "bin" / "qawl"
    if not command.exists():
        pytest.skip("qawl is not installed in .venv")
    result = subprocess.run([str(command)], env={**os.environ, "_QAWL_COMPLETE": "bash_source"},
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0 and "complete -o nosort -F _qawl_completion qawl" in result.stdout
