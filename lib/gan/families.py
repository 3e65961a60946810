"""The GAN families a study can train, with the hyper-parameters that define each.

Pure Python (no TensorFlow import). The study registry (lib/studies/registry.py) keeps the family names as
plain data (GAN_VARIANTS); tests/test_params.py checks that they equal ``FAMILIES``.
"""
from __future__ import annotations

from dataclasses import dataclass

from ..params import unknown_name_error


@dataclass(frozen=True)
class Family:
    name: str
    title: str
    kind: str                 # "gan" (BCE, alternating D/G), "wgan_gp", "conditional"
    noise_dim: int
    g_lr: float
    d_lr: float
    beta_1: float
    beta_2: float
    description: str

    @property
    def conditional(self) -> bool:
        return self.kind == "conditional"


FAMILIES: dict[str, Family] = {f.name: f for f in (
    Family("vanilla", "Vanilla GAN (seed 000)", "gan", 100, 2e-4, 2e-4, 0.5, 0.999,
           "fully connected generator (256-512-1024, LeakyReLU, batch norm) and discriminator "
           "(512-256, LeakyReLU); non-saturating BCE loss"),
    Family("vanilla_nobn", "Vanilla GAN without batch norm (ablation of seed 000)", "gan", 100, 2e-4, 2e-4, 0.5,
           0.999, "the vanilla GAN with the generator's batch-norm layers removed; everything else equal"),
    Family("seed003", "Seed-003 configuration", "gan", 150, 1e-5, 3e-5, 0.5, 0.999,
           "noise 150; generator Dense then three Conv2DTranspose to 28x28x1; discriminator two Conv2D, "
           "Flatten, Dense, Dropout, Dense; Adam G 1e-5 / D 3e-5, beta1 0.5; BCE loss"),
    Family("seed003_lr2e-4", "Seed-003 networks at Adam 2e-4 (diagnostic)", "gan", 150, 2e-4, 2e-4, 0.5, 0.999,
           "the seed-003 generator and discriminator unchanged, trained with the DCGAN learning rates "
           "(2e-4 for both): separates the seed's learning rates from its architecture and our data pipeline"),
    Family("dcgan", "DCGAN", "gan", 100, 2e-4, 2e-4, 0.5, 0.999,
           "Radford et al. 2016 rules: strided (transposed) convolutions, batch norm in both networks "
           "(not on G's output or D's input), ReLU in G, LeakyReLU 0.2 in D, tanh output; Adam 2e-4, beta1 0.5"),
    Family("wgan_gp", "WGAN-GP", "wgan_gp", 100, 1e-4, 1e-4, 0.0, 0.9,
           "Gulrajani et al. 2017: DCGAN generator, critic without batch norm (layer norm), Wasserstein loss "
           "with gradient penalty (lambda 10), n_critic critic updates per generator update; Adam 1e-4, (0, 0.9)"),
    Family("cgan", "Conditional GAN", "conditional", 100, 2e-4, 2e-4, 0.5, 0.999,
           "DCGAN-style networks with the class label fed to both: an embedding concatenated to the noise, "
           "and an embedding mapped to an extra image channel for the discriminator; BCE loss"),
)}


def family(name: str) -> Family:
    if name not in FAMILIES:
        raise unknown_name_error("GAN family", name, FAMILIES)
    return FAMILIES[name]
