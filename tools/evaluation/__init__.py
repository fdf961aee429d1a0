"""`make eval`: how well the assistant understands, measured on data it never trained on."""
