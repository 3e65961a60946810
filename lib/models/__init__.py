"""Model builders. Each returns an uncompiled ``keras.Model``."""
from .fashion_cnn import build_fashion_cnn

__all__ = ["build_fashion_cnn"]
