"""Shared values every stage uses: the error tree and its located diagnostics, bilingual text and
citations, the registry of stable diagnostic codes, where the bundled policy lives, and the
garbage-collector pause around a load.

Imports nothing of the package: every other stage may import it.
"""
