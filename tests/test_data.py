"""course_utils.data: build -> save -> load, detection of missing, corrupt and stale caches, and for every
registered data set: the shipped cache is valid and a random sample regenerated now matches it."""

import json
import warnings

import numpy as np
import pytest

from course_utils import data


def _toy_build(params, indices):
    # Each sample depends only on (params, index): a seeded random vector.
    rows = [np.random.default_rng([params["seed"], int(i)]).normal(size=params["size"]) for i in indices]
    return {"x": np.array(rows), "index": np.asarray(indices), "label": np.array([f"s{i}" for i in indices])}


def _toy_finalize(arrays, params):
    return {"mean": np.full(len(arrays["x"]), arrays["x"].mean())}


def toy(seed=0, version=1, n=5):
    return data.DatasetSpec("toy", _toy_build, {"seed": seed, "size": 3}, n_samples=n, version=version,
                            description="test data", finalize=_toy_finalize)


def test_build_subset_matches_full():
    full = data.build(toy(), progress=False)
    part = data.build(toy(), [3, 1], progress=False)
    np.testing.assert_array_equal(part["x"], full["x"][[3, 1]])
    assert "mean" in full and "mean" not in part
    assert data.build(toy(), progress=False, chunk=2)["x"].shape == (5, 3)


def test_missing_cache_is_built_then_reused(tmp_path):
    with pytest.warns(data.CacheProblem, match="no cached file"):
        first = data.load(toy(), directory=tmp_path, progress=False)
    meta = data.metadata(toy(), directory=tmp_path)
    assert meta["params"] == {"seed": 0, "size": 3} and meta["n_samples"] == 5 and len(meta["sha256"]) == 64
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        second = data.load(toy(), directory=tmp_path)
    np.testing.assert_array_equal(first["x"], second["x"])
    assert second["label"].dtype.kind == "U"


def test_corrupt_and_stale_caches_are_rebuilt(tmp_path):
    data.save(toy(), data.build(toy(), progress=False), directory=tmp_path)
    npz, meta_path = data.paths(toy(), tmp_path)
    npz.write_bytes(npz.read_bytes()[:-10] + b"0123456789")
    assert "checksum" in data.cache_problem(toy(), tmp_path)
    with pytest.warns(data.CacheProblem, match="checksum"):
        data.load(toy(), directory=tmp_path, progress=False)
    assert data.cache_problem(toy(), tmp_path) is None
    assert "other generator parameters" in data.cache_problem(toy(seed=1), tmp_path)
    assert "version" in data.cache_problem(toy(version=2), tmp_path)
    with pytest.raises(ValueError, match="other generator parameters"):
        data.load(toy(seed=1), directory=tmp_path, rebuild=False)
    meta_path.write_text("{not json")
    assert "unreadable" in data.cache_problem(toy(), tmp_path)
    meta_path.unlink()
    with pytest.raises(FileNotFoundError):
        data.load(toy(), directory=tmp_path, rebuild=False)


def test_bad_specs_and_arguments(tmp_path):
    with pytest.raises(ValueError, match="name"):
        data.DatasetSpec("bad name!", _toy_build, {}, n_samples=1)
    with pytest.raises(TypeError, match="callable"):
        data.DatasetSpec("x", "not callable", {}, n_samples=1)
    with pytest.raises(TypeError, match="JSON"):
        data.DatasetSpec("x", _toy_build, {"a": object()}, n_samples=1)
    with pytest.raises(ValueError, match="at least 1"):
        data.DatasetSpec("x", _toy_build, {}, n_samples=0)
    with pytest.raises(ValueError, match=r"indices must lie in \[0, 4\]"):
        data.build(toy(), [5], progress=False)
    with pytest.raises(ValueError, match="unknown data set 'nope'"):
        data.load("nope")
    with pytest.raises(TypeError, match="dtype object"):
        data.save(toy(), {"x": np.array([{}, None], dtype=object)}, directory=tmp_path)

    def wrong_length(params, indices):
        return {"x": np.zeros(len(indices) + 1)}

    with pytest.raises(ValueError, match="leading axis"):
        data.build(data.DatasetSpec("w", wrong_length, {}, n_samples=2), progress=False)


@pytest.mark.parametrize("name", sorted(data.DATASETS))
def test_shipped_cache_is_valid_and_reproducible(name):
    spec = data.get_spec(name)
    assert data.cache_problem(spec) is None, f"{name}: {data.cache_problem(spec)}; run scripts/build_datasets.py {name}"
    cached = data.load(spec, rebuild=False)
    meta = json.loads(data.paths(spec)[1].read_text())
    assert meta["description"], f"{name}: metadata should say what the data are"
    # Three random samples; one where a data set is a few long runs (each sample then costs tens of seconds).
    size = 3 if spec.n_samples >= 10 else 1
    sample = np.random.default_rng().choice(spec.n_samples, size=size, replace=False)
    sample = np.sort(sample)
    fresh = data.build(spec, sample, progress=False)
    for key, value in fresh.items():
        where = f"{name}[{key!r}] at samples {sample}"
        if value.dtype.kind in "fc":
            np.testing.assert_allclose(value, cached[key][sample], rtol=1e-6, atol=1e-8, err_msg=where)
        else:
            np.testing.assert_array_equal(value, cached[key][sample], err_msg=where)
