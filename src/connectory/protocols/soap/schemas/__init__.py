"""Local copies of well-known W3C and OASIS schemas (data, not code: see README.md)."""
