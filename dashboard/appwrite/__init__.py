"""The only code that speaks to Appwrite (and the only code that imports its SDK): a module per concern,
returning frozen dataclasses (records.py) and raising only its own exceptions (errors.py). Import the
module that owns a name, e.g. `from dashboard.appwrite import chat_sessions`; nothing is re-exported here."""
