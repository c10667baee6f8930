"""The engine: pull (and later push and propagate) runs, their records and leases."""
