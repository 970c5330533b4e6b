"""The command-line interface: a thin layer over the stages.

Each command group lives in its own module with a ``register(cli)`` function. Errors become
a message and an exit code here and only here:

    0  every call succeeded
    1  the batch completed, with failed calls
    2  usage or configuration error (bad scorecard, bad flag, unreadable manifest, no database)
"""

from __future__ import annotations

import importlib
import sys

import click

from qa_analytics import __version__
from qa_analytics.errors import QAError

EXIT_OK = 0
EXIT_FAILED_CALLS = 1
EXIT_USAGE = 2

# Modules that add commands; each defines register(cli: click.Group).
COMMAND_MODULES = (
    "qa_analytics.cli.transcribe_cmd",
    "qa_analytics.cli.score_cmd",
    "qa_analytics.cli.review_cmd",
)


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="qa-analytics")
def cli() -> None:
    """Offline contact-centre QA: transcribe calls, score them, review and calibrate.

    \b
    Examples:
      qa-analytics transcribe calls/ --out out/
      qa-analytics run calls/ --out out/
      qa-analytics score out/transcripts/ --scorecard configs/default.yaml --out out/
      qa-analytics serve --db out/qa.db
    """


def _register_all() -> None:
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(cli)


_register_all()


def main(argv: list[str] | None = None) -> int:
    try:
        result = cli.main(args=argv, prog_name="qa-analytics", standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("aborted", err=True)
        return EXIT_USAGE
    except click.ClickException as exc:
        exc.show()
        return EXIT_USAGE
    except QAError as exc:
        click.echo(f"error: {exc}", err=True)
        return EXIT_USAGE
    except KeyboardInterrupt:
        click.echo("interrupted; re-run the same command to resume", err=True)
        return 130
    return result if isinstance(result, int) else EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
