"""The weekly digest: a pure builder (records in, email out) and its templates."""
