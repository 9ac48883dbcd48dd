"""Registers: attendance marks, walk-ins, locking and reopening. People's
records (search, merge, erase, export, logins): `backend.people`."""
