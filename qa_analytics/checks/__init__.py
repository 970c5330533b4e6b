"""Check types that judge one scorecard criterion (see ``registry.CHECK_TYPES``)."""
