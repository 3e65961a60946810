"""The registry of studies: notebook, question, datasets and parameter schema of each.

The schema is the one place for a parameter's type, bounds, default and help. The defaults are the
smoke profile (what a notebook runs with on its own); each notebook's parameters cell repeats them
(tests/test_params.py holds the two equal) and a profile file changes some of them.

Plain data only: the registry imports no model, training or GAN code. The names those modules
accept are listed here as tuples (GAN_VARIANTS, GRID_*), so ``make check`` refuses a bad name
before anything trains; tests/test_params.py checks that the lists equal what the code accepts.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace

from ..errors import ParamError
from ..params import NameList, Param, defaults, positive_int, rate, unknown_name_error, validate
from ..train.distribute import STRATEGIES
from ..train.runtime import PRECISIONS

# Presentation only: editing this module re-renders pages from the run cache, it never retrains.
CACHE_NEUTRAL = True

# lib/gan/families.py's FAMILIES, in its order.
GAN_VARIANTS = ("vanilla", "vanilla_nobn", "seed003", "seed003_lr2e-4", "dcgan", "wgan_gp", "cgan")
# Other declared readings a profile may run beside a study's reference reading (the records, with their settings
# and sources, are each study's READINGS; tests/test_params.py checks the names agree).
BATCHNORM_READINGS = ("narrow", "wide_cosine")
FCN_ALEXNET_READINGS = ("batch_128", "d2l_widths")
FASHION_GANS_READINGS = ("batch_32",)
VGG_SYNTHETIC_READINGS = ("keep_all",)
# Study 2's are read from the recorded epochs of the same runs: they train nothing of their own.
REGULARISATION_READINGS = ("seed_state",)
# lib/studies/fashion_fcn_vs_alexnet/'s recipe.OPTIMIZERS and search.INITIALIZERS; lib/models/dense.py's REGULARIZATIONS and NORMALIZATIONS.
GRID_OPTIMIZERS = ("sgd", "sgd_momentum", "rmsprop", "adam")
GRID_INITIALIZERS = ("glorot_uniform", "glorot_normal", "he_uniform", "he_normal", "lecun_uniform", "lecun_normal")
GRID_REGULARIZATIONS = ("none", "dropout", "l2")
GRID_NORMALIZATIONS = ("none", "batchnorm")

# Set by the run (lib.report.pipeline), not by a profile file.
RUN_KEYS = ("profile", "output_dir", "golden", "data_dir")

COMMON: dict[str, Param] = {
    "profile": Param("str", help="profile name shown in the report", default="smoke"),
    "data_source": Param("str", choices=("auto", "generated"), default="generated",
                         help="auto: data dir, system copy or download; generated: tiny stand-in data"),
    "data_dir": Param("str", optional=True, help="local data directory (else $SMALLIMG_DATA_DIR)"),
    # Its default is build/smoke/<study key> (Study.schema).
    "output_dir": Param("str", help="where figures, metrics and the summary go"),
    # Seeds reach numpy's seeding (below 2**32) plus offsets of up to 40,000 (lib/studies/fashion_gans/gan_run.py).
    "seeds": Param("list[int]", low=0, high=1_000_000_000, unique=True, help="one run per seed and variant",
                   default=[0]),
    "precision": Param("str", choices=PRECISIONS, help="Keras dtype policy; auto picks per hardware",
                       default="float32"),
    "deterministic": Param("bool", help="TensorFlow op determinism (slower; for goldens)", default=True),
    "use_cache": Param("bool", help="reuse finished runs with identical inputs", default=False),
    "golden": Param("str", choices=("check", "record", "off"), default="check",
                    help="nbval golden metrics: check (notebook default), record (make goldens), off (make report)"),
}


def val_fraction(default: float) -> Param:
    return Param("float", low=0.0, high=0.5, low_open=True, help="share of training images held out",
                 default=default)


def classification_subset(val_default: float) -> dict[str, Param]:
    """``n_train``, ``n_test`` and ``val_fraction``: how much of a classification dataset a study uses."""
    return {
        "n_train": positive_int("training images used, validation included (null: all)", optional=True),
        "n_test": positive_int("test images used (null: all)", optional=True),
        "val_fraction": val_fraction(val_default),
    }


def epochs_param(help: str, default: int) -> Param:
    return positive_int(help, high=10_000, default=default)


def batch_param(help: str = "minibatch size", default: int = 64) -> Param:
    return positive_int(help, high=65_536, default=default)


def seeds(default: list[int]) -> Param:
    """The common ``seeds`` parameter with a study's own default."""
    return replace(COMMON["seeds"], default=default)


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
        output_dir = replace(COMMON["output_dir"], default=f"build/smoke/{self.key}")
        return {**COMMON, "output_dir": output_dir, **self.params}

    def defaults(self) -> dict:
        """The value of every parameter when nothing overrides it (the notebook's parameters cell)."""
        return defaults(self.schema)

    @property
    def page(self) -> str:
        return self.notebook.replace(".ipynb", ".html")


