"""Study 2's training: the devices, the two trained networks per seed through the run cache and the executor, and
the study's runs as the page and the claims read them (the 2 × 2 and the declared readings from their epochs)."""
from __future__ import annotations

from dataclasses import dataclass, field

from .readings import main_arms, other_readings
from .recipe import BASE, DROPOUT

# Not cache-neutral: this module says what each run trains.


@dataclass
class Devices:
    """The distribution strategy the networks train under, and the batch and learning rate scaled to it."""
    strategy: object
    replicas: int
    batch_size: int          # global: the per-replica batch_size times the replicas
    learning_rate: float     # global: the per-replica learning_rate times the replicas


def devices(P: dict) -> Devices:
    """The profile's strategy; batch_size and learning_rate are per replica, so with N replicas both scale by N."""
    from ...train import distribute

    strategy = distribute.make_strategy(P["strategy"])
    replicas = strategy.num_replicas_in_sync
    return Devices(strategy, replicas, *distribute.scaled(P["batch_size"], P["learning_rate"], replicas))


def variants(P: dict, split, strategy, global_batch: int, global_lr: float) -> dict:
    """The two trained networks: baseline and dropout (optional augmentation), same data and settings, both for
    the full budget with the test accuracy recorded every epoch (early stopping is applied afterwards, see
    :func:`.readings.two_by_two`); ``global_batch`` and ``global_lr`` are already scaled by the number of replicas."""
    from dataclasses import replace
    from functools import partial

    from ...experiments import Variant
    from ...models import build_fashion_cnn
    from ...train.augment import fashion_augmentation
    from ...train.classifier import TrainConfig, train_classifier

    config = TrainConfig(epochs=P["epochs"], batch_size=global_batch, learning_rate=global_lr, test_curve=True)
    augmented = replace(config, augment=fashion_augmentation if P["augment"] else None)
    regularised = partial(build_fashion_cnn, dropout=P["dropout_rate"], dense_dropout=P["dense_dropout_rate"])
    return {BASE: Variant(train_classifier, dict(build_model=partial(build_fashion_cnn), data=split, config=config,
                                                 strategy=strategy), P["epochs"]),
            # Dropout's masks (and augmentation) make its epochs the longer (12.0 s against 9.7 s, two at a time on
            # a 2-core Xeon with AMX, quick run of 9e34f4e): handed out first, so a baseline run ends the study.
            DROPOUT: Variant(train_classifier, dict(build_model=regularised, data=split, config=augmented,
                                                    strategy=strategy), P["epochs"], cost=1.25)}


@dataclass
class StudyRuns:
    """Every run of the study and what the page reads from them: the two trained networks per seed (``trained``),
    the reference reading's 2 × 2 (``arms``) and each other declared reading (``readings``: key -> SeedState)."""
    data: object
    trained: object                                # RunSet: baseline and dropout, one run per seed
    arms: object                                   # RunSet: the 2 × 2 at the full budget
    readings: dict = field(default_factory=dict)

    def records(self) -> list:
        """Each trained run once (the 2 × 2 and the readings are views of them, counted nowhere else)."""
        return self.trained.all()


def run(P: dict, data, cache) -> StudyRuns:
    """Train both networks for every seed through ``cache`` (and the executor), then read the 2 × 2 and the
    declared readings from their recorded epochs."""
    from ...experiments import run_variants

    d = data.devices
    trained = run_variants(cache, variants(P, data.split, d.strategy, d.batch_size, d.learning_rate), P["seeds"],
                           workdir="checkpoint_dir")
    return StudyRuns(data, trained, main_arms(trained, P), other_readings(trained, P))
