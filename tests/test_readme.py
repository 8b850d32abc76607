"""The README stays true to the code: commands, rules, formats."""

from __future__ import annotations

import re
from pathlib import Path

from digestconv import formats
from digestconv.rules import all_rules
from tests import readme_examples

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text("utf-8")


def test_setup_commands_are_what_ci_runs() -> None:
    block = README.split("## Set up", 1)[1].split("```sh", 1)[1].split("```", 1)[0]
    commands = [line for line in block.strip().splitlines() if line.strip()]
    assert len(commands) == 2
    ci = (ROOT / ".ci" / "run").read_text("utf-8")
    for command in commands:
        assert command in ci.splitlines()


def test_rules_table_matches_registry() -> None:
    rows = re.findall(r"^\| (DC\d{3}) \| `([a-z-]+)` \| (error|warning) \| (.+) \|$", README, re.M)
    # the order too: the table reads like `digestconv rules`, by code
    documented = [(code, name, severity, summary) for code, name, severity, summary in rows]
    actual = [(r.code, r.name, r.severity, r.summary) for r in all_rules()]
    assert documented == actual


def test_formats_table_lists_every_format() -> None:
    for fmt in formats.all_formats():
        assert f"| `{fmt.name}` | " in README, fmt.name
        for suffix in fmt.suffixes:
            assert f"`{suffix}`" in README, (fmt.name, suffix)


# --------------------------------------------------------------- every example, run


#: README examples this test does not run, and why (every other one runs as written)
NOT_RUN = {
    "python3 -m pip install -e '.[test]'": "the install these tests run in",
    "python3 -m pytest": "the test suite itself (.ci/run runs both set-up commands)",
    "python -m tests.fuzz.run --minutes 60": "an hour of fuzzing; the suite runs the fuzzer",
    "from digestconv.enrich import EnrichOptions, lookup": "asks the real arXiv API",
}


def _skipped(example: readme_examples.Example) -> bool:
    return any(example.code.startswith(start) for start in NOT_RUN)


def test_every_readme_example_runs_as_written(tmp_path: Path) -> None:
    """In a fresh copy of the repository, with the installed ``digestconv``, each example
    exits as shown (0 unless the next line is ``echo $?``) and prints what README shows.

    The arXiv API is the loopback replay of recorded answers; the metadata cache is new.
    """
    from tests.enrich.conftest import ReplayServer

    found = readme_examples.examples(README)
    assert {start for start in NOT_RUN if any(e.code.startswith(start) for e in found)} == set(
        NOT_RUN
    ), "NOT_RUN names an example README no longer has"
    clone = readme_examples.fresh_copy(tmp_path / "clone")
    home = tmp_path / "home"
    home.mkdir()
    failures: list[str] = []
    with ReplayServer() as server:
        env = readme_examples.environment(
            home,
            {"DIGESTCONV_ARXIV_API": server.url, "DIGESTCONV_CACHE_DIR": str(home / "cache")},
        )
        previous = 0
        runnable = [e for e in found if not _skipped(e)]
        for index, example in enumerate(runnable):
            ran = readme_examples.run(example, clone, env, previous)
            previous = ran.status
            following = runnable[index + 1] if index + 1 < len(runnable) else None
            checked_later = following is not None and following.code.startswith("echo $?")
            where = f"README.md:{example.line}: {example.code.splitlines()[0]}"
            if ran.status != 0 and not checked_later:
                failures.append(f"{where}: exit {ran.status}\n{ran.output}")
                continue
            if example.shown is not None:
                actual = [line.rstrip() for line in ran.output.splitlines()]
                if not readme_examples.matches(example.shown, actual):
                    failures.append(
                        f"{where}: printed\n"
                        + "\n".join(actual)
                        + "\nREADME shows\n"
                        + "\n".join(example.shown)
                    )
    assert not failures, "\n\n".join(failures)


def test_readme_bibtex_sample_is_real_output(tmp_path: Path) -> None:
    """The BibTeX entry README quotes is what ``to bibtex seeds/`` writes (shortened)."""
    block = README.split("Real output of `digestconv to bibtex seeds/`", 1)[1]
    shown = tuple(block.split("```bibtex\n", 1)[1].split("```", 1)[0].splitlines())
    clone = readme_examples.fresh_copy(tmp_path / "clone")
    ran = readme_examples.run(
        readme_examples.Example(0, "sh", "digestconv to bibtex seeds/ 2>/dev/null"),
        clone,
        readme_examples.environment(tmp_path, {}),
    )
    lines = ran.output.splitlines()
    starts = [i for i, line in enumerate(lines) if line == shown[0]]
    assert starts, shown[0]
    entry = lines[starts[0] : starts[0] + len(shown)]
    assert readme_examples.matches(shown, entry), "\n".join(entry)


def test_readme_configuration_is_accepted(tmp_path: Path) -> None:
    """The configuration README shows is read without a complaint."""
    from digestconv import config

    section = README.split("## Configuration", 1)[1].split("\n## ", 1)[0]
    text = section.split("```toml\n", 1)[1].split("```", 1)[0]
    enrich = README.split("```toml\n[tool.digestconv.enrich]", 1)[1].split("```", 1)[0]
    path = tmp_path / "pyproject.toml"
    path.write_text(text + "\n[tool.digestconv.enrich]" + enrich, "utf-8")
    table = config.load_table(path)
    settings = config.settings_from_table(table, str(path))
    assert settings.ignore == ("translation-truncated",) and "enrich" in table
