# Solution to notebook 08, exercise 3 (check: exercises.check_nb08_enrichment(enrichment))
import numpy as np


def enrichment(is_hit, picks):
    is_hit = np.asarray(is_hit, dtype=bool)
    hit_rate = is_hit[picks].mean()  # fraction of the picked molecules that are hits
    return hit_rate, hit_rate / is_hit.mean()  # random picks find hits at the pool's rate on average
