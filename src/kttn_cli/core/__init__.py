"""The pure core: plan → obligations → statuses → rows.

Nothing in here touches files, the clock, a terminal or the network; every function that
depends on "today" takes `as_of` explicitly.
"""
