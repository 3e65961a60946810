"""The registry of studies: notebook, question, datasets and parameter schema of each."""
from __future__ import annotations

from dataclasses import dataclass, field

from .params import Param, positive_int, rate, unknown_name_error, validate
from .gan.families import variant_list
from .train.distribute import STRATEGIES
from .train.runtime import PRECISIONS

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
    "golden": Param("str", choices=("check", "record", "off"),
                    help="nbval golden metrics: check (notebook default), record (make goldens), off (make report)"),
}


VAL_FRACTION = Param("float", low=0.0, high=0.5, low_open=True, help="share of training images held out")


def classification_subset() -> dict[str, Param]:
    """``n_train``, ``n_test`` and ``val_fraction``: how much of a classification dataset a study uses."""
    return {
        "n_train": positive_int("training images used, validation included (null: all)", optional=True),
        "n_test": positive_int("test images used (null: all)", optional=True),
        "val_fraction": VAL_FRACTION,
    }


def epochs_param(help: str) -> Param:
    return positive_int(help, high=10_000)


def batch_param(help: str = "minibatch size") -> Param:
    return positive_int(help, high=65_536)


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
    key="cifar10_batchnorm",
    number=1,
    notebook="01_cifar10_batchnorm.ipynb",
    title="Study 1: CIFAR-10 batch-normalisation ablation",
    question=("Does batch normalisation make the seed's three-layer CIFAR-10 CNN converge faster and reach a "
              "higher test accuracy, by more than seed-to-seed noise?"),
    datasets=("cifar10",),
    params={
        **classification_subset(),
        "epochs": epochs_param("training epochs (no early stopping)"),
        "batch_size": batch_param("minibatch size"),
        "learning_rate": Param("float", low=0.0, high=1.0, low_open=True, help="Adam learning rate"),
        "lr_schedule": Param("str", choices=("constant", "cosine"),
                             help="constant (the seed) or cosine decay to 0 over the epochs"),
        "conv_filters": Param("list[int]", low=1, high=4096, help="widths of the three conv layers"),
        "dense_units": Param("int", low=0, high=65_536, help="hidden dense layer before the softmax (0: none)"),
        "bn_momentum": rate("momentum of batch norm's moving averages (Keras default 0.99)"),
        "accuracy_threshold": Param("float", low=0.0, high=1.0, low_open=True, high_open=True,
                                    help="validation accuracy whose first epoch measures convergence"),
        "lr_sweep": Param("list[float]", optional=True, low=0.0, high=1.0, low_open=True,
                          help="learning rates for the sweep, first seed only (null: no sweep)"),
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
        **classification_subset(),
        "epochs": epochs_param("maximum epochs"),
        "batch_size": batch_param("minibatch size"),
        "learning_rate": Param("float", low=0.0, high=1.0, low_open=True, help="Adam learning rate"),
        "dropout_rate": rate("dropout after each conv block (regularised model)"),
        "dense_dropout_rate": rate("dropout after the dense layer (regularised model)"),
        "early_stopping_patience": positive_int("epochs without val-loss improvement before stopping"),
        "augment": Param("bool", help="random shifts and flips for the regularised model"),
        "strategy": Param("str", choices=STRATEGIES,
                          help="default: one device; mirrored: all local GPUs; multiworker: TF_CONFIG cluster"),
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
        **classification_subset(),
        "batch_size": batch_param("minibatch size"),
        "lr_schedule": Param("str", choices=("constant", "cosine"),
                             help="constant (the seed) or cosine decay to 0 over each run's epochs"),
        "grid_optimizers": Param("list[str]", help="sgd, sgd_momentum, rmsprop, adam"),
        "grid_initializers": Param("list[str]", help="Keras initializer names, e.g. glorot_uniform, he_uniform"),
        "grid_regularizations": Param("list[str]", help="none, dropout, l2"),
        "grid_normalizations": Param("list[str]", help="none, batchnorm"),
        "grid_n_train": positive_int("training images per grid run (null: the whole training part)",
                                     optional=True),
        "grid_epochs": epochs_param("epochs per grid configuration"),
        "fcn_units": Param("list[int]", low=1, high=65_536, help="hidden widths of the base FCN"),
        "dnn_units": Param("list[int]", low=1, high=65_536, help="hidden widths of the deeper DNN"),
        "dropout_rate": rate("dropout after each hidden layer (the 'dropout' regularisation)"),
        "l2_factor": Param("float", low=0.0, high=1.0, low_open=True, help="L2 penalty (the 'l2' regularisation)"),
        "fcn_epochs": epochs_param("epochs for the chosen FCN and the DNN"),
        "alexnet_filters": Param("list[int]", low=1, high=4096, help="widths of the five conv layers"),
        "alexnet_dense_units": positive_int("width of the two hidden dense layers", high=65_536),
        "alexnet_dropout": rate("dropout after each hidden dense layer"),
        "alexnet_epochs": epochs_param("AlexNet training epochs"),
        "alexnet_learning_rate": Param("float", low=0.0, high=1.0, low_open=True, help="AlexNet Adam learning rate"),
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
        "variants": variant_list("GAN families to train on `seeds`: vanilla, vanilla_nobn, seed003, "
                                 "seed003_lr2e-4, dcgan, wgan_gp, cgan"),
        "bn_seeds": Param("list[int]", low=0, help="seeds of the paired vanilla GAN with / without batch norm "
                                                    "in G (seed 000's claim); [] skips it"),
        "n_train": positive_int("training images the GANs learn from (null: all 60,000)", optional=True),
        "epochs": epochs_param("GAN training epochs (seed: 30)"),
        "batch_size": batch_param("GAN minibatch size (seed: 64)"),
        "grid_every": positive_int("save a fixed-noise image grid every N epochs (seed: 2)", high=10_000),
        "n_critic": positive_int("WGAN-GP critic updates per generator update", high=100),
        "gp_weight": Param("float", low=0.0, high=1000.0, low_open=True, help="WGAN-GP gradient-penalty weight"),
        "n_eval": Param("int", low=20, high=10_000, help="generated and real images per metric"),
        "knn_k": positive_int("k of the k-NN precision/recall", high=100),
        "classifier_n_train": positive_int("images for the feature classifier, validation included (null: all)",
                                           optional=True),
        "classifier_epochs": positive_int("feature classifier training epochs", high=1_000),
    },
))

