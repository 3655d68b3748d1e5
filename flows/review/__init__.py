"""The local review page: check what the model extracted, correct it, and teach it."""
