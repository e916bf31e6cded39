"""Keeps the non-negative deltas; the branch that drops negatives has a bug (a typo in a
column name) that only data with negatives reaches."""

import logging

import pandas as pd

logger = logging.getLogger(__name__)


def main(input_paths, output_paths, environ_vars, job_args):
    frame = pd.read_csv(input_paths["deltas"])
    negative = frame["delta"] < 0
    if negative.any():
        frame = frame[~negative]
        logger.info("dropped %d negative delta(s)", frame["detla"].count())   # BUG: KeyError
    frame.to_csv(output_paths["kept"], index=False)
