"""Recording: submit, void, extend, task add, log."""