STUDIES: dict[str, Study] = {}


def register(study: Study) -> Study:
    STUDIES[study.key] = study
    return study


register(Study(
    key="cifar10_batchnorm",
    number=1,
    notebook="01_cifar10_batchnorm.ipynb",
    title="Study 1: CIFAR-10 batch-normalisation ablation",
    question=("Does batch normalisation make the seed's three-layer CIFAR-10 CNN converge faster and reach a "
              "higher test accuracy, by more than seed-to-seed noise?"),
    datasets=("cifar10",),
    params={
        "seeds": seeds([0, 1]),
        **classification_subset(val_default=0.1),
        "epochs": epochs_param("training epochs (no early stopping)", 3),
        "batch_size": batch_param("minibatch size", 64),
        "learning_rate": Param("float", low=0.0, high=1.0, low_open=True, help="Adam learning rate",
                               default=0.001),
        "lr_schedule": Param("str", choices=("constant", "cosine"), default="constant",
                             help="constant (the seed) or cosine decay to 0 over the epochs"),
        "conv_filters": Param("list[int]", low=1, high=4096, help="widths of the three conv layers",
                              default=[8, 16, 32]),
        "dense_units": Param("int", low=0, high=65_536, help="hidden dense layer before the softmax (0: none)",
                             default=0),
        "bn_momentum": rate("momentum of batch norm's moving averages (Keras default 0.99)", 0.99),
        "accuracy_threshold": Param("float", low=0.0, high=1.0, low_open=True, high_open=True, default=0.5,
                                    help="validation accuracy whose first epoch measures convergence"),
        "lr_sweep": Param("list[float]", optional=True, low=0.0, high=1.0, low_open=True, default=[0.001, 0.01],
                          help="learning rates for the sweep, first seed only (null: no sweep)"),
        "readings": NameList("list[str]", optional=True, choices=BATCHNORM_READINGS, item="reading", default=None,
                             help="other declared readings run beside the reference, all seeds (null: none)"),
    },
))


register(Study(
    key="fashion_regularisation",
    number=2,
    notebook="02_fashion_regularisation.ipynb",
    title="Study 2: Fashion-MNIST CNN regularisation",
    question=("Do dropout and early stopping (optionally with data augmentation) make the seed's "
              "Fashion-MNIST CNN generalise better than the unregularised baseline?"),
    datasets=("fashion_mnist",),
    params={
        "seeds": seeds([0, 1]),
        **classification_subset(val_default=1 / 6),
        "epochs": epochs_param("maximum epochs", 3),
        "batch_size": batch_param("minibatch size", 64),
        "learning_rate": Param("float", low=0.0, high=1.0, low_open=True, help="Adam learning rate",
                               default=0.001),
        "dropout_rate": rate("dropout after each conv block (regularised model)", 0.25),
        "dense_dropout_rate": rate("dropout after the dense layer (regularised model)", 0.5),
        "early_stopping_patience": positive_int("epochs without val-loss improvement before stopping (1 stops "
                                                "where Keras's default 0 does)", default=1),
        "augment": Param("bool", help="random shifts and flips for the regularised model", default=False),
        "strategy": Param("str", choices=STRATEGIES, default="default",
                          help="default: one device; mirrored: all local GPUs; multiworker: TF_CONFIG cluster"),
        "readings": NameList("list[str]", optional=True, choices=REGULARISATION_READINGS, item="reading",
                             default=["seed_state"], help="other declared readings, read from the recorded epochs "
                                                          "(no training of their own; null: none)"),
    },
))


