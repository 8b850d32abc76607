"""The pre-commit hooks, run for real by pre-commit in throw-away git repositories.

The hook repository is a snapshot of this checkout's working tree (package,
``pyproject.toml`` and ``.pre-commit-hooks.yaml``) committed to a temporary git
repository, so uncommitted and untracked changes are tested too.  pre-commit
installs the package into its own virtualenv, once per hook repository and
revision under ``PRE_COMMIT_HOME``.

No network is needed: pip gets every dependency from a local wheelhouse
repacked from this environment's installed distributions (``tests/wheelhouse.py``),
with ``PIP_NO_INDEX`` set and proxies pointing at a closed loopback port, so
a run that tried the network would fail.  Where that wheelhouse cannot be built
(a dependency not installed from a wheel), the tests use the package index, or
skip with the reason when it is unreachable.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from tests import wheelhouse

ROOT = Path(__file__).resolve().parents[1]
SEED_000 = ROOT / "seeds" / "000_20f5c0d8057fc2ad.txt"
SEED_003 = ROOT / "seeds" / "003_025763420b998cbe.txt"
README = "# Notes\n\nOrdinary *markdown*, not a digest.\n\n- one\n- two\n"

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")


def _git(cwd: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, env=_env())


#: pip's environment for installing hook repositories (set by the ``pip_env`` fixture)
_PIP_ENV: dict[str, str] = {}
#: every proxy variable pointed at a closed loopback port: nothing may reach the network
_NO_NETWORK = dict.fromkeys(
    ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy"),
    "http://127.0.0.1:9",
)


def _env(home: Path | None = None) -> dict[str, str]:
    env = dict(os.environ)
    env.update(_PIP_ENV)
    env.update(
        GIT_AUTHOR_NAME="digestconv tests",
        GIT_AUTHOR_EMAIL="tests@example.invalid",
        GIT_COMMITTER_NAME="digestconv tests",
        GIT_COMMITTER_EMAIL="tests@example.invalid",
        GIT_CONFIG_NOSYSTEM="1",
        NO_COLOR="1",
    )
    env.pop("DIGESTCONV_OUTPUT_FORMAT", None)
    if home is not None:
        env["PRE_COMMIT_HOME"] = str(home)
    return env


@pytest.fixture(scope="module")
def hook_repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A committed snapshot of this checkout to serve as the hook repository."""
    repo = tmp_path_factory.mktemp("hook-repo")
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "*.egg-info")
    shutil.copytree(ROOT / "digestconv", repo / "digestconv", ignore=ignore)
    for name in ("pyproject.toml", ".pre-commit-hooks.yaml", "README.md", "LICENSE"):
        if (ROOT / name).is_file():
            shutil.copy2(ROOT / name, repo / name)
    _git(repo, "init", "-q")
    _git(repo, "add", "-A")
    _git(repo, "commit", "-q", "-m", "snapshot")
    return repo


@pytest.fixture(scope="module")
def pip_env(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    """Offline installs from a local wheelhouse; else the index; else skip, saying why."""
    try:
        env = wheelhouse.build(tmp_path_factory.mktemp("wheels"))
        env.update(_NO_NETWORK)
        env["NO_PROXY"] = env["no_proxy"] = ""
    except wheelhouse.Unavailable as why:
        if not wheelhouse.index_reachable():
            pytest.skip(f"no local wheelhouse ({why}) and the package index is unreachable")
        env = {}
    _PIP_ENV.clear()
    _PIP_ENV.update(env)
    yield env
    _PIP_ENV.clear()


@pytest.fixture(scope="module")
def pre_commit_home(
    tmp_path_factory: pytest.TempPathFactory, pip_env: dict[str, str]
) -> Iterator[Path]:
    """An isolated pre-commit cache for this module (hook installs use ``pip_env``)."""
    yield tmp_path_factory.mktemp("pre-commit-home")


def _project(folder: Path, files: dict[str, bytes]) -> Path:
    folder.mkdir()
    _git(folder, "init", "-q")
    for name, data in files.items():
        (folder / name).write_bytes(data)
    _git(folder, "add", "-A")
    return folder


def _pre_commit(cwd: Path, home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pre_commit", *args],
        cwd=cwd,
        env=_env(home),
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )


def _bad_digest() -> bytes:
    """Seed 000 with a broken identifier in its first link (table and detail block)."""
    return SEED_000.read_bytes().replace(b"abs/2403.15711", b"abs/2403.1571")


def test_manifest() -> None:
    hooks = {h["id"]: h for h in yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())}
    assert set(hooks) == {"digestconv-validate", "digestconv-fmt"}
    for hook in hooks.values():
        assert hook["language"] == "python"
        assert hook["types_or"] == ["markdown", "plain-text"]
        assert "--skip-non-digests" in hook["entry"]
        # a commit that touches only README.md leaves the hook no digest: that passes
        assert "--allow-empty" in hook["entry"]
        assert hook["description"]
    assert hooks["digestconv-validate"]["entry"].split()[:2] == ["digestconv", "validate"]
    assert "--per-file" in hooks["digestconv-validate"]["entry"]
    assert hooks["digestconv-fmt"]["entry"].split()[:2] == ["digestconv", "fmt"]


