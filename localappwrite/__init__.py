"""localappwrite: a small Appwrite-compatible REST server for the demo, the tests and the benchmarks.

It serves under /v1 the subset of the Appwrite 1.9 REST API the dashboard uses, stored in SQLite.
"""

APPWRITE_VERSION = "1.9.6"
