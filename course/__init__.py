"""Course tooling: what the series is (its notebooks, their order, titles and cell roles) and how
to run and compare them. Scripts in ``scripts/``, the tests and the benchmarks import it;
notebooks never do (they import ``helpers``).
"""
