"""Study 1's tests moved to tests/studies/test_cifar10_batchnorm.py; the fake page they shared is
tests/fake_page.py. This name stays only while Studies 2 and 3's tests import ``_Page`` from here."""
from tests.fake_page import FakePage as _Page  # noqa: F401
