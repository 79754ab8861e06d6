"""The performance harness (not part of the cxdesk package): see benchmarks/README.md."""
