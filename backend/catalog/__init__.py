"""Canonical names: the curated alias table (``aliases.csv``) that makes every source's name
for the same eval set, metric, model or pretraining corpus land on one entity."""
