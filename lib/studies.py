"""The registry of studies: notebook, question, datasets and parameter schema of each."""
from __future__ import annotations

from dataclasses import dataclass, field

from .params import Param, positive_int, rate, unknown_name_error, validate
from .runtime import PRECISIONS

COMMON: dict[str, Param] = {
    "profile": Param("str", help="profile name shown in the report"),
    "data_source": Param("str", choices=("auto", "generated"),
                         help="auto: data dir, system copy or download; generated: tiny stand-in data"),
    "data_dir": Param("str", optional=True, help="local data directory (else $SMALLIMG_DATA_DIR)"),
    "output_dir": Param("str", help="where figures, metrics and the summary go"),
    "seeds": Param("list[int]", low=0, help="one run per seed and variant"),
    "precision": Param("str", choices=PRECISIONS, help="Keras dtype policy; auto picks per hardware"),
    "deterministic": Param("bool", help="TensorFlow op determinism (slower; for goldens)"),
    "use_cache": Param("bool", help="reuse finished runs with identical inputs"),
}


@dataclass(frozen=True)
class Study:
    key: str
    number: int
    notebook: str
    title: str
    question: str
    datasets: tuple[str, ...]
    params: dict[str, Param] = field(default_factory=dict)

    @property
    def schema(self) -> dict[str, Param]:
        return {**COMMON, **self.params}

    @property
    def page(self) -> str:
        return self.notebook.replace(".ipynb", ".html")


STUDIES: dict[str, Study] = {}


def register(study: Study) -> Study:
    STUDIES[study.key] = study
    return study


register(Study(
    key="fashion_regularisation",
    number=2,
    notebook="02_fashion_regularisation.ipynb",
    title="Study 2: Fashion-MNIST CNN regularisation",
    question=("Do dropout and early stopping (optionally with data augmentation) make the seed's "
              "Fashion-MNIST CNN generalise better than the unregularised baseline?"),
    datasets=("fashion_mnist",),
    params={
        "n_train": positive_int("training images used, validation included (null: all)", optional=True),
        "n_test": positive_int("test images used (null: all)", optional=True),
        "val_fraction": Param("float", low=0.0, high=0.5, low_open=True, help="share of training images held out"),
        "epochs": positive_int("maximum epochs", high=10_000),
        "batch_size": positive_int("minibatch size", high=65_536),
        "learning_rate": Param("float", low=0.0, high=1.0, low_open=True, help="Adam learning rate"),
        "dropout_rate": rate("dropout after each conv block (regularised model)"),
        "dense_dropout_rate": rate("dropout after the dense layer (regularised model)"),
        "early_stopping_patience": positive_int("epochs without val-loss improvement before stopping"),
        "augment": Param("bool", help="random shifts and flips for the regularised model"),
    },
))


def get_study(key: str) -> Study:
    """Find a study by key, number ("2", "02") or notebook name."""
    for study in STUDIES.values():
        if key in (study.key, str(study.number), f"{study.number:02d}", study.notebook,
                   study.notebook.removesuffix(".ipynb")):
            return study
    raise unknown_name_error("study", key, STUDIES)


def check_params(study_key: str, namespace: dict) -> dict:
    """Validate a notebook's parameters (taken from its namespace) before any work starts."""
    study = get_study(study_key)
    values = {name: namespace[name] for name in study.schema if name in namespace}
    return validate(study.schema, values, where=study.notebook, complete=True)
