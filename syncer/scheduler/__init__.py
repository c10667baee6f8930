"""The daemon: APScheduler triggers and the execution of runs."""
