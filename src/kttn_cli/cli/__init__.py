"""The command line: declarations, parsing, settings, the error boundary (the shell around
the core; docs/architecture.md, "CLI")."""
