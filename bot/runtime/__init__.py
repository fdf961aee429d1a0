"""The processes: the launcher, the action server, the page server and retention."""
