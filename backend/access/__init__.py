"""Protected spaces (e.g. the women-only "Upbeat Women"), grants, access
requests, the audit log, and THE visibility policy (policy.py) that every read
of activities and sessions starts from."""