register(Study(
    key="fashion_fcn_vs_alexnet",
    number=3,
    notebook="03_fashion_fcn_vs_alexnet.ipynb",
    title="Study 3: Fashion-MNIST fully connected networks vs an AlexNet-style CNN",
    question=("Which optimiser, initialisation, regularisation and normalisation suit a fully connected "
              "network on Fashion-MNIST, and how far do the best FCN, a deeper DNN and an AlexNet-style "
              "CNN get on the test set?"),
    datasets=("fashion_mnist",),
    params={
        **classification_subset(val_default=1 / 6),
        "batch_size": batch_param("minibatch size", 64),
        "lr_schedule": Param("str", choices=("constant", "cosine"), default="constant",
                             help="constant (the seed) or cosine decay to 0 over each run's epochs"),
        "grid_optimizers": NameList("list[str]", choices=GRID_OPTIMIZERS, item="optimizer",
                                    help=", ".join(GRID_OPTIMIZERS), default=["sgd_momentum", "adam"]),
        "grid_initializers": NameList("list[str]", choices=GRID_INITIALIZERS, item="initializer",
                                      help="Keras initializer names: " + ", ".join(GRID_INITIALIZERS),
                                      default=["he_uniform"]),
        "grid_regularizations": NameList("list[str]", choices=GRID_REGULARIZATIONS, item="regularization",
                                         help=", ".join(GRID_REGULARIZATIONS), default=["dropout", "l2"]),
        "grid_normalizations": NameList("list[str]", choices=GRID_NORMALIZATIONS, item="normalization",
                                        help=", ".join(GRID_NORMALIZATIONS), default=["none", "batchnorm"]),
        "grid_n_train": positive_int("training images per grid run (null: the whole training part)",
                                     optional=True, default=300),
        "halving_epochs": Param("list[int]", low=1, high=10_000, default=[1, 2],
                                help="successive halving: epochs per rung; every configuration trains the first, "
                                     "the top half (and the seed's setting) each next one"),
        "fcn_units": Param("list[int]", low=1, high=65_536, help="hidden widths of the base FCN", default=[64]),
        "dnn_units": Param("list[int]", low=1, high=65_536, optional=True, default=[128, 64, 32],
                           help="hidden widths of the deeper DNN (null: no DNN; it decides no claim)"),
        "dropout_rate": rate("dropout after each hidden layer (the 'dropout' regularisation)", 0.2),
        "l2_factor": Param("float", low=0.0, high=1.0, low_open=True, help="L2 penalty (the 'l2' regularisation)",
                           default=0.0001),
        "fcn_epochs": epochs_param("epochs for the final FCNs and the DNN (seed: 50)", 2),
        "alexnet_filters": Param("list[int]", low=1, high=4096, help="widths of the five conv layers",
                                 default=[8, 16, 16, 16, 16]),
        "alexnet_dense_units": positive_int("width of the two hidden dense layers", high=65_536, default=64),
        "alexnet_dropout": rate("dropout after each hidden dense layer", 0.5),
        "alexnet_epochs": epochs_param("AlexNet training epochs (seed: 10)", 3),
        "alexnet_learning_rate": Param("float", low=0.0, high=1.0, low_open=True, help="AlexNet Adam learning rate",
                                       default=0.001),
        "readings": NameList("list[str]", optional=True, choices=FCN_ALEXNET_READINGS, item="reading", default=None,
                             help="other declared readings of the final models, all seeds (null: none)"),
    },
))