register(Study(
    key="cifar100_vgg_synthetic",
    number=5,
    notebook="05_cifar100_vgg_synthetic.ipynb",
    title="Study 5: CIFAR-100 VGG-16 with GAN-synthetic training data",
    question=("Do images from a class-conditional GAN, added to the real training set, raise the test accuracy "
              "of VGG-16 (the seed's recipe and an improved one) and of a ResNet, by more than seed-to-seed "
              "noise; and how well does a classifier trained on synthetic images alone do on real ones?"),
    # The dataset is a parameter (with a stated fallback), so the notebook resolves it itself.
    datasets=(),
    params={
        "dataset": Param("str", choices=("cifar100", "cifar10"), help="the dataset to study"),
        "fallback_dataset": Param("str", optional=True, choices=("cifar10", "cifar100"),
                                  help="used, and said so on every number, when `dataset` cannot be had "
                                       "(null: no fallback, stop with an error)"),
        "n_classes": Param("int", optional=True, low=2, high=100,
                           help="keep the first N classes (null: all); a reduction stated beside every number"),
        "n_train": positive_int("training images used after the class selection, validation included (null: all)",
                                optional=True),
        "n_test": positive_int("test images used after the class selection (null: all)", optional=True),
        "val_fraction": VAL_FRACTION,
        "vgg_width": Param("float", low=0.0, high=4.0, low_open=True,
                           help="VGG-16 width multiplier (1: the real VGG-16; 0.25: a quarter of every layer)"),
        "seed_epochs": epochs_param("seed recipe: maximum epochs (early stopping decides)"),
        "seed_batch_size": batch_param("seed recipe: minibatch size (seed: 64)"),
        "seed_learning_rate": Param("float", low=0.0, high=1.0, low_open=True,
                                    help="seed recipe: Adam learning rate"),
        "seed_patience": epochs_param("seed recipe: epochs without val-loss improvement before stopping"),
        "epochs": epochs_param("improved recipe (and ResNet, CAS): epochs of the warm-up + cosine schedule"),
        "batch_size": batch_param("improved recipe: minibatch size"),
        "learning_rate": Param("float", low=0.0, high=10.0, low_open=True, help="improved recipe: peak learning rate"),
        "optimizer": Param("str", choices=("sgd", "adam"),
                           help="improved recipe: sgd (Nesterov momentum 0.9) or adam"),
        "weight_decay": Param("float", low=0.0, high=0.1, help="improved recipe: decoupled weight decay (0: none)"),
        "warmup_epochs": Param("int", low=0, high=1_000, help="improved recipe: linear warm-up epochs"),
        "resnet_depth": Param("int", low=8, high=1_202, help="ResNet depth 6n + 2 (20: ResNet-20)"),
        "resnet_width": Param("float", low=0.0, high=8.0, low_open=True, help="ResNet width multiplier"),
        "gan_epochs": epochs_param("conditional GAN training epochs"),
        "gan_batch_size": batch_param("conditional GAN minibatch size"),
        "synthetic_fractions": Param("list[float]", low=0.0, high=10.0,
                                     help="synthetic images added, as a share of the real training images, for "
                                          "the improved VGG-16 sweep (0 is always included)"),
        "compare_fraction": Param("float", low=0.0, high=10.0, low_open=True,
                                  help="the share at which the seed-recipe VGG-16 and the ResNet are also "
                                       "trained with synthetic images"),
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
