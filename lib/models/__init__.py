"""Model builders. Each returns an uncompiled ``keras.Model``."""
from .alexnet import build_alexnet
from .batchnorm import FusedBatchNormalization
from .cifar_cnn import build_cifar_cnn
from .dense import build_dnn, build_fcn
from .fashion_cnn import build_fashion_cnn
from .vgg import build_vgg16

__all__ = ["FusedBatchNormalization", "build_alexnet", "build_cifar_cnn", "build_dnn", "build_fcn",
           "build_fashion_cnn", "build_vgg16"]
