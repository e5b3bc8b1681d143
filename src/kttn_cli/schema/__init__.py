"""The file formats kttn reads and writes, as strict pydantic models.

Each model converts itself to (and, for what kttn writes, from) the core's objects: a new
field touches one model here and one class in `core.model` (docs/architecture.md,
"Layers"). Importing pydantic is the heaviest part of kttn's start-up, so only code that
reads a file for the first time (or writes one) imports this package.
"""
