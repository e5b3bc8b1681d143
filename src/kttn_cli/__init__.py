"""kttn: deadline and report tracker for Plan 01-KH/BCĐ (Hưng Yên, 2024)."""

__version__ = "0.1.0"