register(Study(
    key="fashion_gans",
    number=4,
    notebook="04_fashion_gans.ipynb",
    title="Study 4: GANs on Fashion-MNIST with offline quantitative evaluation",
    question=("Does the seed-003 GAN configuration produce realistic Fashion-MNIST images without mode "
              "collapse, and how do a vanilla GAN, a DCGAN, a WGAN-GP and a class-conditional GAN compare on "
              "FID, KID, a classifier score, mode coverage and precision/recall, measured offline against a "
              "real-vs-real baseline?"),
    datasets=("fashion_mnist",),
    params={
        "variants": NameList("list[str]", choices=GAN_VARIANTS, item="GAN family",
                             help="GAN families to train on `seeds`: " + ", ".join(GAN_VARIANTS),
                             default=["vanilla", "seed003", "seed003_lr2e-4", "dcgan", "wgan_gp", "cgan"]),
        "bn_seeds": Param("list[int]", low=0, high=COMMON["seeds"].high, unique=True, default=[0, 1],
                          help="seeds of the vanilla GAN with / without batch norm in G "
                               "(seed 000's claims, Welch over seeds); [] skips it"),
        "n_train": positive_int("training images the GANs learn from (null: all 60,000)", optional=True,
                                default=384),
        "epochs": epochs_param("GAN training epochs (seed: 30)", 2),
        "batch_size": batch_param("GAN minibatch size (seed: 64)", 64),
        "grid_every": positive_int("save a fixed-noise image grid every N epochs (seed: 2)", high=10_000,
                                   default=1),
        "n_critic": positive_int("WGAN-GP critic updates per generator update (paper: 5)", high=100, default=2),
        "gp_weight": Param("float", low=0.0, high=1000.0, low_open=True, help="WGAN-GP gradient-penalty weight",
                           default=10.0),
        "n_eval": Param("int", low=20, high=5_000, default=120,
                        help="generated and real images per metric (the reference and the real baseline are disjoint "
                             "test samples of this size)"),
        "knn_k": positive_int("k of the k-NN precision/recall", high=100, default=3),
        "classifier_n_train": positive_int("images for the feature classifier, validation included (null: all)",
                                           optional=True),
        "classifier_epochs": positive_int("feature classifier training epochs", high=1_000, default=4),
        "readings": NameList("list[str]", optional=True, choices=FASHION_GANS_READINGS, item="reading", default=None,
                             help="other declared readings of seed 000's batch-norm pair, on `bn_seeds` (null: none)"),
    },
))

