"""Engines beside the local one: :mod:`syndetect.engines.spark` (Apache Spark).

Every engine calls the pipeline's stage functions through
:mod:`syndetect.engines.stages`, so there is one implementation of the
algorithm.
"""
