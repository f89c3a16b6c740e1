"""The package installs anywhere: prompts and templates inside it, quick start, user's umask."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import venv
from pathlib import Path

import pytest
import scripted_provider
from conftest import REPO, SEEDS

from llmextract.prompts import PromptError, load_prompt, prompts_root
from llmextract.run.atomic import write_atomic

HEAVY = ("openai", "instructor", "scipy", "numpy", "llama_cpp", "rapidfuzz", "jinja2")


def test_the_command_line_imports_no_stage_before_a_command_runs() -> None:
    """``--help`` builds the CLI only: client libraries and the scorer load in commands."""
    code = (
        "import sys\n"
        "from typer.testing import CliRunner\n"
        "from llmextract.cli import app\n"
        "assert CliRunner().invoke(app, ['--help']).exit_code == 0\n"
        "assert CliRunner().invoke(app, ['extract', '--help']).exit_code == 0\n"
        f"print([m for m in {HEAVY!r} if m in sys.modules])\n"
        "print(sorted(m for m in sys.modules if m.startswith('llmextract.')))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    heavy, modules = done.stdout.splitlines()
    assert heavy == "[]", heavy
    assert "llmextract.eval" not in modules and "llmextract.extraction" not in modules


@pytest.mark.parametrize(("umask", "mode"), [(0o022, 0o644), (0o077, 0o600), (0o002, 0o664)])
def test_files_are_written_with_the_users_umask(tmp_path: Path, umask: int, mode: int) -> None:
    old = os.umask(umask)
    try:
        write_atomic(tmp_path / "x.json", "{}")
    finally:
        os.umask(old)
    assert (tmp_path / "x.json").stat().st_mode & 0o777 == mode


def test_prompts_are_package_data_and_a_folder_is_a_prompt(tmp_path: Path) -> None:
    assert prompts_root().parent == Path(__import__("llmextract").__file__).parent
    mine = tmp_path / "mine"
    shutil.copytree(prompts_root() / "incidents-v3", mine)
    prompt = load_prompt(str(mine))
    assert prompt.name == "mine" and prompt.hash == load_prompt("incidents-v3").hash
    with pytest.raises(PromptError, match=r"no system\.j2"):
        load_prompt(str(tmp_path))


@pytest.mark.slow
def test_the_wheel_installs_in_a_fresh_environment_and_runs_from_any_folder(
    tmp_path: Path,
) -> None:
    """``pip wheel .``, a fresh venv, then extract, eval and compare from an unrelated folder.

    The venv sees the system's site-packages, so pip fetches only the declared dependencies
    missing there (this checks they are declared); a stub makes ``import llama_cpp`` fail:
    the core install must not need it.
    """
    source = tmp_path / "source"  # a copy, so the build leaves nothing in the repository
    shutil.copytree(REPO / "llmextract", source / "llmextract",
                    ignore=shutil.ignore_patterns("__pycache__"))  # fmt: skip
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(REPO / name, source / name)
    dist = tmp_path / "dist"
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(dist), str(source)],
        check=True, capture_output=True,
    )  # fmt: skip
    wheel = next(dist.glob("llmextract-*.whl"))
    env_dir = tmp_path / "venv"
    venv.EnvBuilder(system_site_packages=True, with_pip=False).create(env_dir)
    python = env_dir / "bin" / "python"
    site = Path(
        subprocess.run(
            [python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
            check=True, capture_output=True, text=True,
        ).stdout.strip()
    )  # fmt: skip
    subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(python), "install", "-q", str(wheel)],
        check=True, capture_output=True,
    )  # fmt: skip
    (site / "llama_cpp").mkdir()
    (site / "llama_cpp" / "__init__.py").write_text("raise ImportError('not in the core')\n")
    scripted_provider.install(site, Path(scripted_provider.__file__))

    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    shutil.copy(SEEDS / "000_0d8ea9d49bf055df.txt", elsewhere / "doc.txt")
    env = {**os.environ, "LLMEXTRACT_CACHE": str(tmp_path / "cache")}
    env.pop("LLMEXTRACT_PROMPTS", None)
    env.pop("LLMEXTRACT_RESPONSE_CACHE", None)
    command = str(env_dir / "bin" / "llmextract")

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [command, *args], cwd=elsewhere, env=env, capture_output=True, text=True
        )

    where = subprocess.run(
        [python, "-c", "import llmextract; print(llmextract.__file__)"],
        cwd=elsewhere, capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    assert where.startswith(str(env_dir)), where
    done = run("extract", "doc.txt", "--model", "scripted:x", "--out", "run")
    assert done.returncode == 0, done.stderr
    extraction = json.loads((elsewhere / "run" / "doc.json").read_text())
    assert extraction["incidents"], "the scripted provider tags the article's attack"
    gold = elsewhere / "gold"
    gold.mkdir()
    (gold / "doc.json").write_text(
        json.dumps({"doc_id": "doc", "labelled_by": "test", "incidents": extraction["incidents"]})
    )
    done = run("eval", "run", "--gold", "gold", "--docs", ".", "--json", "eval.json",
               "--html", "eval.html")  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert json.loads((elsewhere / "eval.json").read_text())["summary"]["incident_f1"] == 1.0
    assert "<html" in (elsewhere / "eval.html").read_text()
    done = run("compare", "run", "run", "--gold", "gold", "--docs", ".")
    assert done.returncode == 0, done.stderr
    assert "Runs scored against gold" in done.stdout and "detectable" in done.stdout


def test_every_error_a_user_can_cause_has_one_root() -> None:
    """Commands catch ``LlmextractError`` and print one line; anything else is a bug."""
    from llmextract.documents import DocumentError
    from llmextract.errors import LlmextractError
    from llmextract.eval.gold import GoldError
    from llmextract.providers import ModelError, TruncatedOutput
    from llmextract.run.folder import RunError
    from llmextract.strategies import StrategyError

    for error in (DocumentError, GoldError, ModelError, TruncatedOutput, PromptError, RunError,
                  StrategyError):  # fmt: skip
        assert issubclass(error, LlmextractError), error
