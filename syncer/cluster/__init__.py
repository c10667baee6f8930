"""Cluster mode: procrastinate jobs on PostgreSQL execute queued runs on any number of hosts."""
