"""Rasa input channels as ALK Companion runs them."""
