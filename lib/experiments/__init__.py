"""The experiment layer: the one place where a study's runs, comparisons and claims are made.

``Cache`` keys a run by its call; ``RunResult`` is the one record of a run;
``RunSet`` holds runs over seeds with tables and comparisons over training runs;
``Claim``/``Evidence``/``judge`` turn measurements into the report's verdicts;
``sentences`` states findings from numbers.
"""
from . import sentences
from .cache import Cache, code_version, token
from .claims import MIN_SEEDS, STATUS, VERDICTS, Claim, Evidence, Verdict, judge, judge_all
from .record import RunResult
from .runset import (ACCURACY, LOSS, RunGroup, RunSet, Variant, classifier_table, logged_gap, run_groups,
                     run_variants, train_val_gap)

# Presentation only: editing this module re-renders pages from the run cache, it never retrains.
CACHE_NEUTRAL = True

__all__ = ["ACCURACY", "Cache", "Claim", "Evidence", "LOSS", "MIN_SEEDS", "RunResult", "RunSet", "VERDICTS",
           "STATUS", "RunGroup", "Variant", "Verdict", "classifier_table", "code_version", "judge", "judge_all", "logged_gap",
           "run_groups", "run_variants", "sentences",
           "token", "train_val_gap"]
