"""course_utils.data: build -> save -> load, detection of missing, corrupt and stale caches, and for every
registered data set: the shipped cache is valid and a random sample regenerated now matches it."""

import json
import warnings
from pathlib import Path

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


# molecules_small regenerates xTB samples (about 14 s): slow, run by the full suite, not the smoke runs.
@pytest.mark.parametrize("name", [pytest.param(n, marks=pytest.mark.slow) if n == "molecules_small" else n
                                  for n in sorted(data.DATASETS)])
def test_shipped_cache_is_valid_and_reproducible(name):
    spec = data.get_spec(name)
    assert data.cache_problem(spec) is None, f"{name}: {data.cache_problem(spec)}; run scripts/build_datasets.py {name}"
    cached = data.load(spec, rebuild=False)
    meta = json.loads(data.paths(spec)[1].read_text())
    assert meta["description"], f"{name}: metadata should say what the data are"
    # Three random samples; one where a data set is a few long runs, or where its spec says each sample costs
    # tens of seconds (extra["test_samples"]). Seeded (per data set), so that a failure can be reproduced; the
    # seed changes with the cache's checksum.
    size = int(spec.extra.get("test_samples", 3 if spec.n_samples >= 10 else 1))
    seed = int(meta["sha256"][:8], 16)
    sample = np.sort(np.random.default_rng(seed).choice(spec.n_samples, size=size, replace=False))
    fresh = data.build(spec, sample, progress=False)
    # A spec may loosen the absolute tolerance of a key that round-off moves more (extra["sample_atol"]).
    loose = dict(spec.extra.get("sample_atol", {}))
    assert set(loose) <= set(fresh), f"{name}: sample_atol names keys the build does not return: {loose}"
    for key, value in fresh.items():
        where = f"{name}[{key!r}] at samples {sample}"
        if value.dtype.kind in "fc":
            np.testing.assert_allclose(value, cached[key][sample], rtol=1e-6, atol=loose.get(key, 1e-8),
                                       err_msg=where)
        else:
            np.testing.assert_array_equal(value, cached[key][sample], err_msg=where)
    # Whole-data-set arrays (e.g. convex hulls, computed after all samples): recompute them from the cached
    # per-sample arrays and compare.
    if spec.finalize is not None:
        per_sample = {key: cached[key] for key in fresh}
        extra = spec.finalize(dict(per_sample), spec.params)
        assert extra, f"{name}: finalize added no arrays"
        for key, value in extra.items():
            value = np.asarray(value)
            if value.dtype.kind in "fc":
                np.testing.assert_allclose(value, cached[key], rtol=1e-9, atol=1e-10, err_msg=f"{name}[{key!r}]")
            else:
                np.testing.assert_array_equal(value, cached[key], err_msg=f"{name}[{key!r}]")


def test_writes_are_atomic_and_rebuilds_go_to_the_user_cache(tmp_path, monkeypatch):
    # A failing write leaves no partial file behind; a stale shipped cache is rebuilt into the user cache and the
    # shipped file is left untouched.
    shipped, user = tmp_path / "shipped", tmp_path / "user"
    shipped.mkdir()
    monkeypatch.setattr(data, "DATA_DIR", shipped)
    monkeypatch.setattr(data, "USER_DATA_DIR", user)
    data.save(toy(), data.build(toy(), progress=False), directory=shipped)
    before = (shipped / "toy.npz").read_bytes()

    def broken_savez(path, **arrays):
        Path(path).write_bytes(b"half")
        raise OSError("disk full")

    monkeypatch.setattr(np, "savez_compressed", broken_savez)
    with pytest.raises(OSError, match="disk full"):
        data.save(toy(), data.build(toy(), progress=False), directory=shipped)
    monkeypatch.undo()
    monkeypatch.setattr(data, "DATA_DIR", shipped)
    monkeypatch.setattr(data, "USER_DATA_DIR", user)
    assert (shipped / "toy.npz").read_bytes() == before
    assert sorted(p.name for p in shipped.iterdir()) == ["toy.json", "toy.npz"]  # no temporary file left
    with pytest.warns(data.CacheProblem, match="rebuilding"):
        arrays = data.load(toy(seed=3), progress=False)  # stale: other parameters
    assert (user / "toy.npz").exists() and (shipped / "toy.npz").read_bytes() == before
    np.testing.assert_array_equal(arrays["x"], data.load(toy(seed=3), progress=False)["x"])  # now from the user cache
    assert data.metadata(toy(seed=3))["params"]["seed"] == 3


def test_verify_trained_names_the_script(tmp_path, monkeypatch):
    weights = tmp_path / "w.npz"
    np.savez(weights, a=np.arange(3))
    sha = data._checksum(weights)
    monkeypatch.setattr(data, "metadata", lambda name: {"sha256": "d" * 64})
    data.verify_trained(weights, sha, "toy", "d" * 64, "python scripts/train_toy.py")
    with pytest.raises(ValueError, match="corrupt or was edited; re-create it with `python scripts/train_toy.py`"):
        data.verify_trained(weights, "0" * 64, "toy", "d" * 64, "python scripts/train_toy.py")
    with pytest.raises(ValueError, match="another version of the data set 'toy'.*train_toy"):
        data.verify_trained(weights, sha, "toy", "e" * 64, "python scripts/train_toy.py")
    with pytest.raises(FileNotFoundError, match="train_toy"):
        data.verify_trained(tmp_path / "missing.npz", sha, "toy", "d" * 64, "python scripts/train_toy.py")
