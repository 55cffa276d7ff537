"""Seeded random samples for the tests that regenerate or re-check cached data."""

import numpy as np

from course_utils import data


def dataset_rng(name: str, salt: int = 0) -> np.random.Generator:
    """A generator seeded by the checksum of data set ``name``'s shipped cache (and ``salt``), as
    tests/test_data.py seeds its samples: a failure can be reproduced, and the sample moves when the data do."""
    return np.random.default_rng([int(data.metadata(name)["sha256"][:8], 16), int(salt)])
