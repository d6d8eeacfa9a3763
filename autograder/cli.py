"""``dlgrade``: the course's command line, for instructors and students.

dlgrade release             generate notebooks/ from solutions/ and check for leaks
dlgrade check NOTEBOOK      run one notebook and print its per-exercise report
dlgrade progress [FOLDER]   a self-study dashboard over all notebooks (text and HTML)
dlgrade selftest            the grader tested on itself (--attacks: against cheating)
dlgrade autograde [SUBMITTED] [--jobs N]   grade a class (nbgrader's submitted/ layout),
                            sandboxed, the scores computed outside the students' kernels
dlgrade feedback            per-student HTML feedback from the graded results
dlgrade export [CSV]        one row per student, one column per exercise, totals
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import nbformat

from . import course
from .release import find_leaks, release_notebook


def cmd_release(args: argparse.Namespace) -> int:
    root = course.find_root()
    problems = []
    for name in course.assignments(root):
        solution = nbformat.read(str(course.solution_path(root, name)), as_version=4)
        release = release_notebook(solution)
        target = course.release_path(root, name)
        if args.check:
            committed = nbformat.read(str(target), as_version=4) if target.is_file() else None
            if committed != release:
                problems.append(
                    f"{target.relative_to(root)} is not the release of its solution "
                    "(run `dlgrade release`)"
                )
        else:
            target.parent.mkdir(parents=True, exist_ok=True)
            nbformat.write(release, str(target))
            print(f"released {target.relative_to(root)}")
        problems += [
            f"{target.relative_to(root)}: {leak}" for leak in find_leaks(release, solution)
        ]
    for problem in problems:
        print(problem, file=sys.stderr)
    return 1 if problems else 0


def cmd_check(args: argparse.Namespace) -> int:
    from .notebooks import execute

    path = Path(args.notebook)
    if not path.is_file():
        print(f"dlgrade check: no notebook at {path}", file=sys.stderr)
        return 2
    run = execute(path, env={"DLCORE_PROGRESS": "0"})
    print(f"{path}: {run.score:g} / {run.max_points:g} points ({run.seconds:.1f} s)\n")
    for cell in run.cells:
        print(cell.report.rstrip() or f"{cell.grade_id}: {cell.score:g} / {cell.max_points:g}")
        if cell.error:
            print(f"  this test cell stopped with {cell.error}")
        print()
    other = [e for e in run.errors if e[1] != "NotImplementedError"]
    for index, ename, evalue in other:
        print(f"cell {index} raised {ename}: {evalue}")
    return 0


def cmd_progress(args: argparse.Namespace) -> int:
    from .progress import progress

    folder = Path(args.folder) if args.folder else course.find_root() / course.RELEASE
    text, html_path = progress(folder)
    print(text)
    print(f"\nHTML dashboard: {html_path}")
    return 0


def cmd_selftest(args: argparse.Namespace) -> int:
    from . import selftest

    if args.attacks:
        from . import selftest_attacks

        rows, findings = selftest_attacks.run(course.find_root(), jobs=args.jobs)
        print(selftest_attacks.table(rows))
        print("\n".join(findings))
        clean = "gradebook intact" in findings[0] and findings[0].endswith(": 0")
        return 0 if all(r.ok for r in rows) and clean else 1
    rows = selftest.run(course.find_root(), notebooks=not args.checks_only, jobs=args.jobs)
    print(selftest.table(rows))
    return 0 if all(r.ok for r in rows) else 1


def cmd_autograde(args: argparse.Namespace) -> int:
    from .autograde import autograde
    from .sandbox import Limits

    root = course.find_root()
    summary = autograde(
        root,
        submitted=Path(args.submitted) if args.submitted else None,
        only=args.assignment,
        jobs=args.jobs,
        force=args.force,
        timeout=args.timeout,
        cell_timeout=args.cell_timeout,
        plain=args.plain,
        limits=Limits(memory=int(args.memory * 2**30)),
    )
    if args.plain:
        print("plain mode: the tests ran in the students' kernels, as nbgrader runs them")
    print(f"hidden cases drawn with seed {summary.seed} (set DLGRADE_SEED to choose it)")
    print("\n".join(summary.lines()))
    print(f"scores are in {course.layout(root).db_url}; next: dlgrade feedback, dlgrade export")
    return 0


def cmd_feedback(args: argparse.Namespace) -> int:
    from .feedback import generate

    root = course.find_root()
    written = generate(root, only=args.assignment)
    print(f"wrote {len(written)} feedback page(s) under {course.layout(root).feedback}")
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    from .export import write

    root = course.find_root()
    target = Path(args.csv)
    count = write(root, target)
    print(f"wrote {target}: {count} student(s)")
    return 0


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def _positive_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a number, got {text!r}") from None
    if not value > 0:
        raise argparse.ArgumentTypeError(f"must be more than 0, got {text}")
    return value


def parser() -> argparse.ArgumentParser:
    main = argparse.ArgumentParser(prog="dlgrade", description=__doc__.split("\n")[0])
    sub = main.add_subparsers(dest="command", required=True, metavar="COMMAND")
    release = sub.add_parser("release", help="generate notebooks/ from solutions/")
    release.add_argument(
        "--check", action="store_true", help="only verify that the committed release is up to date"
    )
    release.set_defaults(run=cmd_release)
    check = sub.add_parser("check", help="run a notebook and report each exercise")
    check.add_argument("notebook")
    check.set_defaults(run=cmd_check)
    progress = sub.add_parser("progress", help="your progress over all notebooks")
    progress.add_argument("folder", nargs="?", help="folder of the notebooks (default notebooks/)")
    progress.set_defaults(run=cmd_progress)
    selftest = sub.add_parser("selftest", help="the grader tested on itself")
    selftest.add_argument(
        "--checks-only", action="store_true", help="skip grading the sample class (fast)"
    )
    selftest.add_argument(
        "--attacks", action="store_true",
        help="grade the attack corpus, trusted and plain nbgrader side by side",
    )  # fmt: skip
    selftest.add_argument("--jobs", "-j", type=_positive, default=2, help="submissions at once")
    selftest.set_defaults(run=cmd_selftest)
    grade = sub.add_parser("autograde", help="grade a class's submissions into the gradebook")
    grade.add_argument("submitted", nargs="?", help="submissions folder (default: submitted/)")
    grade.add_argument("--jobs", "-j", type=_positive, default=1, help="submissions at once")
    grade.add_argument(
        "--assignment", "-a", action="append", help="grade only this assignment (repeatable)"
    )
    grade.add_argument("--force", action="store_true", help="grade again what was graded")
    grade.add_argument(
        "--timeout", type=_positive, default=900, help="seconds per submission (default 900)"
    )
    grade.add_argument(
        "--cell-timeout", type=_positive, default=300, help="seconds per cell (default 300)"
    )
    grade.add_argument(
        "--memory", type=_positive_float, default=4.0,
        help="GiB of address space per student kernel (default 4)",
    )  # fmt: skip
    grade.add_argument(
        "--plain", action="store_true",
        help="grade as plain nbgrader does (tests in the student's kernel), to compare",
    )  # fmt: skip
    grade.set_defaults(run=cmd_autograde)
    feedback = sub.add_parser("feedback", help="HTML feedback for every graded submission")
    feedback.add_argument("--assignment", "-a", action="append", help="only this assignment")
    feedback.set_defaults(run=cmd_feedback)
    export = sub.add_parser("export", help="grades as CSV")
    export.add_argument("csv", nargs="?", default="grades.csv", help="default: grades.csv")
    export.set_defaults(run=cmd_export)
    return main


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        return args.run(args)
    except (FileNotFoundError, course.CourseError) as error:
        print(f"dlgrade {args.command}: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
