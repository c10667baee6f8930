"""Marketplace adapters, one package each, registered under the ``syncer.adapters`` group."""
