"""The Dask executor (``--dist dask``): each case packed with its inputs, run on a Dask
worker by the fresh runner, its outputs and logs shipped back (see docs/distributed.md)."""
