"""Comparison -> tables (CSV/JSON), figures and the self-contained HTML report."""
