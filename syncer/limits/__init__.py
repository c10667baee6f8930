"""Rate-limit budgets shared by every process of a deployment (PostgreSQL or Redis).

``syncer.limits.limiter`` has the design and its guarantee; ``backends`` picks the store.
Modules are imported one by one: settings need only ``urls``, and Redis is loaded only when used.
"""
