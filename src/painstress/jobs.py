"""Running workflow scripts: logging to the rule's log, and clear errors for bad input."""

from __future__ import annotations

import logging
import sys
import traceback
from pathlib import Path

from painstress import InputError


def run_script(main, snakemake) -> None:
    """Run ``main(snakemake)`` from a workflow script.

    Logs go to the rule's log file. An :class:`InputError` (bad user input) is printed
    as one clear message, without a traceback, and the job fails; any other error keeps
    its traceback, in the log and on the terminal.
    """
    log_path = snakemake.log[0] if snakemake.log else None
    handlers = [logging.StreamHandler(sys.stderr)]
    if log_path:
        Path(log_path).parent.mkdir(parents=True, exist_ok=True)
        handlers.append(logging.FileHandler(log_path, mode="w"))
    logging.basicConfig(level=logging.INFO, handlers=handlers, force=True,
                        format="%(asctime)s %(levelname)s %(message)s")
    try:
        main(snakemake)
    except InputError as error:
        logging.error("%s", error)
        sys.exit(1)
    except Exception:
        logging.error("unexpected failure:\n%s", traceback.format_exc())
        raise


def offline_missing(paths, where: str = "GEO (series page -> 'Download RNA-seq counts'; "
                    "the series matrix from the series' matrix/ folder)") -> InputError:
    """The error for a file that offline mode needs but resources/ lacks; ``where`` says
    where to download it by hand."""
    listed = "\n  ".join(map(str, paths))
    return InputError(
        "offline: true, and these files are not in resources/:\n  " + listed + "\n"
        f"Download them from {where} and put them there under exactly these names, or set "
        "offline: false on a machine that reaches the source.")
