"""Rasa's edge: what adapts the core to Rasa: the safety policy, the lock
store, the patches of Rasa's internals and the CLI wrapper."""
