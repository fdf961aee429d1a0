"""Tools for nurses: the medication check and the counselling handout."""