register(Study(
    key="cifar100_vgg_synthetic",
    number=5,
    notebook="05_cifar100_vgg_synthetic.ipynb",
    title="Study 5: CIFAR-100 VGG-16 with GAN-synthetic training data",
    question=("Do images from a class-conditional GAN, added on top of the real training images, raise the test "
              "accuracy of VGG-16 or shrink its overfitting by more than seed-to-seed noise (GAN included); and "
              "how well does a classifier trained on synthetic images alone do on real ones?"),
    # The dataset is a parameter (with a stated fallback), so the notebook resolves it itself.
    datasets=(),
    params={
        "dataset": Param("str", choices=("cifar100", "cifar10"), help="the dataset to study", default="cifar100"),
        "fallback_dataset": Param("str", optional=True, choices=("cifar10", "cifar100"),
                                  help="used, and said so on every number, when `dataset` cannot be had "
                                       "(null: no fallback, stop with an error)"),
        "n_classes": Param("int", optional=True, low=2, high=100, default=5,
                           help="keep the first N classes (null: all); a reduction stated beside every number"),
        "n_train": positive_int("training images used after the class selection, validation included (null: all)",
                                optional=True, default=1000),
        "n_test": positive_int("test images used after the class selection (null: all)", optional=True, default=500),
        "val_fraction": val_fraction(0.2),
        "n_val": positive_int("validation images drawn (stratified) from the training images of those classes "
                              "outside the training part, so none is a training image (null: the val_fraction "
                              "share of n_train)", optional=True),
        "vgg_width": Param("float", low=0.0, high=4.0, low_open=True, default=0.125,
                           help="VGG-16 width multiplier (1: the real VGG-16; 0.25: a quarter of every layer)"),
        "seed_epochs": epochs_param("seed recipe: maximum epochs (early stopping decides)", 2),
        "seed_batch_size": batch_param("seed recipe: minibatch size (seed: 64)", 64),
        "seed_learning_rate": Param("float", low=0.0, high=1.0, low_open=True, default=0.001,
                                    help="seed recipe: Adam learning rate"),
        "seed_patience": epochs_param("seed recipe: epochs without val-loss improvement before stopping", 2),
        "epochs": epochs_param("improved recipe (and ResNet, CAS): epochs of the warm-up + cosine schedule", 2),
        "batch_size": batch_param("improved recipe: minibatch size", 32),
        "learning_rate": Param("float", low=0.0, high=10.0, low_open=True, help="improved recipe: peak learning rate",
                               default=0.01),
        "optimizer": Param("str", choices=("sgd", "adam"), default="sgd",
                           help="improved recipe: sgd (Nesterov momentum 0.9) or adam"),
        "weight_decay": Param("float", low=0.0, high=0.1, help="improved recipe: decoupled weight decay (0: none)",
                              default=0.005),
        "warmup_epochs": Param("int", low=0, high=1_000, help="improved recipe: linear warm-up epochs", default=1),
        "gan_epochs": epochs_param("conditional GAN training epochs", 2),
        "gan_batch_size": batch_param("conditional GAN minibatch size", 32),
        "gan_augment": Param("str", choices=("", "translation", "translation,cutout", "color,translation,cutout"),
                             default="",
                             help="DiffAugment policy of the GAN's discriminator (Zhao et al. 2020; \"\": none)"),
        "gan_keep_of": Param("int", low=1, high=20, default=4,
                             help="generate this many times the images needed and keep, per class, those the GAN's "
                                  "class head is most sure of (1: no filtering)"),
        "readings": NameList("list[str]", optional=True, choices=VGG_SYNTHETIC_READINGS, item="reading",
                             default=None, help="other declared readings of the GAN's images, each with its own GANs "
                                                "and synthetic-image arms, all seeds (null: none)"),
        "synthetic_fractions": Param("list[float]", low=0.0, high=10.0, default=[0.0, 0.25, 0.5, 1.0],
                                     help="synthetic images added on top of the real ones, as a share of them, for "
                                          "the improved VGG-16 sweep (0 is always included)"),
        "compare_fraction": Param("float", low=0.0, high=10.0, low_open=True, default=0.5,
                                  help="the share the claims compare with real only, at which the seed-recipe "
                                       "VGG-16 (and the ImageNet VGG-16) also train"),
    },
))


def get_study(key: str) -> Study:
    """Find a study by key, number ("2", "02") or notebook name."""
    for study in STUDIES.values():
        if key in (study.key, str(study.number), f"{study.number:02d}", study.notebook,
                   study.notebook.removesuffix(".ipynb")):
            return study
    raise unknown_name_error("study", key, STUDIES)


def resolve(study_key: str | Study, params: dict | None = None, where: str = "") -> dict:
    """Every parameter of a study: ``params`` (a profile's settings, or what papermill injected) laid over
    the schema's defaults, the one place defaults live, and checked once, before any work starts. An unknown
    name, a wrong type or a value out of range is refused in one line that names the fix."""
    study = study_key if isinstance(study_key, Study) else get_study(study_key)
    if params is not None and not isinstance(params, dict):
        raise ParamError(f"{where or study.notebook}: parameters must be a mapping of names to values, "
                         f"not a {type(params).__name__}")
    return validate(study.schema, {**study.defaults(), **(params or {})}, where=where or study.notebook, complete=True)
