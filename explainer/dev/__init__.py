"""Development tools nothing at run time imports: the benchmark (``make bench``), the README's
stills and the local Dask cluster the benchmark and the tests start.

May import every other folder; no other folder imports it.
"""
