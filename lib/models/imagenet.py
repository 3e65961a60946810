"""The seed's "ImageNet models" baseline: a Keras application pretrained on ImageNet, fine-tuned on 32x32 images.

The seed says "VGG-16 with GANs outperformed ResNet and ImageNet models". We
test that against ``keras.applications.VGG16`` (or ``ResNet50``) with its
ImageNet weights, the images upsampled (bilinear) to ``side`` x ``side`` and
preprocessed as the weights expect, global average pooling and a new softmax,
fine-tuned end to end.

The weights come from, in order: a path (the notebook's ``imagenet_weights``
or ``$SMALLIMG_IMAGENET_WEIGHTS``), the Keras cache (``~/.keras/models`` or
``$KERAS_HOME/models``), or Keras's download. When none works (an offline
machine) :func:`find_weights` returns no path and the reason, and the page
says the baseline was skipped and how to provide the file; the how-to for the
terminal comes back as its warnings, for the caller to show.
"""
from __future__ import annotations

import logging
import os
import stat
from dataclasses import dataclass

from ..errors import ParamError, download_problem, one_line
from ..paths import keras_home, path_problem, short_path

log = logging.getLogger(__name__)

ENV = "SMALLIMG_IMAGENET_WEIGHTS"
FILES = {"vgg16": "vgg16_weights_tf_dim_ordering_tf_kernels_notop.h5",
         "resnet50": "resnet50_weights_tf_dim_ordering_tf_kernels_notop.h5"}
TITLES = {"vgg16": "VGG-16 (ImageNet-pretrained)", "resnet50": "ResNet-50 (ImageNet-pretrained)"}


@dataclass(frozen=True)
class WeightsFound:
    """Where ``arch``'s weights are: ``path`` and ``source`` (where they came from), or no path and in ``source``
    why not and how to provide them. ``source`` goes on the page: words only, never a local path, an exception's
    class or its errno text. ``warnings``: the how-to for the terminal (``lib.progress.warn_user``)."""
    path: str | None
    source: str
    warnings: tuple[str, ...] = ()


def find_weights(arch: str, path: str | None = None, allow_download: bool = True) -> WeightsFound:
    """``arch``'s no-top ImageNet weights (:class:`WeightsFound`). The raw error of a failed look-up goes to the
    study log (this module's logger)."""
    if arch not in FILES:
        raise ParamError(f"ImageNet baseline {arch!r} is not one of {', '.join(FILES)}")
    given = path or os.environ.get(ENV)
    if given:
        origin = "imagenet_weights" if path else f"${ENV}"
        try:
            if stat.S_ISREG(os.stat(given).st_mode):
                return WeightsFound(str(given), "the weights file given to this run")
            what, fix = "is not a file", "give the path of the .h5 weights file"
        except OSError as exc:   # missing, a loop, too long, through a file, permission denied
            what, fix = path_problem(exc)
        return WeightsFound(None, "skipped: ImageNet weights not available (the weights file given cannot be read)",
                            (f"ImageNet weights file {short_path(given)} (from {origin}) {what}; {fix}",))
    cached = keras_home() / "models" / FILES[arch]
    try:
        if cached.is_file():
            return WeightsFound(str(cached), "the Keras model cache")
    except OSError as exc:   # KERAS_HOME too long, or not to be entered
        log.warning("ImageNet weights: the Keras model cache %s cannot be reached: %s", cached, exc)
    # The reason goes on the page: short, no environment variables; the terminal gets the full how-to.
    how = f"put {FILES[arch]} into the Keras model cache (~/.keras/models) to run it"
    if allow_download:
        try:
            import keras

            getattr(keras.applications, _app(arch))(weights="imagenet", include_top=False)
            if cached.is_file():
                return WeightsFound(str(cached), "downloaded by Keras")
        except Exception as exc:   # offline: a URL or socket error; its text goes to the study log only
            log.warning("ImageNet weights for %s: download failed: %s: %s", arch, type(exc).__name__,
                        one_line(exc))
            return WeightsFound(None, f"skipped: ImageNet weights not available (could not download them: "
                                      f"{download_problem(exc)}); {how}", (_how_to(arch),))
    return WeightsFound(None, f"skipped: ImageNet weights not available (not looked up online); {how}")


def _how_to(arch: str) -> str:
    return (f"to run the ImageNet-pretrained baseline, put {FILES[arch]} into ~/.keras/models (or "
            f"$KERAS_HOME/models) or set ${ENV} to its path; on a machine with internet: python -c \"import "
            f"keras; keras.applications.{_app(arch)}(weights='imagenet', include_top=False)\"")


def _app(arch: str) -> str:
    return {"vgg16": "VGG16", "resnet50": "ResNet50"}[arch]


def build_pretrained(arch: str, num_classes: int, weights: str | None, side: int = 64, input_shape=(32, 32, 3)):
    """``arch`` with ``weights`` (a file, or None for random initialisation: the toy-scale test), inputs in [0, 1]."""
    import keras
    from keras import layers

    if side < 32:
        raise ParamError(f"keras.applications.{_app(arch)} needs inputs of at least 32x32, got side {side}")
    app = getattr(keras.applications, _app(arch))
    preprocess = getattr(keras.applications, arch).preprocess_input   # "caffe" style: BGR, ImageNet means
    inputs = keras.Input(input_shape)
    x = inputs if side == input_shape[0] else layers.Resizing(side, side, interpolation="bilinear")(inputs)
    x = layers.Lambda(lambda t: preprocess(t * 255.0), name="imagenet_preprocess")(x)
    base = app(include_top=False, weights=weights, input_shape=(side, side, 3), pooling="avg")
    outputs = layers.Dense(num_classes, activation="softmax", dtype="float32", name="predictions")(base(x))
    return keras.Model(inputs, outputs, name=f"{arch}_imagenet" if weights else f"{arch}_random")
