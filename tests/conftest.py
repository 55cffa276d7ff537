"""Test ordering for two workers (pytest-xdist).

`make test` runs the tests other than notebooks on two workers, which take tests from the front of the list as
they become free. The few long tests (retraining a shipped model, regenerating a catalogue: one to three minutes
each) would, if collected last, leave one worker busy long after the other is idle; so modules holding a test
marked ``slow`` are collected first, each module kept whole and in its own order. With one worker this changes
only the order.
"""


def pytest_collection_modifyitems(session, config, items):
    slow_modules = {item.module.__name__ for item in items
                    if getattr(item, "module", None) is not None and item.get_closest_marker("slow")}
    first = [item for item in items if getattr(item, "module", None) is not None
             and item.module.__name__ in slow_modules]
    rest = [item for item in items if not (getattr(item, "module", None) is not None
                                            and item.module.__name__ in slow_modules)]
    items[:] = first + rest
