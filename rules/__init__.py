"""Bundled rule packs: YAML editorial policy, read by medreview.rulepacks (no code here)."""