def test_validate_hook_with_try_repo(
    hook_repo: Path, pre_commit_home: Path, tmp_path: Path
) -> None:
    good = SEED_000.read_bytes()
    failing = _project(
        tmp_path / "failing",
        {"README.md": README.encode(), "good.txt": good, "bad.md": _bad_digest()},
    )
    result = _pre_commit(
        failing, pre_commit_home, "try-repo", str(hook_repo), "digestconv-validate", "--all-files"
    )
    output = result.stdout + result.stderr
    assert result.returncode == 1, output
    assert "Failed" in output
    assert "bad.md:" in output and "id-malformed" in output
    # the good digest has only its truncation warnings; README.md is out of scope
    good_lines = [line for line in output.splitlines() if line.startswith("good.txt:")]
    assert good_lines and all("abstract-truncated" in line for line in good_lines)
    assert "README.md:" not in output
    assert "Traceback" not in output

    notes = _project(tmp_path / "notes", {"README.md": README.encode()})
    result = _pre_commit(
        notes, pre_commit_home, "try-repo", str(hook_repo), "digestconv-validate", "--all-files"
    )
    assert result.returncode == 0, result.stdout + result.stderr

    passing = _project(tmp_path / "passing", {"README.md": README.encode(), "good.txt": good})
    result = _pre_commit(
        passing, pre_commit_home, "try-repo", str(hook_repo), "digestconv-validate", "--all-files"
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "Passed" in output


def test_fmt_hook(hook_repo: Path, pre_commit_home: Path, tmp_path: Path) -> None:
    """The fmt hook fixes a damaged digest, leaves README.md alone, then passes."""
    rev = subprocess.run(
        ["git", "rev-parse", "HEAD"], cwd=hook_repo, capture_output=True, text=True, check=True
    ).stdout.strip()
    damaged = SEED_003.read_bytes().replace(b"\n", b"\r\n")
    project = _project(
        tmp_path / "fmt",
        {"README.md": README.encode(), "digest.md": damaged, "ok.txt": SEED_000.read_bytes()},
    )
    config = {"repos": [{"repo": str(hook_repo), "rev": rev, "hooks": [{"id": "digestconv-fmt"}]}]}
    (project / ".pre-commit-config.yaml").write_text(yaml.safe_dump(config), "utf-8")
    _git(project, "add", "-A")
    first = _pre_commit(project, pre_commit_home, "run", "--all-files")
    output = first.stdout + first.stderr
    assert first.returncode == 1, output  # files were modified by this hook
    assert "reformatted digest.md" in output
    assert b"\r" not in (project / "digest.md").read_bytes()
    assert (project / "README.md").read_text("utf-8") == README
    _git(project, "add", "-A")
    second = _pre_commit(project, pre_commit_home, "run", "--all-files")
    assert second.returncode == 0, second.stdout + second.stderr


def _readme_snippet(after: str) -> str:
    """The first YAML block of README.md after the line ``after``."""
    text = (ROOT / "README.md").read_text("utf-8")
    return text.split(after, 1)[1].split("```yaml\n", 1)[1].split("```", 1)[0]


def _resolve(rev: str) -> str | None:
    """The commit ``rev`` names in this repository, or ``None``."""
    proc = subprocess.run(
        ["git", "rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    return proc.stdout.strip() or None


def _readme_rev() -> str:
    config = yaml.safe_load(_readme_snippet("pre-commit (`.pre-commit-config.yaml`):"))
    (repo,) = config["repos"]
    assert [h["id"] for h in repo["hooks"]] == ["digestconv-validate", "digestconv-fmt"]
    return str(repo["rev"])


def _checkout_rev(rev: str) -> str:
    if not (ROOT / ".git").exists():
        pytest.skip("not a git checkout: README's rev cannot be looked up")
    sha = _resolve(rev)
    if sha is None:
        shallow = subprocess.run(
            ["git", "rev-parse", "--is-shallow-repository"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=False,
        ).stdout.strip()
        if shallow == "true" or _resolve(f"origin/{rev}") is not None:
            pytest.skip(f"this checkout has no local '{rev}' (a CI checkout of one commit)")
        pytest.fail(f"README's rev '{rev}' names nothing in this repository")
    return sha


def test_readme_rev_resolves_and_pre_commit_runs_the_hooks_from_it(
    pre_commit_home: Path, tmp_path: Path
) -> None:
    rev = _readme_rev()
    _checkout_rev(rev)
    project = _project(
        tmp_path / "readme-rev", {"README.md": README.encode(), "good.txt": SEED_000.read_bytes()}
    )
    result = _pre_commit(
        project,
        pre_commit_home,
        "try-repo",
        str(ROOT),
        "digestconv-validate",
        "--ref",
        rev,
        "--all-files",
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "digestconv validate" in output and "Passed" in output


def test_readme_action_ref_resolves_to_this_action() -> None:
    step = yaml.safe_load(_readme_snippet("or with the composite action in this repository:"))
    (used,) = [s["uses"] for s in step if "uses" in s]
    name, rev = used.split("@", 1)
    assert name == "digestconv/digestconv"
    sha = _checkout_rev(rev)
    shown = subprocess.run(
        ["git", "show", f"{sha}:action.yml"], cwd=ROOT, capture_output=True, check=True
    )
    assert yaml.safe_load(shown.stdout)["runs"]["using"] == "composite"


def test_action_manifest() -> None:
    action = yaml.safe_load((ROOT / "action.yml").read_text("utf-8"))
    assert action["name"] and action["description"]
    inputs = action["inputs"]
    assert set(inputs) == {"paths", "args", "version", "output-format"}
    assert inputs["paths"]["default"] == "."
    assert inputs["output-format"]["default"] == "github"
    assert inputs["version"]["default"] == ""
    for spec in inputs.values():
        assert spec["description"] and spec["required"] is False
    runs = action["runs"]
    assert runs["using"] == "composite"
    assert all(step.get("shell") == "bash" and step.get("run") for step in runs["steps"])
    scripts = "\n".join(step["run"] for step in runs["steps"])
    assert "pip install" in scripts and "digestconv validate" in scripts
    # inputs reach the scripts through the environment, never pasted into the code
    assert "${{" not in scripts


def test_ci_workflow() -> None:
    workflow = yaml.safe_load((ROOT / ".github" / "workflows" / "ci.yml").read_text("utf-8"))
    jobs = workflow["jobs"]
    matrix = jobs["test"]["strategy"]["matrix"]["python-version"]
    assert matrix == ["3.10", "3.11", "3.12", "3.13"]
    commands = [step.get("run", "") for step in jobs["test"]["steps"]]
    assert "python -m pip install -e '.[test]'" in commands
    assert "python -m pytest" in commands
    lint = [step.get("run", "") for step in jobs["lint"]["steps"]]
    assert "ruff check ." in lint and "ruff format --check ." in lint
    assert any(c.startswith("digestconv validate seeds/") for c in lint)
